package io.github.helloretail4j.demo.shop;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/** Sets up the shop's in-memory state when the application starts. */
public final class ShopListener implements ServletContextListener {

    public static final String CATALOG = Catalog.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        event.getServletContext().setAttribute(CATALOG, new Catalog());
        event.getServletContext().setAttribute(Orders.ATTRIBUTE, new Orders());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(CATALOG);
        event.getServletContext().removeAttribute(Orders.ATTRIBUTE);
    }
}
