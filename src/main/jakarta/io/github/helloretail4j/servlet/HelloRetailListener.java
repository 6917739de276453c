package io.github.helloretail4j.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the web application's tracker with the application and closes it when the
 * application stops. Declared by the jar's {@code web-fragment.xml}, so that adding the jar and
 * setting {@code helloretail.websiteUuid} is the whole setup: unless the application declares
 * {@link PageViewFilter} itself or sets {@code helloretail.installFilter=false}, it also adds
 * the filter on {@code /*}.
 *
 * <p>With {@code helloretail.orderFeedPassword} set, it also registers the order feed
 * ({@link OrderFeedServlet}) at {@code helloretail.orderFeedPath} over the query
 * {@code helloretail.orderFeedQuery} on the DataSource {@code helloretail.orderFeedDataSource},
 * unless the application maps the servlet itself.
 *
 * <p>A configuration error is thrown from {@link #contextInitialized}, which fails the
 * deployment with a message naming the parameter and the value.
 */
public final class HelloRetailListener implements ServletContextListener {

    /** The name of the feed servlet the listener registers. */
    static final String FEED_SERVLET_NAME = "helloretail-orderfeed";
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.feed");

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
        registerOrderFeed(context);
    }

    /**
     * The order feed, when {@code helloretail.orderFeedPassword} is set, at
     * {@code helloretail.orderFeedPath}; not when the application maps {@link OrderFeedServlet}
     * itself (its web.xml, or its own listener before this one), whose {@code init} reads the
     * same parameters. Not with {@code helloretail.enabled=false}, which switches the whole
     * library off, as it does in the Spring Boot starter.
     */
    private static void registerOrderFeed(ServletContext context) {
        if (mapsOrderFeed(context)) {
            return;
        }
        OrderFeedParameters.Registration feed = OrderFeedParameters.forApplication(
                OrderFeedServlet.parameters(Collections.list(context.getInitParameterNames()), context::getInitParameter),
                OrderFeedServlet::lookup);
        if (feed == null) {
            return;
        }
        ServletRegistration.Dynamic servlet = context.addServlet(FEED_SERVLET_NAME,
                new OrderFeedServlet(new OrderFeed(feed.config())));
        if (servlet == null) {
            throw new IllegalArgumentException("the order feed cannot be registered: the web application has a"
                    + " servlet named " + FEED_SERVLET_NAME + " already; rename it");
        }
        Set<String> taken = servlet.addMapping(feed.path());
        if (!taken.isEmpty()) {
            throw new IllegalArgumentException(Parameters.PARAM_ORDER_FEED_PATH + " \"" + feed.path() + "\" is mapped"
                    + " to another servlet of the web application already; give the feed a path of its own");
        }
        LOG.info("Hello Retail order feed for {} at {} (user {}, zone {}): {}",
                context.getContextPath().isEmpty() ? "/" : context.getContextPath(), feed.path(),
                feed.config().user(), feed.config().zone(), feed.config().source());
    }

    private static boolean mapsOrderFeed(ServletContext context) {
        return context.getServletRegistrations().values().stream()
                .anyMatch(r -> OrderFeedServlet.class.getName().equals(r.getClassName()));
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
