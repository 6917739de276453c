package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.internal.Setting.Kind.FLAG;
import static io.github.helloretail4j.servlet.internal.Setting.Kind.LIST;
import static io.github.helloretail4j.servlet.internal.Setting.Kind.NUMBER;
import static io.github.helloretail4j.servlet.internal.Setting.Kind.TEXT;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Urls;
import io.github.helloretail4j.internal.Engine;
import io.github.helloretail4j.servlet.internal.Setting;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Every {@code helloretail.*} parameter, once: its name and default (the {@code PARAM_*} and
 * {@code DEFAULT_*} constants, which {@code PageViewFilter} publishes), and its {@link Setting}:
 * how a value is read, whether it configures the tracker, one line of meaning. {@link Settings}
 * reads, reports and compares parameters from this table alone, the Spring Boot starter binds its
 * properties from it, and tests hold the parameter tables of docs/servlet-filter.md and the
 * starter's metadata to it. The rules that join several parameters follow the table, each stated
 * once. Adding a parameter is a row here (and a property with its Javadoc in the starter, a row in
 * docs/servlet-filter.md: tests say so; CONTRIBUTING.md has the steps).
 */
final class Parameters {

    /** A rule across several parameters, checked once every parameter has been read. */
    @FunctionalInterface
    interface Rule {
        /** @throws io.github.helloretail4j.servlet.internal.InvalidSettingException when it is broken */
        void check(Setting.Context settings);
    }

    static final String PARAM_WEBSITE_UUID = "helloretail.websiteUuid";
    static final Setting<String> WEBSITE_UUID = Setting.of(PARAM_WEBSITE_UUID, TEXT, Parameters::websiteUuid)
            .trackerWide().builds(HelloRetailTracker.Builder::websiteUuid)
            .meaning("the shop's website UUID; required unless enabled is false").build();

    static final String PARAM_ENDPOINT = "helloretail.endpoint";
    static final String DEFAULT_ENDPOINT = HelloRetailTracker.DEFAULT_ENDPOINT.toString();
    static final Setting<URI> ENDPOINT = Setting.of(PARAM_ENDPOINT, TEXT, Parameters::endpoint)
            .defaultValue(DEFAULT_ENDPOINT).trackerWide().builds(HelloRetailTracker.Builder::endpoint)
            .meaning("base URL of the collect API; https, or http on a loopback address").build();

    static final String PARAM_ENABLED = "helloretail.enabled";
    static final String DEFAULT_ENABLED = "true";
    static final Setting<Boolean> ENABLED = Setting.of(PARAM_ENABLED, FLAG, Parameters::bool)
            .defaultValue(DEFAULT_ENABLED).trackerWide().builds(HelloRetailTracker.Builder::enabled)
            .meaning("false: nothing is tracked or sent, and no order feed is registered").build();

    static final String PARAM_OUTBOX_DIRECTORY = "helloretail.outboxDirectory";
    static final Setting<Path> OUTBOX_DIRECTORY = Setting.of(PARAM_OUTBOX_DIRECTORY, TEXT, Parameters::absolutePath)
            .trackerWide().unset("(the container's temp directory)")
            .meaning("where conversions wait for delivery; an absolute path").build();

    static final String PARAM_OUTBOX_DATA_SOURCE = "helloretail.outboxDataSource";
    static final Setting<String> OUTBOX_DATA_SOURCE = Setting.of(PARAM_OUTBOX_DATA_SOURCE, TEXT, (v, c) -> v)
            .trackerWide().frameworkFlag()
            .meaning("the JNDI name of the shop's DataSource whose table keeps conversions, instead of the outbox"
                    + " directory, for shops of several nodes").build();

    static final String PARAM_OUTBOX_TABLE = "helloretail.outboxTable";
    static final String DEFAULT_OUTBOX_TABLE = Engine.DEFAULT_OUTBOX_TABLE;
    static final Setting<String> OUTBOX_TABLE = Setting.of(PARAM_OUTBOX_TABLE, TEXT, Parameters::outboxTable)
            .defaultValue(DEFAULT_OUTBOX_TABLE).trackerWide().servletOnly()
            .meaning("the outbox DataSource's table, optionally schema.table; created when missing").build();

