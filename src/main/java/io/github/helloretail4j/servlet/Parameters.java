package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;

/**
 * The names of every {@code helloretail.*} parameter and request attribute, with their
 * defaults: the public constants of {@code PageViewFilter}, which extends this class in both
 * servlet layers (jakarta and javax), so that the two cannot list different parameters. The
 * meaning of each is in {@link Settings}, which parses them all in one place.
 */
abstract class Parameters {

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
     * The JNDI name of the shop's {@code javax.sql.DataSource} ({@code java:comp/env/jdbc/shop}):
     * conversions wait in a table of the shop's database instead of {@link #PARAM_OUTBOX_DIRECTORY},
     * so that every node of a shop of several may take and deliver them; default: none.
     */
    public static final String PARAM_OUTBOX_DATA_SOURCE = "helloretail.outboxDataSource";
    /**
     * The {@link #PARAM_OUTBOX_DATA_SOURCE}'s table, optionally after its schema and a dot;
     * default {@code helloretail_outbox} in the connection's default schema.
     */
    public static final String PARAM_OUTBOX_TABLE = "helloretail.outboxTable";
    public static final String DEFAULT_OUTBOX_TABLE = io.github.helloretail4j.internal.Engine.DEFAULT_OUTBOX_TABLE;
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
    /**
     * The name of a query parameter that carries the product number on product pages
     * ({@code /catalog/viewProduct?productId=FI-SW-01}); after the request attribute and the pattern.
     */
    public static final String PARAM_PRODUCT_NUMBER_PARAMETER = "helloretail.productNumberParameter";
    /** Comma-separated path globs not tracked; replaces the default list of static assets. */
    public static final String PARAM_EXCLUDE_PATHS = "helloretail.excludePaths";
    public static final String DEFAULT_EXCLUDE_PATHS = PathGlobs.DEFAULT;
    /**
     * Comma-separated names of query parameters taken out of every URL a page view sends
     * ({@code location}, {@code referrer}, {@code url}), the whole {@code name=value} pair;
     * matched in any case, also percent-encoded. Setting it replaces the default list, as
     * {@link #PARAM_EXCLUDE_PATHS} does, so that a shop can also keep a name it needs (start from
     * {@link #DEFAULT_REMOVE_QUERY_PARAMETERS} to extend it); {@code none} removes none (an empty
     * value is no value, as for every parameter: the default). Path parameters
     * ({@code ;jsessionid=...}) are removed whatever it says.
     */
    public static final String PARAM_REMOVE_QUERY_PARAMETERS = "helloretail.removeQueryParameters";
    /**
     * Names that carry secrets in the links shops and their services send: tokens and
     * passwords (password reset, e-mail confirmation, magic links), OAuth's {@code code},
     * {@code state} and {@code client_secret}, session ids of servlet containers and PHP,
     * API keys, and the signatures of signed download links (Azure {@code sig}, CloudFront
     * {@code Signature}, S3 and Google Cloud Storage presigned URLs). A shop also using one of
     * them for something else ({@code state} in a store locator, {@code code} for a voucher)
     * loses it from its reports, which is the safe way to be wrong.
     */
    public static final String DEFAULT_REMOVE_QUERY_PARAMETERS = "token,access_token,id_token,refresh_token,"
            + "password,passwd,pwd,secret,client_secret,code,state,sid,session,sessionid,session_id,jsessionid,"
            + "phpsessid,key,apikey,api_key,signature,sig,x-amz-signature,x-amz-security-token,x-goog-signature,"
            + "auth,authorization,otp,reset";
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
    /** {@code false}: the jar's web-fragment.xml does not add the filter by itself. */
    public static final String PARAM_INSTALL_FILTER = "helloretail.installFilter";
    public static final String DEFAULT_INSTALL_FILTER = "true";

    /** Request attribute: the product shown on this page (wins over the pattern and the parameter). */
    public static final String ATTRIBUTE_PRODUCT_NUMBER = "helloretail.productNumber";
    /** Request attribute: the page's canonical URL, sent as {@code url}. */
    public static final String ATTRIBUTE_CANONICAL_URL = "helloretail.canonicalUrl";
    /** Request attribute: {@code Boolean.TRUE} means this request is not tracked. */
    public static final String ATTRIBUTE_SKIP = "helloretail.skip";

    Parameters() {
    }
}
