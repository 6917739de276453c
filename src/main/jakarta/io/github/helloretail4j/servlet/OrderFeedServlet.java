package io.github.helloretail4j.servlet;

import io.github.helloretail4j.feed.OrderSource;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.ZoneId;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The order feed Hello Retail requires: the shop's orders in Hello Retail's JSON format, behind
 * HTTP Basic authentication, for the window a GET asks for with {@code daysBack} (default 3:
 * today and the three days before, in the feed's zone), {@code page} (from 1) and
 * {@code pageSize} (1 to 10,000; all orders without it). Orders are written as the source hands
 * them out and never held; a source that fails half-way aborts the response, so that Hello
 * Retail sees an error and not a short feed.
 *
 * <p>Two ways to set it up. In code, with the shop's own {@link OrderSource}:
 * <pre>{@code
 * servletContext.addServlet("helloretail-orderfeed", OrderFeedServlet.builder()
 *         .source(orderSource)
 *         .password(System.getenv("HELLORETAIL_ORDER_FEED_PASSWORD"))
 *         .zone(ZoneId.of("Europe/Copenhagen"))
 *         .build()).addMapping("/helloretail/orderfeed");
 * }</pre>
 * Or with no code, with a query run on a JNDI DataSource ({@code SqlOrderSource} describes it):
 * the jar's web fragment registers the feed at {@value #PARAM_PATH} (default
 * {@value #DEFAULT_PATH}) when the context-param {@value #PARAM_PASSWORD} is set, from the
 * context-params below; or map it in web.xml yourself, which the fragment then leaves alone:
 * <pre>{@code
 * <servlet>
 *   <servlet-name>helloretail-orderfeed</servlet-name>
 *   <servlet-class>io.github.helloretail4j.servlet.OrderFeedServlet</servlet-class>
 *   <init-param><param-name>helloretail.orderFeedPassword</param-name><param-value>...</param-value></init-param>
 *   <init-param><param-name>helloretail.orderFeedDataSource</param-name><param-value>java:comp/env/jdbc/shop</param-value></init-param>
 *   <init-param><param-name>helloretail.orderFeedQuery</param-name><param-value>SELECT ...</param-value></init-param>
 *   <load-on-startup>1</load-on-startup>
 * </servlet>
 * <servlet-mapping><servlet-name>helloretail-orderfeed</servlet-name><url-pattern>/helloretail/orderfeed</url-pattern></servlet-mapping>
 * }</pre>
 *
 * <table>
 * <caption>Parameters, read as every {@code helloretail.*} parameter is: a system property, else an
 * environment variable ({@code HELLORETAIL_ORDER_FEED_PASSWORD}), else the servlet's init-param,
 * else the context-param</caption>
 * <tr><th>name</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@value #PARAM_PASSWORD}</td><td>none: required</td><td>the HTTP Basic password, 8 characters or more</td></tr>
 * <tr><td>{@value #PARAM_USER}</td><td>{@value #DEFAULT_USER}</td><td>the HTTP Basic user name</td></tr>
 * <tr><td>{@value #PARAM_DATA_SOURCE}</td><td>none: required</td><td>JNDI name of the DataSource the query runs on</td></tr>
 * <tr><td>{@value #PARAM_QUERY}</td><td>none: required</td><td>the SQL that reads the orders</td></tr>
 * <tr><td>{@value #PARAM_ZONE}</td><td>the JVM's time zone</td><td>the zone of the feed's dates and of its days</td></tr>
 * </table>
 *
 * <p>The feed is never served without a password: {@code init} fails naming the missing
 * parameter, and so does a bad value, an unknown {@code helloretail.*} init-param, a JNDI name
 * that is no DataSource, or a query that lacks a column (the query is run once on an empty
 * window at {@code init}; a database that gives no connection then is logged, not fatal). With
 * {@code load-on-startup}, Jetty fails the deployment; Tomcat logs the message and answers the
 * feed's URL with an error. Use {@code load-on-startup}, so that the message comes at start.
 *
 * <p>The feed's answers are never cached ({@code Cache-Control: no-store}) and gzipped when the
 * client accepts it. A client that stops reading holds the database connection until the
 * container's idle timeout ends the blocked write (Jetty's connector {@code idleTimeout},
 * Tomcat's {@code connectionTimeout}); then the source is closed.
 */
public final class OrderFeedServlet extends HttpServlet {

    public static final String PARAM_PASSWORD = Parameters.PARAM_ORDER_FEED_PASSWORD;
    public static final String PARAM_USER = Parameters.PARAM_ORDER_FEED_USER;
    public static final String DEFAULT_USER = Parameters.DEFAULT_ORDER_FEED_USER;
    /**
     * Where the web fragment's listener maps the feed (a context-param; a servlet mapped by hand
     * answers where its mapping says).
     */
    public static final String PARAM_PATH = Parameters.PARAM_ORDER_FEED_PATH;
    public static final String DEFAULT_PATH = Parameters.DEFAULT_ORDER_FEED_PATH;
    public static final String PARAM_DATA_SOURCE = Parameters.PARAM_ORDER_FEED_DATA_SOURCE;
    public static final String PARAM_QUERY = Parameters.PARAM_ORDER_FEED_QUERY;
    public static final String PARAM_ZONE = Parameters.PARAM_ORDER_FEED_ZONE;

    /** Null until {@code init} when the container made this servlet from web.xml. */
    private transient OrderFeed feed;

    /** For web.xml: the feed's settings come from the init-params at {@code init}. */
    public OrderFeedServlet() {
    }

    OrderFeedServlet(OrderFeed feed) {
        this.feed = feed;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void init() throws ServletException {
        if (feed != null) {
            return; // made by the builder: init-params play no part
        }
        try {
            feed = new OrderFeed(OrderFeedParameters.parse(
                    parameters(Collections.list(getServletConfig().getInitParameterNames()),
                            getServletConfig()::getInitParameter),
                    parameters(Collections.list(getServletContext().getInitParameterNames()),
                            getServletContext()::getInitParameter),
                    OrderFeedServlet::lookup));
        } catch (IllegalArgumentException e) {
            // Tomcat logs only the innermost cause of a servlet that failed to start: that must be
            // the message naming the parameter. What caused it stays in the trace, as suppressed.
            IllegalArgumentException named = new IllegalArgumentException(e.getMessage());
            named.setStackTrace(e.getStackTrace());
            if (e.getCause() != null) {
                named.addSuppressed(e.getCause());
            }
            throw new ServletException(e.getMessage(), named);
        }
    }

    /**
     * On the thread that starts the servlet, where {@code java:comp/env} is the application's
     * own naming context.
     */
    static Object lookup(String name) throws javax.naming.NamingException {
        javax.naming.InitialContext naming = new javax.naming.InitialContext();
        try {
            return naming.lookup(name);
        } finally {
            naming.close();
        }
    }

    static Map<String, String> parameters(List<String> names, Function<String, String> values) {
        Map<String, String> map = new HashMap<>();
        for (String name : names) {
            String value = values.apply(name);
            if (value != null) {
                map.put(name, value);
            }
        }
        return map;
    }

    /** Every method comes here: only GET is served, and HEAD must not run the query as doHead would. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        feed.serve(new Exchange(request, response));
    }

    /** The settings, the password masked. */
    @Override
    public String toString() {
        return "OrderFeedServlet{" + (feed == null ? "not initialised" : feed.toString()) + "}";
    }

    /** Collects the feed's settings; {@link #build()} checks them. */
    public static final class Builder {
        private OrderSource source;
        private String user = DEFAULT_USER;
        private String password;
        private ZoneId zone = ZoneId.systemDefault();

        private Builder() {
        }

        /** Required: where the orders come from. */
        public Builder source(OrderSource source) {
            this.source = source;
            return this;
        }

        /** The HTTP Basic user name; {@value OrderFeedServlet#DEFAULT_USER} by default. No ':' (RFC 7617). */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** Required: the HTTP Basic password, 8 characters or more; never logged or shown. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** The zone of the feed's dates and of its days; the JVM's time zone by default. */
        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        /**
         * @throws IllegalStateException when the source or the password is missing
         * @throws IllegalArgumentException when the user or the password is malformed; the
         *         message names the field (and echoes the user, never the password)
         */
        public OrderFeedServlet build() {
            return new OrderFeedServlet(new OrderFeed(new OrderFeed.Config(source, user, password, zone)));
        }
    }

    /** The request and response as the feed reads them: delegation only. */
    private static final class Exchange implements OrderFeed.Exchange {
        private final HttpServletRequest request;
        private final HttpServletResponse response;

        Exchange(HttpServletRequest request, HttpServletResponse response) {
            this.request = request;
            this.response = response;
        }

        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String header(String name) {
            return request.getHeader(name);
        }

        @Override
        public String[] parameter(String name) {
            return request.getParameterValues(name);
        }

        @Override
        public void status(int status) {
            response.setStatus(status);
        }

        @Override
        public void header(String name, String value) {
            response.setHeader(name, value);
        }

        @Override
        public OutputStream body() throws IOException {
            return response.getOutputStream();
        }

        @Override
        public boolean isCommitted() {
            return response.isCommitted();
        }

        @Override
        public void reset() {
            response.reset();
        }
    }
}