    static final String PARAM_MAX_REQUESTS_IN_FLIGHT = "helloretail.maxRequestsInFlight";
    static final String DEFAULT_MAX_REQUESTS_IN_FLIGHT = String.valueOf(HelloRetailTracker.DEFAULT_MAX_REQUESTS_IN_FLIGHT);
    static final Setting<Integer> MAX_REQUESTS_IN_FLIGHT = Setting.of(PARAM_MAX_REQUESTS_IN_FLIGHT, NUMBER,
                    (v, c) -> wholeNumber(v, 1, 64))
            .defaultValue(DEFAULT_MAX_REQUESTS_IN_FLIGHT).trackerWide()
            .builds(HelloRetailTracker.Builder::maxRequestsInFlight)
            .meaning("most page view requests in flight at once; page views/s ≈ this / the round trip").build();

    /** The old name of {@link #PARAM_MAX_REQUESTS_IN_FLIGHT}, from when each request had a thread. */
    static final String PARAM_SENDER_THREADS = "helloretail.senderThreads";
    static final Setting<Integer> SENDER_THREADS = Setting.deprecatedName(PARAM_SENDER_THREADS, MAX_REQUESTS_IN_FLIGHT);

    static final String PARAM_MAX_CONVERSIONS_IN_FLIGHT = "helloretail.maxConversionsInFlight";
    static final String DEFAULT_MAX_CONVERSIONS_IN_FLIGHT =
            String.valueOf(HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT);
    static final Setting<Integer> MAX_CONVERSIONS_IN_FLIGHT = Setting.of(PARAM_MAX_CONVERSIONS_IN_FLIGHT, NUMBER,
                    (v, c) -> wholeNumber(v, 1, 256))
            .defaultValue(DEFAULT_MAX_CONVERSIONS_IN_FLIGHT).trackerWide()
            .builds(HelloRetailTracker.Builder::maxConversionsInFlight)
            .meaning("most conversion requests in flight at once from this node; conversions/s ≈ this / the round"
                    + " trip").build();

    static final String PARAM_TRUST_STORE_PASSWORD = "helloretail.trustStorePassword";
    static final Setting<String> TRUST_STORE_PASSWORD = Setting.of(PARAM_TRUST_STORE_PASSWORD, TEXT, (v, c) -> v)
            .trackerWide().secret()
            .meaning("the trust store's password, if it has one; never logged").build();

    static final String PARAM_TRUST_STORE = "helloretail.trustStore";
    static final Setting<TrustStore> TRUST_STORE = Setting.of(PARAM_TRUST_STORE, TEXT, Parameters::trustStore)
            .trackerWide().unset("(the JVM's)").builds((b, store) -> b.trustStore(store.keyStore()))
            .meaning("a PKCS12 or JKS file of the certificates to trust for an https endpoint behind a private CA")
            .build();

    static final String PARAM_PRODUCT_NUMBER_PATTERN = "helloretail.productNumberPattern";
    static final Setting<Pattern> PRODUCT_NUMBER_PATTERN = Setting.of(PARAM_PRODUCT_NUMBER_PATTERN, TEXT,
                    Parameters::productNumberPattern)
            .meaning("a regex on the request path with a named group productNumber").build();

    static final String PARAM_PRODUCT_NUMBER_PARAMETER = "helloretail.productNumberParameter";
    static final Setting<String> PRODUCT_NUMBER_PARAMETER = Setting.of(PARAM_PRODUCT_NUMBER_PARAMETER, TEXT,
                    Parameters::queryParameterName)
            .meaning("the query parameter that carries the product number on product pages").build();

    static final String PARAM_EXCLUDE_PATHS = "helloretail.excludePaths";
    static final String DEFAULT_EXCLUDE_PATHS = PathGlobs.DEFAULT;
    static final Setting<PathGlobs> EXCLUDE_PATHS = Setting.of(PARAM_EXCLUDE_PATHS, LIST, Parameters::excludePaths)
            .defaultValue(DEFAULT_EXCLUDE_PATHS)
            .meaning("comma-separated path globs not tracked; replaces the default list of static assets").build();

