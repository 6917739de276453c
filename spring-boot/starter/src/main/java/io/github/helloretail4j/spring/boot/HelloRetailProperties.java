package io.github.helloretail4j.spring.boot;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;

/**
 * The {@code helloretail.*} properties: the servlet layer's {@code web.xml} parameters in Boot's
 * relaxed form ({@code helloretail.websiteUuid} is {@code helloretail.website-uuid}, or
 * {@code HELLORETAIL_WEBSITE_UUID} in the environment). Bound as Boot binds any property; then
 * every value is checked by helloretail4j itself, as a {@code web.xml} parameter is. An unknown
 * {@code helloretail.*} key fails the start, as does a bad value, naming the property.
 *
 * <p>The starter reads the values through the servlet layer's table of parameters, not through
 * these getters: this class is the properties' face to Boot, which checks their types and
 * reports unknown keys, and to IDEs, which learn every property, its type, default and meaning
 * from the metadata the configuration processor writes from it. A test holds it to the table.
 */
@ConfigurationProperties(prefix = "helloretail", ignoreUnknownFields = false)
public class HelloRetailProperties {

    /**
     * Whether to track at all. false: the starter creates nothing (no tracker, no filter, no
     * meters), and no website UUID is needed.
     */
    private boolean enabled = true;

    /**
     * The shop's website UUID, from my.helloretail.com. Required unless the application defines
     * its own HelloRetailTracker bean.
     */
    private String websiteUuid;

    /**
     * Base URL of Hello Retail's collect API; https, or http on a loopback address only.
     */
    private String endpoint = "https://core.helloretail.com/serve/";

    /**
     * Absolute path of the directory where conversions wait until Hello Retail has them. Set it
     * to a persistent directory of this application's own: the default, java.io.tmpdir +
     * /helloretail-outbox, may not survive a restart, and one directory serves one tracker.
     */
    private String outboxDirectory;

    /**
     * True: conversions wait in a table (helloretail_outbox, created when missing) of the
     * application's own DataSource bean (the @Primary one where there are several), instead
     * of outbox-directory, so that every node of a shop of several may take and deliver them;
     * checkout code may then track an order inside its own transaction with
     * trackConversion(connection, conversion).
     */
    private boolean outboxDataSource;

    /**
     * Most page view requests in flight at once (1 to 64). They share the client's one or two I/O
     * threads: none is started per request. Page views per second that can be delivered ≈ this /
     * the round trip to Hello Retail (16 at 50 ms: 320/s); beyond that the newest are dropped and
     * counted.
     */
    private int maxRequestsInFlight = 16;

    /**
     * The old name of max-requests-in-flight, from when each request in flight had a thread of
     * its own; still read, with a WARN at start. Setting both fails the start.
     */
    private Integer senderThreads;

    /**
     * Most conversion requests in flight at once from this node (1 to 256). Conversions per
     * second that can be delivered ≈ this / the round trip to Hello Retail (32 at 50 ms: about
     * 600/s). An order is never in flight twice; a node killed (not closed) may send up to this
     * many again.
     */
    private int maxConversionsInFlight = 32;

    /**
     * A PKCS12 or JKS file with the certificates to trust for an https endpoint behind a
     * private CA; default: the JVM's trust store. Certificates and host names are always
     * verified.
     */
    private String trustStore;

    /**
     * The trust store's password, if it has one; never logged.
     */
    private String trustStorePassword;

    /**
     * Regular expression searched in the request path within the application (still
     * percent-encoded); its named group productNumber is the product shown, e.g.
     * /products/(?&lt;productNumber&gt;[^/]+). Anchor it with ^...$ to match the whole path.
     */
    private String productNumberPattern;

    /**
     * The name of a query parameter that carries the product number on product pages
     * (/catalog/viewProduct?productId=FI-SW-01): letters, digits, '-', '.', '_', '~'. After the
     * request attribute helloretail.productNumber and product-number-pattern.
     */
    private String productNumberParameter;

    /**
     * Path globs not tracked; a glob without '/' matches the last path segment, one with '/'
     * the whole path ('*' within a segment, '**' across: /admin/**). Setting it replaces the
     * default, static assets: *.css, *.js, *.mjs, *.map, *.json, *.xml, *.txt, images, fonts,
     * media, *.pdf and *.zip.
     */
    private List<String> excludePaths;

    /**
     * Query parameters taken out of the URLs a page view sends (location, referrer, url): the
     * whole name=value, the name in any case, also percent-encoded. Setting it replaces the
     * default, the names of PageViewFilter.DEFAULT_REMOVE_QUERY_PARAMETERS: tokens, passwords,
     * OAuth's code and state, session ids, API keys and the signatures of signed links; none
     * removes none. Path parameters (;jsessionid=...) are taken out whatever it says.
     */
    private List<String> removeQueryParameters;

    /**
     * scheme://host[:port] the visitors see, when the application runs behind a proxy.
     */
    private String publicBaseUrl;

    /**
     * Whether to take scheme, host and port from Forwarded / X-Forwarded-Proto, -Host, -Port;
     * only behind a proxy that sets them.
     */
    private boolean trustForwardedHeaders;

    /**
     * A cookie name, or name=value: when set, nothing is tracked and no tracking id is created
     * for a visitor without that cookie (or value).
     */
    private String consentCookie;

    /**
     * Whether a visitor sending Sec-GPC: 1 (Global Privacy Control) is not tracked.
     */
    private boolean honorGlobalPrivacyControl;

    /**
     * Whether visitors without a hello_retail_id get one from Hello Retail, fetched ahead in
     * the background; for shops whose pages load no Hello Retail script.
     */
    private boolean createTrackingUser;

    private final Health health = new Health();

