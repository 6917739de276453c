package io.github.helloretail4j.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.EnumSet;

/**
 * Starts the web application's tracker with the application and closes it when the
 * application stops. Declared by the jar's {@code web-fragment.xml}, so that adding the jar and
 * setting {@code helloretail.websiteUuid} is the whole setup: unless the application declares
 * {@link PageViewFilter} itself or sets {@code helloretail.installFilter=false}, it also adds
 * the filter on {@code /*}.
 *
 * <p>A configuration error is thrown from {@link #contextInitialized}, which fails the
 * deployment with a message naming the parameter and the value.
 */
public final class HelloRetailListener implements ServletContextListener {

    private WebTracking owned;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        owned = WebTracking.startForApplication(new ServletWebApp(context));
        if (owned != null && owned.installsFilter() && !declaresFilter(context)) {
            FilterRegistration.Dynamic filter = context.addFilter("helloretail", PageViewFilter.class);
            if (filter != null) {
                // Before the application's own filters, so it sees the final status of the response.
                filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
                filter.setAsyncSupported(true);
            }
        }
    }

    private static boolean declaresFilter(ServletContext context) {
        return context.getFilterRegistrations().values().stream()
                .anyMatch(r -> PageViewFilter.class.getName().equals(r.getClassName()));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (owned != null) {
            owned.close();
            owned = null;
        }
    }
}