    static final String PARAM_REMOVE_QUERY_PARAMETERS = "helloretail.removeQueryParameters";
    /**
     * Names that carry secrets in the links shops and their services send: tokens and
     * passwords (password reset, e-mail confirmation, magic links), OAuth's {@code code},
     * {@code state} and {@code client_secret}, session ids of servlet containers and PHP,
     * API keys, and the signatures of signed download links (Azure {@code sig}, CloudFront
     * {@code Signature}, S3 and Google Cloud Storage presigned URLs). A shop also using one of
     * them for something else ({@code state} in a store locator, {@code code} for a voucher)
     * loses it from its reports, which is the safe way to be wrong.
     */
    static final String DEFAULT_REMOVE_QUERY_PARAMETERS = "token,access_token,id_token,refresh_token,"
            + "password,passwd,pwd,secret,client_secret,code,state,sid,session,sessionid,session_id,jsessionid,"
            + "phpsessid,key,apikey,api_key,signature,sig,x-amz-signature,x-amz-security-token,x-goog-signature,"
            + "auth,authorization,otp,reset";
    static final Setting<UrlCleaner.Names> REMOVE_QUERY_PARAMETERS = Setting.of(PARAM_REMOVE_QUERY_PARAMETERS, LIST,
                    Parameters::queryParameterNames)
            .defaultValue(DEFAULT_REMOVE_QUERY_PARAMETERS)
            .meaning("query parameters taken out of every URL a page view sends; none removes none").build();

    static final String PARAM_PUBLIC_BASE_URL = "helloretail.publicBaseUrl";
    static final Setting<String> PUBLIC_BASE_URL = Setting.of(PARAM_PUBLIC_BASE_URL, TEXT, Parameters::publicBaseUrl)
            .meaning("scheme://host[:port] the visitor sees, when the shop runs behind a proxy").build();

    static final String PARAM_TRUST_FORWARDED_HEADERS = "helloretail.trustForwardedHeaders";
    static final String DEFAULT_TRUST_FORWARDED_HEADERS = "false";
    static final Setting<Boolean> TRUST_FORWARDED_HEADERS = Setting.of(PARAM_TRUST_FORWARDED_HEADERS, FLAG,
                    Parameters::bool)
            .defaultValue(DEFAULT_TRUST_FORWARDED_HEADERS)
            .meaning("true: take scheme, host and port from Forwarded / X-Forwarded-*").build();

    static final String PARAM_CONSENT_COOKIE = "helloretail.consentCookie";
    static final Setting<ConsentCookie> CONSENT_COOKIE = Setting.of(PARAM_CONSENT_COOKIE, TEXT, Parameters::consentCookie)
            .trackerWide()
            .meaning("name or name=value: when set, no tracking and no id without that cookie").build();

    static final String PARAM_HONOR_GLOBAL_PRIVACY_CONTROL = "helloretail.honorGlobalPrivacyControl";
    static final String DEFAULT_HONOR_GLOBAL_PRIVACY_CONTROL = "false";
    static final Setting<Boolean> HONOR_GLOBAL_PRIVACY_CONTROL = Setting.of(PARAM_HONOR_GLOBAL_PRIVACY_CONTROL, FLAG,
                    Parameters::bool)
            .defaultValue(DEFAULT_HONOR_GLOBAL_PRIVACY_CONTROL)
            .meaning("true: a visitor sending Sec-GPC: 1 is not tracked").build();

    static final String PARAM_CREATE_TRACKING_USER = "helloretail.createTrackingUser";
    static final String DEFAULT_CREATE_TRACKING_USER = "false";
    static final Setting<Boolean> CREATE_TRACKING_USER = Setting.of(PARAM_CREATE_TRACKING_USER, FLAG, Parameters::bool)
            .defaultValue(DEFAULT_CREATE_TRACKING_USER).trackerWide()
            .meaning("true: visitors without an id get one from Hello Retail (shops with no Hello Retail script)")
            .build();

    static final String PARAM_INSTALL_FILTER = "helloretail.installFilter";
    static final String DEFAULT_INSTALL_FILTER = "true";
    static final Setting<Boolean> INSTALL_FILTER = Setting.of(PARAM_INSTALL_FILTER, FLAG, Parameters::bool)
            .defaultValue(DEFAULT_INSTALL_FILTER).servletOnly()
            .meaning("false: the jar's web-fragment.xml does not add the filter by itself").build();

    // The order feed: the endpoint Hello Retail fetches the shop's orders from (OrderFeedServlet).

    static final String PARAM_ORDER_FEED_PASSWORD = "helloretail.orderFeedPassword";
    static final Setting<String> ORDER_FEED_PASSWORD = Setting.of(PARAM_ORDER_FEED_PASSWORD, TEXT,
                    Parameters::orderFeedPassword)
            .secret().frameworkName("helloretail.order-feed.password")
            .meaning("the order feed's HTTP Basic password, 8 characters or more; the feed is served only when it is"
                    + " set; never logged").build();

