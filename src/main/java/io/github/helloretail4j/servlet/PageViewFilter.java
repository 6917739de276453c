package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Check;
import io.github.helloretail4j.internal.CheckedEvents;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * {@code PARAM_*} constants and their {@code DEFAULT_*}. An unknown {@code helloretail.*}
 * parameter or a bad value fails the deployment with a message naming it.
 *
 * <h2>Request attributes</h2>
 * {@value #ATTRIBUTE_PRODUCT_NUMBER} (the product shown; wins over the pattern),
 * {@value #ATTRIBUTE_CANONICAL_URL} (sent as {@code url}), {@value #ATTRIBUTE_SKIP}
 * ({@code Boolean.TRUE}: do not track).
 */
public final class PageViewFilter implements Filter {

    /** Required: the shop's website UUID. */
    public static final String PARAM_WEBSITE_UUID = "helloretail.websiteUuid";
    /** Base URL of the collect API; https, or http on a loopback address. */
    public static final String PARAM_ENDPOINT = "helloretail.endpoint";
    public static final String DEFAULT_ENDPOINT = HelloRetailTracker.DEFAULT_ENDPOINT.toString();
    /** {@code false}: nothing is tracked or sent. */
    public static final String PARAM_ENABLED = "helloretail.enabled";
    public static final String DEFAULT_ENABLED = "true";
    /** Where conversions wait for delivery; default: the container's temp dir + {@code /helloretail-outbox}. */
    public static final String PARAM_OUTBOX_DIRECTORY = "helloretail.outboxDirectory";
    /**
     * Most threads delivering page views (1 to 64), each with one request in flight; they start
     * as the backlog calls for them. Page views per second that can be delivered ≈ this / the
     * round-trip time to Hello Retail.
     */
    public static final String PARAM_SENDER_THREADS = "helloretail.senderThreads";
    public static final String DEFAULT_SENDER_THREADS = String.valueOf(HelloRetailTracker.DEFAULT_SENDER_THREADS);
    /** A trust store file (PKCS12 or JKS) for an https endpoint with a private CA; default: the JVM's. */
    public static final String PARAM_TRUST_STORE = "helloretail.trustStore";
    /** The trust store's password, if it has one; never logged. */
    public static final String PARAM_TRUST_STORE_PASSWORD = "helloretail.trustStorePassword";
    /** A regex on the request path (within the application) with a named group {@code productNumber}. */
    public static final String PARAM_PRODUCT_NUMBER_PATTERN = "helloretail.productNumberPattern";
    /** Comma-separated path globs not tracked; replaces the default list of static assets. */
    public static final String PARAM_EXCLUDE_PATHS = "helloretail.excludePaths";
    public static final String DEFAULT_EXCLUDE_PATHS = PathGlobs.DEFAULT;
    /** {@code scheme://host[:port]} the visitor sees, when the shop runs behind a proxy. */
    public static final String PARAM_PUBLIC_BASE_URL = "helloretail.publicBaseUrl";
    /** {@code true}: take scheme, host and port from {@code Forwarded} / {@code X-Forwarded-*}. */
    public static final String PARAM_TRUST_FORWARDED_HEADERS = "helloretail.trustForwardedHeaders";
    public static final String DEFAULT_TRUST_FORWARDED_HEADERS = "false";
    /** {@code name} or {@code name=value}: when set, no tracking without that cookie. */
    public static final String PARAM_CONSENT_COOKIE = "helloretail.consentCookie";
    /** {@code true}: a visitor sending {@code Sec-GPC: 1} is not tracked. */
    public static final String PARAM_HONOR_GLOBAL_PRIVACY_CONTROL = "helloretail.honorGlobalPrivacyControl";
    public static final String DEFAULT_HONOR_GLOBAL_PRIVACY_CONTROL = "false";
    /** {@code true}: visitors without an id get one from Hello Retail (shops with no Hello Retail script). */
    public static final String PARAM_CREATE_TRACKING_USER = "helloretail.createTrackingUser";
    public static final String DEFAULT_CREATE_TRACKING_USER = "false";
    /** {@code false}: the jar's web-fragment.xml does not add this filter by itself. */
    public static final String PARAM_INSTALL_FILTER = "helloretail.installFilter";
    public static final String DEFAULT_INSTALL_FILTER = "true";

    /** Request attribute: the product shown on this page (wins over the pattern). */
    public static final String ATTRIBUTE_PRODUCT_NUMBER = "helloretail.productNumber";
    /** Request attribute: the page's canonical URL, sent as {@code url}. */
    public static final String ATTRIBUTE_CANONICAL_URL = "helloretail.canonicalUrl";
    /** Request attribute: {@code Boolean.TRUE} means this request is not tracked. */
    public static final String ATTRIBUTE_SKIP = "helloretail.skip";

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j");
    private static final String SEEN = PageViewFilter.class.getName() + ".SEEN";
    private static final int COOKIE_MAX_AGE = (int) Duration.ofDays(365).toSeconds();
    /**
     * Failures of the filter's own code, all instances together: only the first is logged at
     * WARN, so the tests count them here to prove that no request makes the filter fail.
     */
    static final LongAdder FAILURES = new LongAdder();

    private Settings settings;
    private WebTracking web;
    private boolean ownsTracker;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private final AtomicBoolean attributeProblemLogged = new AtomicBoolean();

    /** What is known of a page request before the shop's code runs. */
    private record Visit(String location, String referrer, String trackingUserId, String path) {
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        Map<String, String> initParams = WebTracking.params(config.getInitParameterNames(), config::getInitParameter);
        try {
            settings = Settings.resolve(Settings.Sources.of(initParams,
                    WebTracking.contextParams(config.getServletContext())));
            web = WebTracking.get(config.getServletContext());
            if (web == null) {
                web = WebTracking.start(config.getServletContext(), settings);
                ownsTracker = true;
            } else if (!web.settings.sameTracker(settings)) {
                throw new IllegalArgumentException("filter " + config.getFilterName() + " has init-params for the"
                        + " tracker (" + settings.describe() + ") that differ from the web application's ("
                        + web.settings.describe() + "); set them as context-params");
            }
        } catch (RuntimeException e) {
            throw new ServletException("Hello Retail's PageViewFilter cannot start: " + e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || !settings.enabled || request.getDispatcherType() != DispatcherType.REQUEST
                || request.getAttribute(SEEN) != null) {
            chain.doFilter(req, res);
            return;
        }
        Visit visit = null;
        try {
            request.setAttribute(SEEN, Boolean.TRUE);
            visit = begin(request, response);
        } catch (RuntimeException e) {
            failed(e);
        }
        // The shop's exceptions pass through as they are; a failed request is not a page view.
        chain.doFilter(request, response);
        if (visit == null) {
            return;
        }
        try {
            if (request.isAsyncStarted()) {
                Visit v = visit;
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        try {
                            finish(v, request, response);
                        } catch (RuntimeException e) {
                            failed(e);
                        }
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
                });
            } else {
                finish(visit, request, response);
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** The checks that need no response; null when this request is not a page view. */
    private Visit begin(HttpServletRequest request, HttpServletResponse response) {
        if (!"GET".equals(request.getMethod())) {
            return null;
        }
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        String path = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
        if (settings.excludePaths.matches(path)
                || PageViewRules.isNotANavigation(request.getHeader("Sec-Purpose"), request.getHeader("Purpose"),
                        request.getHeader("X-Moz"), request.getHeader("X-Purpose"),
                        request.getHeader("X-Requested-With"), request.getHeader("Sec-Fetch-Dest"))
                || Bots.isBot(request.getHeader("User-Agent"))
                || (settings.honorGlobalPrivacyControl && PageViewRules.isGlobalPrivacyControl(request.getHeader("Sec-GPC")))) {
            return null;
        }
        Cookie[] cookies = request.getCookies();
        if (!HelloRetailWeb.hasConsent(cookies, settings)) {
            return null;
        }
        String base = settings.publicBaseUrl != null ? settings.publicBaseUrl
                : Locations.baseUrl(null, settings.trustForwardedHeaders, new Locations.Origin(
                        request.getScheme(), request.getServerName(), request.getServerPort(),
                        settings.trustForwardedHeaders ? request.getHeader("Forwarded") : null,
                        settings.trustForwardedHeaders ? request.getHeader("X-Forwarded-Proto") : null,
                        settings.trustForwardedHeaders ? request.getHeader("X-Forwarded-Host") : null,
                        settings.trustForwardedHeaders ? request.getHeader("X-Forwarded-Port") : null));
        if (base == null) {
            return null;
        }
        String location = Locations.location(base, uri, request.getQueryString());
        if (!isValidLocation(base, uri, location)) {
            return null;
        }
        String id = HelloRetailWeb.cookieId(cookies);
        if (id == null && web.ids != null) {
            id = web.ids.take().orElse(null);
            if (id != null) {
                setCookie(response, id, base.startsWith("https:"));
            }
        }
        if (id == null) {
            return null;
        }
        request.setAttribute(HelloRetailWeb.TRACKING_USER_ID_ATTRIBUTE, id);
        String referrer = request.getHeader("Referer");
        if (referrer != null && Check.urlProblem(referrer) != null) {
            referrer = null;
        }
        return new Visit(location, referrer, id, path);
    }

    /** The checks that need the response and the shop's attributes; queues the page view. */
    private void finish(Visit visit, HttpServletRequest request, HttpServletResponse response) {
        if (!PageViewRules.isSuccess(response.getStatus()) || !PageViewRules.isHtml(response.getContentType())) {
            return;
        }
        Object skip = request.getAttribute(ATTRIBUTE_SKIP);
        if (Boolean.TRUE.equals(skip) || "true".equals(skip)) {
            return;
        }
        String productNumber = attribute(request, ATTRIBUTE_PRODUCT_NUMBER, false);
        if (productNumber == null) {
            productNumber = PageViewRules.productNumber(settings.productNumberPattern, visit.path());
        }
        // Every field was checked as it was read (begin(), attribute(), productNumber()).
        web.tracker.trackPageView(CheckedEvents.pageView(visit.trackingUserId(), visit.location(), visit.referrer(),
                attribute(request, ATTRIBUTE_CANONICAL_URL, true), productNumber));
    }

    /** A string attribute set by the shop, or null; a malformed one is left out and logged once. */
    private String attribute(HttpServletRequest request, String name, boolean url) {
        Object value = request.getAttribute(name);
        if (value == null) {
            return null;
        }
        String s = value.toString();
        String problem = url ? Check.urlProblem(s) : Check.textProblem(s);
        if (problem == null) {
            return s;
        }
        if (attributeProblemLogged.compareAndSet(false, true)) {
            LOG.warn("request attribute {} must be {}: {}; it is left out of the page view (logged once)",
                    name, problem, Check.echo(s));
        }
        return null;
    }

    /**
     * What {@code Check.urlProblem(location)} would say, without reading the whole URL again on
     * every request: {@link Locations#location} percent-encodes whatever a URL may not hold, so
     * behind a path that starts with '/' only the length and the base can be wrong, and
     * {@code publicBaseUrl} was checked at start.
     */
    private boolean isValidLocation(String base, String uri, String location) {
        if (location.length() > Check.MAX_URL_LENGTH) {
            return false;
        }
        if (!uri.startsWith("/")) {
            return Check.urlProblem(location) == null;
        }
        return settings.publicBaseUrl != null || Check.urlProblem(base) == null;
    }

    private static void setCookie(HttpServletResponse response, String id, boolean secure) {
        Cookie cookie = new Cookie(HelloRetailWeb.COOKIE_NAME, id);
        cookie.setPath("/");
        cookie.setMaxAge(COOKIE_MAX_AGE);
        cookie.setSecure(secure);
        cookie.setAttribute("SameSite", "Lax");
        response.addCookie(cookie);
    }

    private void failed(RuntimeException e) {
        FAILURES.increment();
        if (failureLogged.compareAndSet(false, true)) {
            LOG.warn("Hello Retail page view tracking failed; the request went on untracked (logged once)", e);
        } else {
            LOG.debug("Hello Retail page view tracking failed", e);
        }
    }

    @Override
    public void destroy() {
        if (ownsTracker && web != null) {
            web.close();
        }
        web = null;
    }
}
