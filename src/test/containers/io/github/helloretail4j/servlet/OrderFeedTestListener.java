package io.github.helloretail4j.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.ZoneId;

/**
 * Registers the order feed in code, as a shop or a framework does: {@link OrderFeedServlet#builder()}
 * with the tests' source ({@link TestOrderSources#deployed()}), at {@value #PATH}. Both methods
 * are implemented: Servlet 3.1's listener interface has no defaults.
 */
public final class OrderFeedTestListener implements ServletContextListener {

    static final String PATH = "/helloretail/orderfeed";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        String zone = context.getInitParameter("test.orderFeedZone");
        context.addServlet("helloretail-orderfeed", OrderFeedServlet.builder()
                        .source(TestOrderSources.deployed())
                        .password(TestOrderSources.PASSWORD)
                        .zone(ZoneId.of(zone == null ? "Europe/Copenhagen" : zone))
                        .build())
                .addMapping(PATH);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
    }
}