    static final String PARAM_ORDER_FEED_USER = "helloretail.orderFeedUser";
    static final String DEFAULT_ORDER_FEED_USER = "helloretail";
    static final Setting<String> ORDER_FEED_USER = Setting.of(PARAM_ORDER_FEED_USER, TEXT, Parameters::orderFeedUser)
            .defaultValue(DEFAULT_ORDER_FEED_USER).frameworkName("helloretail.order-feed.user")
            .meaning("the order feed's HTTP Basic user name").build();

    static final String PARAM_ORDER_FEED_PATH = "helloretail.orderFeedPath";
    static final String DEFAULT_ORDER_FEED_PATH = "/helloretail/orderfeed";
    static final Setting<String> ORDER_FEED_PATH = Setting.of(PARAM_ORDER_FEED_PATH, TEXT, Parameters::orderFeedPath)
            .defaultValue(DEFAULT_ORDER_FEED_PATH).frameworkName("helloretail.order-feed.path")
            .meaning("where the order feed answers, in the web application").build();

    static final String PARAM_ORDER_FEED_DATA_SOURCE = "helloretail.orderFeedDataSource";
    static final Setting<String> ORDER_FEED_DATA_SOURCE = Setting.of(PARAM_ORDER_FEED_DATA_SOURCE, TEXT, (v, c) -> v)
            .servletOnly()
            .meaning("the JNDI name of the DataSource the order feed's query runs on").build();

    static final String PARAM_ORDER_FEED_QUERY = "helloretail.orderFeedQuery";
    static final Setting<String> ORDER_FEED_QUERY = Setting.of(PARAM_ORDER_FEED_QUERY, TEXT, (v, c) -> v)
            .frameworkName("helloretail.order-feed.query")
            .meaning("the SQL that reads the order feed's orders, one row per order line").build();

    static final String PARAM_ORDER_FEED_ZONE = "helloretail.orderFeedZone";
    static final Setting<ZoneId> ORDER_FEED_ZONE = Setting.of(PARAM_ORDER_FEED_ZONE, TEXT, Parameters::zone)
            .unset("(the JVM's)").frameworkName("helloretail.order-feed.zone")
            .meaning("the time zone of the order feed's dates and days").build();

    /** The order feed's parameters; the servlet mapped by hand takes all but the path as init-params. */
    static final List<Setting<?>> ORDER_FEED = List.of(ORDER_FEED_PASSWORD, ORDER_FEED_USER, ORDER_FEED_PATH,
            ORDER_FEED_DATA_SOURCE, ORDER_FEED_QUERY, ORDER_FEED_ZONE);
    static final List<Setting<?>> ORDER_FEED_INIT_PARAMS = List.of(ORDER_FEED_PASSWORD, ORDER_FEED_USER,
            ORDER_FEED_DATA_SOURCE, ORDER_FEED_QUERY, ORDER_FEED_ZONE);

    /** Every parameter, deprecated names after the one they name. */
    static final List<Setting<?>> ALL = List.of(WEBSITE_UUID, ENDPOINT, ENABLED, OUTBOX_DIRECTORY, OUTBOX_DATA_SOURCE,
            OUTBOX_TABLE, MAX_REQUESTS_IN_FLIGHT, SENDER_THREADS, MAX_CONVERSIONS_IN_FLIGHT, TRUST_STORE, TRUST_STORE_PASSWORD,
            PRODUCT_NUMBER_PATTERN, PRODUCT_NUMBER_PARAMETER, EXCLUDE_PATHS, REMOVE_QUERY_PARAMETERS, PUBLIC_BASE_URL,
            TRUST_FORWARDED_HEADERS, CONSENT_COOKIE, HONOR_GLOBAL_PRIVACY_CONTROL, CREATE_TRACKING_USER,
            INSTALL_FILTER, ORDER_FEED_PASSWORD, ORDER_FEED_USER, ORDER_FEED_PATH, ORDER_FEED_DATA_SOURCE,
            ORDER_FEED_QUERY, ORDER_FEED_ZONE);

    /** The rules across parameters, in the order they are checked. */
    static final List<Rule> RULES = List.of(Parameters::websiteUuidUnlessDisabled, Parameters::oneOutbox,
            Parameters::outboxTableOnlyWithDataSource, Parameters::productNumberParameterNotRemoved);

