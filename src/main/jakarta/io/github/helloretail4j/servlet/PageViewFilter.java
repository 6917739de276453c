package io.github.helloretail4j.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Tracks every page a visitor really sees and sends it to Hello Retail as a page view.
 *
 * <p>The decision is taken after the rest of the chain ran, when the status, the content type
 * and the shop's request attributes are known. <b>Tracked:</b> a GET answered with 2xx and
 * {@code text/html}, from a visitor with a valid {@code hello_retail_id} cookie (or one the
 * filter just gave them). <b>Not tracked:</b> other methods and HEAD; errors and redirects;
 * other content types; paths in {@code helloretail.excludePaths}; requests with the
 * {@code helloretail.skip} attribute; bots, crawlers, previewers and HTTP libraries (by user
 * agent); prefetch and prerender; XHR and other non-document fetches; visitors without consent
 * when {@code helloretail.consentCookie} is set; {@code Sec-GPC: 1} when
 * {@code helloretail.honorGlobalPrivacyControl} is on; and every FORWARD, INCLUDE, ERROR or
 * ASYNC pass, so that one visitor request gives at most one page view.
 *
 * <p>The request thread only builds the event and queues it. The filter never throws into the
 * shop, and the shop's own exceptions pass through unchanged (and are not tracked).
 *
 * <h2>Parameters</h2>
 * Read, first found wins, from a system property, an environment variable
 * ({@code HELLORETAIL_WEBSITE_UUID}), the filter's init-param, the context-param; see the
 * {@code PARAM_*} constants and their {@code DEFAULT_*} (docs/servlet-filter.md's tables say what
 * each does). An unknown {@code helloretail.*} parameter or a bad value fails the deployment with a
 * message naming it.
 *
 * <h2>Request attributes</h2>
 * {@value #ATTRIBUTE_PRODUCT_NUMBER} (the product shown; wins over the pattern and the
 * parameter), {@value #ATTRIBUTE_CANONICAL_URL} (sent as {@code url}), {@value #ATTRIBUTE_SKIP}
 * ({@code Boolean.TRUE}: do not track).
 */
public final class PageViewFilter implements Filter {

    // The names and defaults of the one table of parameters (Parameters), which both servlet
    // layers compile: constants, so that they serve in annotations and switches as literals do.

    /** Required: the shop's website UUID. */
    public static final String PARAM_WEBSITE_UUID = Parameters.PARAM_WEBSITE_UUID;
    /** Base URL of the collect API; https, or http on a loopback address. */
    public static final String PARAM_ENDPOINT = Parameters.PARAM_ENDPOINT;
    public static final String DEFAULT_ENDPOINT = Parameters.DEFAULT_ENDPOINT;
    /** {@code false}: nothing is tracked or sent. */
    public static final String PARAM_ENABLED = Parameters.PARAM_ENABLED;
    public static final String DEFAULT_ENABLED = Parameters.DEFAULT_ENABLED;
    /** Where conversions wait for delivery; default: the container's temp dir + {@code /helloretail-outbox}. */
    public static final String PARAM_OUTBOX_DIRECTORY = Parameters.PARAM_OUTBOX_DIRECTORY;
    /**
     * The JNDI name of the shop's {@code javax.sql.DataSource} ({@code java:comp/env/jdbc/shop}):
     * conversions wait in a table of the shop's database instead of {@link #PARAM_OUTBOX_DIRECTORY},
     * so that every node of a shop of several may take and deliver them; default: none.
     */
    public static final String PARAM_OUTBOX_DATA_SOURCE = Parameters.PARAM_OUTBOX_DATA_SOURCE;
    /**
     * The {@link #PARAM_OUTBOX_DATA_SOURCE}'s table, optionally after its schema and a dot;
     * default {@code helloretail_outbox} in the connection's default schema.
     */
    public static final String PARAM_OUTBOX_TABLE = Parameters.PARAM_OUTBOX_TABLE;
    public static final String DEFAULT_OUTBOX_TABLE = Parameters.DEFAULT_OUTBOX_TABLE;
    /**
     * Most page view requests in flight at once (1 to 64). They share the client's one or two I/O
     * threads: none is started per request. Page views per second that can be delivered ≈ this /
     * the round-trip time to Hello Retail.
     */
    public static final String PARAM_MAX_REQUESTS_IN_FLIGHT = Parameters.PARAM_MAX_REQUESTS_IN_FLIGHT;
    public static final String DEFAULT_MAX_REQUESTS_IN_FLIGHT = Parameters.DEFAULT_MAX_REQUESTS_IN_FLIGHT;
    /**
     * The old name of {@link #PARAM_MAX_REQUESTS_IN_FLIGHT}, still read; a WARN at start names the new
     * one, and setting both fails the deployment.
     *
     * @deprecated use {@link #PARAM_MAX_REQUESTS_IN_FLIGHT}
     */
    @Deprecated
    public static final String PARAM_SENDER_THREADS = Parameters.PARAM_SENDER_THREADS;
    /** @deprecated use {@link #DEFAULT_MAX_REQUESTS_IN_FLIGHT} */
    @Deprecated
    public static final String DEFAULT_SENDER_THREADS = Parameters.DEFAULT_MAX_REQUESTS_IN_FLIGHT;
    /**
     * Most conversion requests in flight at once from this node (1 to 256). Conversions per
     * second that can be delivered ≈ this / the round-trip time to Hello Retail.
     */
    public static final String PARAM_MAX_CONVERSIONS_IN_FLIGHT = Parameters.PARAM_MAX_CONVERSIONS_IN_FLIGHT;
    public static final String DEFAULT_MAX_CONVERSIONS_IN_FLIGHT = Parameters.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT;
    /** A trust store file (PKCS12 or JKS) for an https endpoint with a private CA; default: the JVM's. */
    public static final String PARAM_TRUST_STORE = Parameters.PARAM_TRUST_STORE;
    /** The trust store's password, if it has one; never logged. */
    public static final String PARAM_TRUST_STORE_PASSWORD = Parameters.PARAM_TRUST_STORE_PASSWORD;
    /** A regex on the request path (within the application) with a named group {@code productNumber}. */
    public static final String PARAM_PRODUCT_NUMBER_PATTERN = Parameters.PARAM_PRODUCT_NUMBER_PATTERN;
    /**
     * The name of a query parameter that carries the product number on product pages
     * ({@code /catalog/viewProduct?productId=FI-SW-01}); after the request attribute and the pattern.
     */
    public static final String PARAM_PRODUCT_NUMBER_PARAMETER = Parameters.PARAM_PRODUCT_NUMBER_PARAMETER;
    /** Comma-separated path globs not tracked; replaces the default list of static assets. */
    public static final String PARAM_EXCLUDE_PATHS = Parameters.PARAM_EXCLUDE_PATHS;
    public static final String DEFAULT_EXCLUDE_PATHS = Parameters.DEFAULT_EXCLUDE_PATHS;
    /**
     * Comma-separated names of query parameters taken out of every URL a page view sends
     * ({@code location}, {@code referrer}, {@code url}), the whole {@code name=value} pair;
     * matched in any case, also percent-encoded. Setting it replaces the default list, as
     * {@link #PARAM_EXCLUDE_PATHS} does, so that a shop can also keep a name it needs (start from
     * {@link #DEFAULT_REMOVE_QUERY_PARAMETERS} to extend it); {@code none} removes none (an empty
     * value is no value, as for every parameter: the default). Path parameters
     * ({@code ;jsessionid=...}) are removed whatever it says.
     */
    public static final String PARAM_REMOVE_QUERY_PARAMETERS = Parameters.PARAM_REMOVE_QUERY_PARAMETERS;
    /**
     * Tokens, passwords, OAuth's {@code code}, {@code state} and {@code client_secret}, session
     * ids, API keys and the signatures of signed links: the names that carry secrets in the links
     * shops and their services send.
     */
    public static final String DEFAULT_REMOVE_QUERY_PARAMETERS = Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS;
    /** {@code scheme://host[:port]} the visitor sees, when the shop runs behind a proxy. */
    public static final String PARAM_PUBLIC_BASE_URL = Parameters.PARAM_PUBLIC_BASE_URL;
    /** {@code true}: take scheme, host and port from {@code Forwarded} / {@code X-Forwarded-*}. */
    public static final String PARAM_TRUST_FORWARDED_HEADERS = Parameters.PARAM_TRUST_FORWARDED_HEADERS;
    public static final String DEFAULT_TRUST_FORWARDED_HEADERS = Parameters.DEFAULT_TRUST_FORWARDED_HEADERS;
    /** {@code name} or {@code name=value}: when set, no tracking without that cookie. */
    public static final String PARAM_CONSENT_COOKIE = Parameters.PARAM_CONSENT_COOKIE;
    /** {@code true}: a visitor sending {@code Sec-GPC: 1} is not tracked. */
    public static final String PARAM_HONOR_GLOBAL_PRIVACY_CONTROL = Parameters.PARAM_HONOR_GLOBAL_PRIVACY_CONTROL;
    public static final String DEFAULT_HONOR_GLOBAL_PRIVACY_CONTROL = Parameters.DEFAULT_HONOR_GLOBAL_PRIVACY_CONTROL;
    /** {@code true}: visitors without an id get one from Hello Retail (shops with no Hello Retail script). */
    public static final String PARAM_CREATE_TRACKING_USER = Parameters.PARAM_CREATE_TRACKING_USER;
    public static final String DEFAULT_CREATE_TRACKING_USER = Parameters.DEFAULT_CREATE_TRACKING_USER;
    /** {@code false}: the jar's web-fragment.xml does not add the filter by itself. */
    public static final String PARAM_INSTALL_FILTER = Parameters.PARAM_INSTALL_FILTER;
    public static final String DEFAULT_INSTALL_FILTER = Parameters.DEFAULT_INSTALL_FILTER;

    /** Request attribute: the product shown on this page (wins over the pattern and the parameter). */
    public static final String ATTRIBUTE_PRODUCT_NUMBER = Parameters.ATTRIBUTE_PRODUCT_NUMBER;
    /** Request attribute: the page's canonical URL, sent as {@code url}. */
    public static final String ATTRIBUTE_CANONICAL_URL = Parameters.ATTRIBUTE_CANONICAL_URL;
    /** Request attribute: {@code Boolean.TRUE} means this request is not tracked. */
    public static final String ATTRIBUTE_SKIP = Parameters.ATTRIBUTE_SKIP;

    // Only translates between the servlet API and the servlet-free decision (PageViews): decide
    // nothing here. The javax build compiles this very file, with the servlet package replaced.
    private PageViews pageViews;

    @Override
    public void init(FilterConfig config) throws ServletException {
        try {
            pageViews = PageViews.start(new ServletWebApp(config.getServletContext()), config.getFilterName(),
                    WebTracking.params(config.getInitParameterNames(), config::getInitParameter));
        } catch (RuntimeException e) {
            throw new ServletException("Hello Retail's PageViewFilter cannot start: " + e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        ServletExchange exchange = new ServletExchange(request, response);
        PageViews.Visit visit = pageViews.begin(exchange);
        // The shop's exceptions pass through as they are; a failed request is not a page view.
        chain.doFilter(request, response);
        if (visit == null) {
            return;
        }
        try {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new Completion(pageViews, visit, exchange));
            } else {
                pageViews.finish(visit, exchange);
            }
        } catch (RuntimeException e) {
            pageViews.failed(e);
        }
    }

    /** Decides an async request when it completes; follows it into a new async cycle. */
    private record Completion(PageViews pageViews, PageViews.Visit visit, ServletExchange exchange)
            implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            pageViews.finish(visit, exchange);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    @Override
    public void destroy() {
        if (pageViews != null) {
            pageViews.close();
            pageViews = null;
        }
    }
}
