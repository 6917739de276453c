package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.Parameters.ATTRIBUTE_CANONICAL_URL;
import static io.github.helloretail4j.servlet.Parameters.ATTRIBUTE_PRODUCT_NUMBER;
import static io.github.helloretail4j.servlet.Parameters.ATTRIBUTE_SKIP;
import static io.github.helloretail4j.servlet.Parameters.ENABLED;
import static io.github.helloretail4j.servlet.Parameters.EXCLUDE_PATHS;
import static io.github.helloretail4j.servlet.Parameters.HONOR_GLOBAL_PRIVACY_CONTROL;
import static io.github.helloretail4j.servlet.Parameters.PRODUCT_NUMBER_PARAMETER;
import static io.github.helloretail4j.servlet.Parameters.PRODUCT_NUMBER_PATTERN;
import static io.github.helloretail4j.servlet.Parameters.PUBLIC_BASE_URL;
import static io.github.helloretail4j.servlet.Parameters.REMOVE_QUERY_PARAMETERS;
import static io.github.helloretail4j.servlet.Parameters.TRUST_FORWARDED_HEADERS;

import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.Urls;
import io.github.helloretail4j.internal.CheckedEvents;
import io.github.helloretail4j.internal.TrackerAccess;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page-view decision, servlet-free: which requests are page views, and the page view each
 * one gives. Both servlet layers' {@code PageViewFilter} only hand it a {@link WebExchange} and
 * call, around the application's own code, {@link #begin} (what needs no response: method,
 * path, headers, bots, consent, location, id, referrer) and {@link #finish} (what needs the
 * response and the shop's request attributes: status, content type, skip, product number). One
 * instance per filter.
 *
 * <p>Neither method throws: a failure of this code is counted, logged once, and the request
 * goes on untracked.
 */
final class PageViews {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.filter");
    /** Set on the visitor's request once seen, so a FORWARD or ASYNC pass through the filter again is not a second view. */
    static final String SEEN = "io.github.helloretail4j.servlet.PageViewFilter.SEEN";
    private static final long COOKIE_MAX_AGE = Duration.ofDays(365).toSeconds();
    /** The cookie date of RFC 6265 (IMF-fixdate), in English whatever the JVM's locale. */
    private static final DateTimeFormatter COOKIE_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    /**
     * Failures of the decision's own code, all instances together: only the first is logged at
     * WARN, so the tests count them here to prove that no request makes the filter fail.
     */
    static final LongAdder FAILURES = new LongAdder();

    private final Settings settings;
    // What every request reads, read from the settings once.
    private final boolean enabled;
    private final PathGlobs excludePaths;
    private final boolean honorGlobalPrivacyControl;
    private final boolean trustForwardedHeaders;
    private final String publicBaseUrl;
    private final UrlCleaner.Names removeQueryParameters;
    private final java.util.regex.Pattern productNumberPattern;
    private final String productNumberParameter;
    private final WebTracking web;
    private final boolean ownsTracker;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private final AtomicBoolean attributeProblemLogged = new AtomicBoolean();

    /** What is known of a page request before the shop's code runs; {@code trackingUserId} null when the visitor has none. */
    record Visit(String location, String referrer, String trackingUserId, String path, String queryString) {
    }

    private PageViews(Settings settings, WebTracking web, boolean ownsTracker) {
        this.settings = settings;
        this.enabled = settings.get(ENABLED);
        this.excludePaths = settings.get(EXCLUDE_PATHS);
        this.honorGlobalPrivacyControl = settings.get(HONOR_GLOBAL_PRIVACY_CONTROL);
        this.trustForwardedHeaders = settings.get(TRUST_FORWARDED_HEADERS);
        this.publicBaseUrl = settings.get(PUBLIC_BASE_URL);
        this.removeQueryParameters = settings.get(REMOVE_QUERY_PARAMETERS);
        this.productNumberPattern = settings.get(PRODUCT_NUMBER_PATTERN);
        this.productNumberParameter = settings.get(PRODUCT_NUMBER_PARAMETER);
        this.web = web;
        this.ownsTracker = ownsTracker;
    }

    /**
     * A filter's decision, from its init-params and the application's context-params: with the
     * application's tracker when the listener made one, else with a tracker of its own.
     *
     * @throws IllegalArgumentException naming the parameter, where it was found and the value
     */
    static PageViews start(WebApp app, String filterName, Map<String, String> initParams) {
        WebTracking web = WebTracking.get(app);
        if (web != null && !web.ownsTracker) {
            // A framework (the Spring Boot starter) read every parameter already, from its own
            // configuration: system properties, environment and context-params are its business.
            for (String name : initParams.keySet()) {
                if (name.toLowerCase(Locale.ROOT).startsWith("helloretail.")) {
                    throw new IllegalArgumentException("filter " + filterName + " has the init-param " + Messages.echo(name)
                            + ", but this application's Hello Retail settings come from its framework's configuration"
                            + " (Spring Boot: the helloretail.* properties); set it there");
                }
            }
            return new PageViews(web.settings, web, false);
        }
        Settings settings = Settings.resolve(Settings.Sources.of(initParams, app.initParameters()));
        if (web == null) {
            return new PageViews(settings, WebTracking.start(app, settings), true);
        }
        if (!web.settings.sameTracker(settings)) {
            throw new IllegalArgumentException("filter " + filterName + " has init-params for the tracker ("
                    + settings.describe() + ") that differ from the web application's (" + web.settings.describe()
                    + "); set them as context-params");
        }
        // The application's settings reported their own deprecated names when its tracker started.
        settings.deprecations(true).forEach(LOG::warn);
        return new PageViews(settings, web, false);
    }

    /** Closes the tracker when this filter made it. */
    void close() {
        if (ownsTracker) {
            web.close();
        }
    }

    /**
     * Before the application's code: the visit when this request may be a page view, else null
     * (not the visitor's own dispatch, seen before, not a GET, excluded, a bot, a prefetch, no
     * consent). A visit without a tracking id is one the visitor has no id for: it is counted,
     * not tracked. Sets the id cookie when this visitor gets a new id. Never throws.
     */
    Visit begin(WebExchange exchange) {
        try {
            if (!enabled || !exchange.isRequestDispatch() || exchange.attribute(SEEN) != null) {
                return null;
            }
            exchange.setAttribute(SEEN, Boolean.TRUE);
            return visit(exchange);
        } catch (RuntimeException e) {
            failed(e);
            return null;
        }
    }

    private Visit visit(WebExchange exchange) {
        if (!"GET".equals(exchange.method())) {
            return null;
        }
        // Without path parameters: a container may have written the visitor's session id into the
        // URL (;jsessionid=...), and the product number pattern should not have to expect one.
        String uri = UrlCleaner.path(exchange.requestUri());
        String contextPath = UrlCleaner.path(exchange.contextPath());
        String path = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
        if (excludePaths.matches(path)
                || PageViewRules.isNotANavigation(exchange.header("Sec-Purpose"), exchange.header("Purpose"),
                        exchange.header("X-Moz"), exchange.header("X-Purpose"),
                        exchange.header("X-Requested-With"), exchange.header("Sec-Fetch-Dest"))
                || Bots.isBot(exchange.header("User-Agent"))
                || (honorGlobalPrivacyControl && PageViewRules.isGlobalPrivacyControl(exchange.header("Sec-GPC")))) {
            return null;
        }
        if (!WebTracking.hasConsent(exchange, settings)) {
            return null;
        }
        boolean trust = trustForwardedHeaders;
        String base = publicBaseUrl != null ? publicBaseUrl
                : Locations.baseUrl(null, trust, new Locations.Origin(
                        exchange.scheme(), exchange.serverName(), exchange.serverPort(),
                        trust ? exchange.header("Forwarded") : null,
                        trust ? exchange.header("X-Forwarded-Proto") : null,
                        trust ? exchange.header("X-Forwarded-Host") : null,
                        trust ? exchange.header("X-Forwarded-Port") : null));
        if (base == null) {
            return null;
        }
        String query = UrlCleaner.query(exchange.queryString(), removeQueryParameters);
        String location = Locations.location(base, uri, query);
        if (!isValidLocation(base, uri, location)) {
            return null;
        }
        String id = WebTracking.cookieId(exchange);
        if (id == null && web.ids != null) {
            id = web.ids.take().orElse(null);
            if (id != null) {
                exchange.addHeader("Set-Cookie", idCookie(id, base.startsWith("https:")));
            }
        }
        if (id == null) {
            // a page view but for the id: finish() counts it once it knows the answer is a page
            return new Visit(location, null, null, path, query);
        }
        exchange.setAttribute(WebTracking.TRACKING_USER_ID_ATTRIBUTE, id);
        String referrer = exchange.header("Referer");
        if (referrer != null) {
            // The page before may be this shop's own, with the same secrets in its URL.
            referrer = UrlCleaner.url(referrer, removeQueryParameters);
            if (Urls.urlProblem(referrer) != null) {
                referrer = null;
            }
        }
        return new Visit(location, referrer, id, path, query);
    }

    /**
     * After the application's code (for an async request: when it completed): queues the page
     * view when the answer is a successful HTML page the shop did not skip. Never throws.
     */
    void finish(Visit visit, WebExchange exchange) {
        try {
            if (!PageViewRules.isSuccess(exchange.status()) || !PageViewRules.isHtml(exchange.contentType())) {
                return;
            }
            Object skip = exchange.attribute(ATTRIBUTE_SKIP);
            if (Boolean.TRUE.equals(skip) || "true".equals(skip)) {
                return;
            }
            if (visit.trackingUserId() == null) {
                TrackerAccess.engine(web.tracker).pageViewWithoutVisitorId();
                return;
            }
            String productNumber = attribute(exchange, ATTRIBUTE_PRODUCT_NUMBER, false);
            if (productNumber == null) {
                productNumber = PageViewRules.productNumber(productNumberPattern, visit.path());
            }
            if (productNumber == null) {
                productNumber = PageViewRules.productNumberFromQuery(visit.queryString(), productNumberParameter);
            }
            // Every field was checked as it was read (visit(), attribute(), productNumber...()).
            web.tracker.trackPageView(CheckedEvents.pageView(visit.trackingUserId(), visit.location(),
                    visit.referrer(), attribute(exchange, ATTRIBUTE_CANONICAL_URL, true), productNumber));
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /**
     * A string attribute set by the shop, or null; a malformed one is left out and logged once.
     * A URL loses what {@link UrlCleaner} takes out, as the location does.
     */
    private String attribute(WebExchange exchange, String name, boolean url) {
        Object value = exchange.attribute(name);
        if (value == null) {
            return null;
        }
        String s = url ? UrlCleaner.url(value.toString(), removeQueryParameters) : value.toString();
        String problem = url ? Urls.urlProblem(s) : Fields.textProblem(s);
        if (problem == null) {
            return s;
        }
        if (attributeProblemLogged.compareAndSet(false, true)) {
            LOG.warn("request attribute {} must be {}: {}; it is left out of the page view (logged once)",
                    name, problem, Messages.echo(s));
        }
        return null;
    }

    /**
     * What {@code Urls.urlProblem(location)} would say, without reading the whole URL again on
     * every request: {@link Locations#location} percent-encodes whatever a URL may not hold, so
     * behind a path that starts with '/' only the length and the base can be wrong, and
     * {@code publicBaseUrl} was checked at start.
     */
    private boolean isValidLocation(String base, String uri, String location) {
        if (location.length() > Urls.MAX_URL_LENGTH) {
            return false;
        }
        if (!uri.startsWith("/")) {
            return Urls.urlProblem(location) == null;
        }
        return publicBaseUrl != null || Urls.urlProblem(base) == null;
    }

    /**
     * The {@code hello_retail_id} cookie for a new id, one year, for the whole site. Written as
     * the header itself, so that {@code SameSite} is set the same way on Servlet 3.1 (whose
     * {@code Cookie} has no attributes) as on Servlet 6. Not HttpOnly: Hello Retail's script
     * reads it.
     */
    static String idCookie(String id, boolean secure) {
        String expires = COOKIE_DATE.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(COOKIE_MAX_AGE));
        return WebTracking.COOKIE_NAME + "=" + id + "; Max-Age=" + COOKIE_MAX_AGE + "; Expires=" + expires
                + "; Path=/" + (secure ? "; Secure" : "") + "; SameSite=Lax";
    }

    /** Counts and logs a failure of this code; the first at WARN. */
    void failed(RuntimeException e) {
        FAILURES.increment();
        if (failureLogged.compareAndSet(false, true)) {
            LOG.warn("Hello Retail page view tracking failed; the request went on untracked (logged once)", e);
        } else {
            LOG.debug("Hello Retail page view tracking failed", e);
        }
    }
}