    /** Request attribute: the product shown on this page (wins over the pattern and the parameter). */
    static final String ATTRIBUTE_PRODUCT_NUMBER = "helloretail.productNumber";
    /** Request attribute: the page's canonical URL, sent as {@code url}. */
    static final String ATTRIBUTE_CANONICAL_URL = "helloretail.canonicalUrl";
    /** Request attribute: {@code Boolean.TRUE} means this request is not tracked. */
    static final String ATTRIBUTE_SKIP = "helloretail.skip";

    private Parameters() {
    }

    // The rules.

    private static void websiteUuidUnlessDisabled(Setting.Context s) {
        if (s.value(ENABLED) && s.value(WEBSITE_UUID) == null) {
            throw s.invalidAs(WEBSITE_UUID, s.name(WEBSITE_UUID) + " is required" + s.howToSet(WEBSITE_UUID)
                    + " (or set " + s.name(ENABLED) + "=false)");
        }
    }

    /** One outbox per tracker: a shop that set both has not decided where its conversions wait. */
    private static void oneOutbox(Setting.Context s) {
        if (s.isSet(OUTBOX_DIRECTORY) && s.isSet(OUTBOX_DATA_SOURCE)) {
            throw s.invalidAs(OUTBOX_DATA_SOURCE, s.name(OUTBOX_DIRECTORY) + s.where(OUTBOX_DIRECTORY)
                    + s.shown(OUTBOX_DIRECTORY) + " and " + s.name(OUTBOX_DATA_SOURCE) + s.where(OUTBOX_DATA_SOURCE)
                    + s.shown(OUTBOX_DATA_SOURCE) + " are both set; conversions wait in one of them: keep "
                    + s.name(OUTBOX_DATA_SOURCE) + " for a shop of several nodes, or " + s.name(OUTBOX_DIRECTORY)
                    + " for one");
        }
    }

    private static void outboxTableOnlyWithDataSource(Setting.Context s) {
        if (s.isSet(OUTBOX_TABLE) && !s.isSet(OUTBOX_DATA_SOURCE)
                && !DEFAULT_OUTBOX_TABLE.equals(s.value(OUTBOX_TABLE))) {
            throw s.invalid(OUTBOX_TABLE, "is set without " + s.name(OUTBOX_DATA_SOURCE)
                    + "; it names the database outbox's table");
        }
    }

    /**
     * Either the product number would be read from a parameter kept out of the location as a
     * secret, and sent anyway, or pages would lose their product: the shop has to choose.
     */
    private static void productNumberParameterNotRemoved(Setting.Context s) {
        String parameter = s.value(PRODUCT_NUMBER_PARAMETER);
        if (parameter != null && s.value(REMOVE_QUERY_PARAMETERS).contains(parameter)) {
            throw s.invalid(PRODUCT_NUMBER_PARAMETER, "is in " + s.name(REMOVE_QUERY_PARAMETERS)
                    + s.where(REMOVE_QUERY_PARAMETERS) + ", the query parameters taken out of the URLs sent; set "
                    + s.name(REMOVE_QUERY_PARAMETERS) + " to a list without it, or name another parameter");
        }
    }

    // How each parameter is read: a bad value is an IllegalArgumentException saying the problem alone.

