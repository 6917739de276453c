package io.github.helloretail4j.demo.shop;

import io.github.helloretail4j.servlet.OrderFeedServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Locale;

/**
 * Sets up the shop's in-memory state when the application starts, and the order feed Hello
 * Retail fetches the shop's orders from: {@link OrderFeedServlet} over the shop's own
 * {@link ShopOrderSource}, at {@value OrderFeedServlet#DEFAULT_PATH}. Its password and user are
 * the library's parameters {@code helloretail.orderFeedPassword} and
 * {@code helloretail.orderFeedUser}, read as the library reads every parameter: a system
 * property, else the environment variable ({@code HELLORETAIL_ORDER_FEED_PASSWORD}), else the
 * context-param of web.xml.
 */
public final class ShopListener implements ServletContextListener {

    public static final String CATALOG = Catalog.class.getName();
    /** The servlet's name in the application. */
    public static final String ORDER_FEED = "helloretail-orderfeed";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Orders orders = new Orders();
        context.setAttribute(CATALOG, new Catalog());
        context.setAttribute(Orders.ATTRIBUTE, orders);
        String password = parameter(context, OrderFeedServlet.PARAM_PASSWORD);
        if (password != null) {
            String user = parameter(context, OrderFeedServlet.PARAM_USER);
            // The builder checks the password (8 characters or more) and the user: a bad one stops the demo.
            context.addServlet(ORDER_FEED, OrderFeedServlet.builder()
                    .source(new ShopOrderSource(orders))
                    .password(password)
                    .user(user == null ? OrderFeedServlet.DEFAULT_USER : user)
                    .build()).addMapping(OrderFeedServlet.DEFAULT_PATH);
        }
    }

    /** A system property, else the environment variable, else the context-param; null when none is set. */
    static String parameter(ServletContext context, String name) {
        String environment = name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
        for (String value : new String[] {System.getProperty(name), System.getenv(environment),
                context.getInitParameter(name)}) {
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(CATALOG);
        event.getServletContext().removeAttribute(Orders.ATTRIBUTE);
    }
}