    private final OrderFeed orderFeed = new OrderFeed();

    /**
     * The order feed Hello Retail fetches the shop's orders from, served when the password is set
     * and there is a source: an OrderSource bean of the application, or the query on its
     * DataSource.
     */
    public static class OrderFeed {

        /**
         * The order feed's HTTP Basic password, 8 characters or more; the feed is served only when it
         * is set. Never logged.
         */
        private String password;

        /**
         * The order feed's HTTP Basic user name.
         */
        private String user = "helloretail";

        /**
         * Where the order feed answers, in the web application.
         */
        private String path = "/helloretail/orderfeed";

        /**
         * The SQL that reads the order feed's orders on the application's DataSource, one row per
         * order line, with the columns order_number, order_date, total, email, customer_id,
         * product_number, product_url, quantity, line_total and two ? for the window; run once at
         * start, a missing column fails it. Instead of an OrderSource bean.
         */
        private String query;

        /**
         * The time zone of the order feed's dates and days, like Europe/Copenhagen; default: the
         * JVM's.
         */
        private String zone;

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getQuery() {
            return query;
        }

        public void setQuery(String query) {
            this.query = query;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String zone) {
            this.zone = zone;
        }

        /** The password masked. */
        @Override
        public String toString() {
            return "OrderFeed{user=" + user + ", password=" + (password == null ? "none" : "****") + ", path=" + path
                    + ", zone=" + zone + "}";
        }
    }

    /** The Actuator health indicator {@code helloRetail}. */
    public static class Health {

        /**
         * How long conversions may keep failing before the helloRetail health indicator
         * reports DOWN: conversions waiting with none delivered, or the outbox failing to
         * write. They are not lost meanwhile: they wait in the outbox and are retried.
         */
        private Duration downAfter = Duration.ofMinutes(30);

        public Duration getDownAfter() {
            return downAfter;
        }

        public void setDownAfter(Duration downAfter) {
            this.downAfter = downAfter;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getWebsiteUuid() {
        return websiteUuid;
    }

    public void setWebsiteUuid(String websiteUuid) {
        this.websiteUuid = websiteUuid;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getOutboxDirectory() {
        return outboxDirectory;
    }

    public void setOutboxDirectory(String outboxDirectory) {
        this.outboxDirectory = outboxDirectory;
    }

    public boolean isOutboxDataSource() {
        return outboxDataSource;
    }

    public void setOutboxDataSource(boolean outboxDataSource) {
        this.outboxDataSource = outboxDataSource;
    }

    public int getMaxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    public void setMaxRequestsInFlight(int maxRequestsInFlight) {
        this.maxRequestsInFlight = maxRequestsInFlight;
    }

    /** @deprecated use {@link #getMaxRequestsInFlight()} */
    @Deprecated
    @DeprecatedConfigurationProperty(replacement = "helloretail.max-requests-in-flight",
            reason = "It counts requests in flight, not threads.")
    public Integer getSenderThreads() {
        return senderThreads;
    }

    /** @deprecated use {@link #setMaxRequestsInFlight(int)} */
    @Deprecated
    public void setSenderThreads(Integer senderThreads) {
        this.senderThreads = senderThreads;
    }

    public int getMaxConversionsInFlight() {
        return maxConversionsInFlight;
    }

    public void setMaxConversionsInFlight(int maxConversionsInFlight) {
        this.maxConversionsInFlight = maxConversionsInFlight;
    }

    public String getTrustStore() {
        return trustStore;
    }

    public void setTrustStore(String trustStore) {
        this.trustStore = trustStore;
    }

    public String getTrustStorePassword() {
        return trustStorePassword;
    }

    public void setTrustStorePassword(String trustStorePassword) {
        this.trustStorePassword = trustStorePassword;
    }

    public String getProductNumberPattern() {
        return productNumberPattern;
    }

    public void setProductNumberPattern(String productNumberPattern) {
        this.productNumberPattern = productNumberPattern;
    }

    public String getProductNumberParameter() {
        return productNumberParameter;
    }

    public void setProductNumberParameter(String productNumberParameter) {
        this.productNumberParameter = productNumberParameter;
    }

    public List<String> getExcludePaths() {
        return excludePaths;
    }

    public void setExcludePaths(List<String> excludePaths) {
        this.excludePaths = excludePaths;
    }

    public List<String> getRemoveQueryParameters() {
        return removeQueryParameters;
    }

    public void setRemoveQueryParameters(List<String> removeQueryParameters) {
        this.removeQueryParameters = removeQueryParameters;
    }

    public String getPublicBaseUrl() {
        return publicBaseUrl;
    }

    public void setPublicBaseUrl(String publicBaseUrl) {
        this.publicBaseUrl = publicBaseUrl;
    }

    public boolean isTrustForwardedHeaders() {
        return trustForwardedHeaders;
    }

    public void setTrustForwardedHeaders(boolean trustForwardedHeaders) {
        this.trustForwardedHeaders = trustForwardedHeaders;
    }

    public String getConsentCookie() {
        return consentCookie;
    }

    public void setConsentCookie(String consentCookie) {
        this.consentCookie = consentCookie;
    }

    public boolean isHonorGlobalPrivacyControl() {
        return honorGlobalPrivacyControl;
    }

    public void setHonorGlobalPrivacyControl(boolean honorGlobalPrivacyControl) {
        this.honorGlobalPrivacyControl = honorGlobalPrivacyControl;
    }

    public boolean isCreateTrackingUser() {
        return createTrackingUser;
    }

    public void setCreateTrackingUser(boolean createTrackingUser) {
        this.createTrackingUser = createTrackingUser;
    }

    public Health getHealth() {
        return health;
    }

    public OrderFeed getOrderFeed() {
        return orderFeed;
    }
}