    static Boolean bool(String v, Setting.Context c) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static int wholeNumber(String v, int min, int max) {
        String problem = "must be a whole number from " + min + " to " + max;
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(problem);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(problem);
        }
        return n;
    }

    private static String websiteUuid(String v, Setting.Context c) {
        if (!Ids.isUuid(v)) {
            throw new IllegalArgumentException("must be a UUID like 4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf");
        }
        return v;
    }

    private static URI endpoint(String v, Setting.Context c) {
        URI uri;
        try {
            uri = URI.create(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be a URL like " + DEFAULT_ENDPOINT);
        }
        // The tracker's own rule (https unless loopback), reported as this parameter.
        String problem = Urls.endpointProblem(uri, HelloRetailTracker.DEFAULT_ENDPOINT);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return Urls.endpoint(uri, HelloRetailTracker.DEFAULT_ENDPOINT);
    }

    private static Path absolutePath(String v, Setting.Context c) {
        Path dir;
        try {
            dir = Path.of(v);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("is not a valid path (" + e.getReason() + ")");
        }
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("must be an absolute path");
        }
        return dir;
    }

    /** The tracker's own rule for the name, checked before the DataSource is looked up. */
    private static String outboxTable(String v, Setting.Context c) {
        String problem = Engine.outboxTableProblem(v);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return v;
    }

    /** The feed's own rule: the parser and {@code OrderFeedServlet.builder()} say the same. */
    private static String orderFeedPassword(String v, Setting.Context c) {
        String problem = OrderFeed.Config.passwordProblem(v);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return v;
    }

    private static String orderFeedUser(String v, Setting.Context c) {
        String problem = OrderFeed.Config.userProblem(v);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return v;
    }

    /** An exact servlet mapping: a wildcard would serve the feed under names Hello Retail was never given. */
    private static String orderFeedPath(String v, Setting.Context c) {
        if (!v.matches("/[A-Za-z0-9._~!$&'()+,;=:@%/-]*") || v.endsWith("/") || v.contains("//")) {
            throw new IllegalArgumentException("must be a path in the web application, starting with / and without"
                    + " a wildcard or a trailing /, e.g. " + DEFAULT_ORDER_FEED_PATH);
        }
        return v;
    }

    private static ZoneId zone(String v, Setting.Context c) {
        try {
            return ZoneId.of(v);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("must be a time zone ID like Europe/Copenhagen or UTC");
        }
    }

    /** A trust store file and what was read from it; equal when the file is. */
    record TrustStore(String file, KeyStore keyStore) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TrustStore t && t.file.equals(file);
        }

        @Override
        public int hashCode() {
            return file.hashCode();
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private static TrustStore trustStore(String v, Setting.Context c) {
        String password = c.value(TRUST_STORE_PASSWORD);
        try {
            return new TrustStore(v, KeyStore.getInstance(new File(v), password == null ? null : password.toCharArray()));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            // The message names the file, never the password.
            throw new IllegalArgumentException("cannot be read as a PKCS12 or JKS trust store ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    private static Pattern productNumberPattern(String v, Setting.Context c) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(v);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("is not a valid regular expression (" + e.getDescription()
                    + " near index " + e.getIndex() + ")");
        }
        if (!v.contains("(?<productNumber>")) {
            throw new IllegalArgumentException(
                    "must have a named group (?<productNumber>...), e.g. /products/(?<productNumber>[^/]+)");
        }
        return pattern;
    }

    /**
     * RFC 3986's unreserved characters, which a browser never escapes: a name the shop can write
     * in a link and the filter can find in the raw query string.
     */
    private static String queryParameterName(String v, Setting.Context c) {
        if (!v.matches("[A-Za-z0-9._~-]+")) {
            throw new IllegalArgumentException(
                    "must be a query parameter name of letters, digits, '-', '.', '_' or '~', e.g. productId");
        }
        return v;
    }

    private static PathGlobs excludePaths(String v, Setting.Context c) {
        try {
            return PathGlobs.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in the list", e);
        }
    }

    private static UrlCleaner.Names queryParameterNames(String v, Setting.Context c) {
        return UrlCleaner.Names.parse(v);
    }

    private static String publicBaseUrl(String v, Setting.Context c) {
        String trimmed = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
        int schemeEnd = trimmed.indexOf("://");
        if (Urls.urlProblem(trimmed) != null || schemeEnd < 0 || trimmed.indexOf('/', schemeEnd + 3) >= 0
                || trimmed.indexOf('?') >= 0 || trimmed.indexOf('#') >= 0) {
            throw new IllegalArgumentException("must be scheme://host[:port] with no path, e.g. https://shop.example");
        }
        return trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT) + trimmed.substring(schemeEnd);
    }

    /**
     * The consent cookie's name, and the value that means consent (null: any value); equal when
     * both are.
     */
    static final class ConsentCookie {
        private final String name;
        private final String value;
        /** Whether a value of the cookie means consent; made once, so a request allocates none. */
        private final Predicate<String> consents;

        ConsentCookie(String name, String value) {
            this.name = name;
            this.value = value;
            this.consents = value == null ? v -> true : value::equals;
        }

        String name() {
            return name;
        }

        String value() {
            return value;
        }

        Predicate<String> consents() {
            return consents;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ConsentCookie c && c.name.equals(name) && Objects.equals(c.value, value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, value);
        }

        @Override
        public String toString() {
            return value == null ? name : name + "=" + value;
        }
    }

    private static ConsentCookie consentCookie(String v, Setting.Context c) {
        int eq = v.indexOf('=');
        String name = eq < 0 ? v : v.substring(0, eq);
        String value = eq < 0 ? null : v.substring(eq + 1);
        if (!name.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")
                || (value != null && !value.matches("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]+"))) {
            throw new IllegalArgumentException("must be a cookie name, or name=value, e.g. cookie_consent=yes");
        }
        return new ConsentCookie(name, value);
    }
}
