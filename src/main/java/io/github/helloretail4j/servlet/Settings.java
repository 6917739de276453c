package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.Parameters.*;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Check;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Every {@code helloretail.*} parameter, read and checked in one place. A value is looked up,
 * first found wins, in: a system property, an environment variable ({@code
 * HELLORETAIL_WEBSITE_UUID}), the filter's init-param, the web application's context-param. So
 * what is outside the WAR overrides what is packaged in it. An unknown {@code helloretail.*}
 * init-param or context-param, or a bad value, is an {@link IllegalArgumentException} naming
 * the parameter, where it was found and the value.
 */
final class Settings {

    /** Every parameter name and its default (null: none). */
    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(PARAM_WEBSITE_UUID, null);
        d.put(PARAM_ENDPOINT, DEFAULT_ENDPOINT);
        d.put(PARAM_ENABLED, DEFAULT_ENABLED);
        d.put(PARAM_OUTBOX_DIRECTORY, null);
        d.put(PARAM_OUTBOX_DATA_SOURCE, null);
        d.put(PARAM_OUTBOX_TABLE, DEFAULT_OUTBOX_TABLE);
        d.put(PARAM_SENDER_THREADS, DEFAULT_SENDER_THREADS);
        d.put(PARAM_TRUST_STORE, null);
        d.put(PARAM_TRUST_STORE_PASSWORD, null);
        d.put(PARAM_PRODUCT_NUMBER_PATTERN, null);
        d.put(PARAM_PRODUCT_NUMBER_PARAMETER, null);
        d.put(PARAM_EXCLUDE_PATHS, DEFAULT_EXCLUDE_PATHS);
        d.put(PARAM_REMOVE_QUERY_PARAMETERS, DEFAULT_REMOVE_QUERY_PARAMETERS);
        d.put(PARAM_PUBLIC_BASE_URL, null);
        d.put(PARAM_TRUST_FORWARDED_HEADERS, DEFAULT_TRUST_FORWARDED_HEADERS);
        d.put(PARAM_CONSENT_COOKIE, null);
        d.put(PARAM_HONOR_GLOBAL_PRIVACY_CONTROL, DEFAULT_HONOR_GLOBAL_PRIVACY_CONTROL);
        d.put(PARAM_CREATE_TRACKING_USER, DEFAULT_CREATE_TRACKING_USER);
        d.put(PARAM_INSTALL_FILTER, DEFAULT_INSTALL_FILTER);
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    /** Where parameter values come from, in order of precedence. */
    record Sources(Function<String, String> systemProperties, Function<String, String> environment,
                   Map<String, String> initParams, Map<String, String> contextParams) {

        static Sources of(Map<String, String> initParams, Map<String, String> contextParams) {
            return new Sources(System::getProperty, System::getenv, initParams, contextParams);
        }
    }

    /** A value and where it was found, for error messages; {@code where} null when unknown. */
    private record Found(String value, String where) {
    }

    /**
     * How a framework that reads its own configuration (the Spring Boot starter) names each
     * parameter and where it found its value, so that a bad value is reported as the user wrote
     * it ({@code helloretail.product-number-pattern}, from {@code application.properties}).
     * Null for the servlet layer's own sources, which report the web.xml name.
     */
    private final UnaryOperator<String> frameworkName;
    private final UnaryOperator<String> frameworkOrigin;

    final boolean enabled;
    final String websiteUuid;
    final URI endpoint;
    /** Null: the container's temp directory. */
    final Path outboxDirectory;
    /** Null: conversions wait in {@link #outboxDirectory}; else the JNDI name of the shop's DataSource. */
    final String outboxDataSource;
    /** Where {@link #outboxDataSource} was found, for the message when the name cannot be used. */
    private final Found outboxDataSourceFound;
    /** Null: the tracker's default table; only with {@link #outboxDataSource}. */
    final String outboxTable;
    final int senderThreads;
    /** Null: the JVM's trust store. */
    final KeyStore trustStore;
    private final String trustStorePath;
    final Pattern productNumberPattern;
    /** Null: none. */
    final String productNumberParameter;
    final PathGlobs excludePaths;
    /** Taken out of {@code location}, {@code referrer} and {@code url}; the product number parameter is never one. */
    final UrlCleaner.Names removeQueryParameters;
    final String publicBaseUrl;
    final boolean trustForwardedHeaders;
    final String consentCookieName;
    final String consentCookieValue;
    /** Whether a value of the consent cookie means consent; made once, so a request allocates none. */
    final java.util.function.Predicate<String> consents;
    final boolean honorGlobalPrivacyControl;
    final boolean createTrackingUser;
    final boolean installFilter;

    private Settings(Sources sources, UnaryOperator<String> frameworkName, UnaryOperator<String> frameworkOrigin) {
        this.frameworkName = frameworkName;
        this.frameworkOrigin = frameworkOrigin;
        rejectUnknown(sources.initParams(), "init-param");
        rejectUnknown(sources.contextParams(), "context-param");
        Function<String, Found> get = frameworkName == null ? name -> lookup(sources, name)
                : name -> frameworkLookup(sources.initParams(), name);

        enabled = bool(get.apply(PARAM_ENABLED), PARAM_ENABLED);
        Found uuid = get.apply(PARAM_WEBSITE_UUID);
        if (uuid.value() == null && enabled) {
            throw new IllegalArgumentException(frameworkName != null
                    ? name(PARAM_WEBSITE_UUID) + " is required (or set " + name(PARAM_ENABLED) + "=false)"
                    : PARAM_WEBSITE_UUID + " is required: set it as a context-param, a"
                    + " system property or the environment variable HELLORETAIL_WEBSITE_UUID (or set "
                    + PARAM_ENABLED + "=false)");
        }
        if (uuid.value() != null && !Check.isUuid(uuid.value())) {
            throw bad(PARAM_WEBSITE_UUID, uuid, "must be a UUID like 4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf");
        }
        websiteUuid = uuid.value();

        Found endpointValue = get.apply(PARAM_ENDPOINT);
        URI uri;
        try {
            uri = URI.create(endpointValue.value());
        } catch (IllegalArgumentException e) {
            throw bad(PARAM_ENDPOINT, endpointValue, "must be a URL like " + DEFAULT_ENDPOINT);
        }
        // The tracker's own rule (https unless loopback), reported as this parameter.
        String endpointProblem = Check.endpointProblem(uri, HelloRetailTracker.DEFAULT_ENDPOINT);
        if (endpointProblem != null) {
            throw bad(PARAM_ENDPOINT, endpointValue, endpointProblem);
        }
        endpoint = Check.endpoint(uri, HelloRetailTracker.DEFAULT_ENDPOINT);

        Found outbox = get.apply(PARAM_OUTBOX_DIRECTORY);
        if (outbox.value() == null) {
            outboxDirectory = null;
        } else {
            Path dir;
            try {
                dir = Path.of(outbox.value());
            } catch (InvalidPathException e) {
                throw bad(PARAM_OUTBOX_DIRECTORY, outbox, "is not a valid path (" + e.getReason() + ")");
            }
            if (!dir.isAbsolute()) {
                throw bad(PARAM_OUTBOX_DIRECTORY, outbox, "must be an absolute path");
            }
            outboxDirectory = dir;
        }

        Found dataSource = get.apply(PARAM_OUTBOX_DATA_SOURCE);
        if (dataSource.value() != null && outbox.value() != null) {
            // One outbox per tracker: a shop that set both has not decided where its conversions wait.
            throw new IllegalArgumentException(name(PARAM_OUTBOX_DIRECTORY) + where(outbox) + " " + Check.echo(outbox.value())
                    + " and " + name(PARAM_OUTBOX_DATA_SOURCE) + where(dataSource) + " " + Check.echo(dataSource.value())
                    + " are both set; conversions wait in one of them: keep " + name(PARAM_OUTBOX_DATA_SOURCE)
                    + " for a shop of several nodes, or " + name(PARAM_OUTBOX_DIRECTORY) + " for one");
        }
        outboxDataSource = dataSource.value();
        outboxDataSourceFound = dataSource;
        Found table = get.apply(PARAM_OUTBOX_TABLE);
        if (dataSource.value() == null && !DEFAULT_OUTBOX_TABLE.equals(table.value())) {
            throw bad(PARAM_OUTBOX_TABLE, table, "is set without " + name(PARAM_OUTBOX_DATA_SOURCE)
                    + "; it names the database outbox's table");
        }
        // The tracker checks the name itself (at build(), once the DataSource is looked up); null keeps its default.
        outboxTable = DEFAULT_OUTBOX_TABLE.equals(table.value()) ? null : table.value();

        Found senders = get.apply(PARAM_SENDER_THREADS);
        try {
            senderThreads = Integer.parseInt(senders.value());
        } catch (NumberFormatException e) {
            throw bad(PARAM_SENDER_THREADS, senders, "must be a whole number from 1 to 64");
        }
        if (senderThreads < 1 || senderThreads > 64) {
            throw bad(PARAM_SENDER_THREADS, senders, "must be a whole number from 1 to 64");
        }

        Found store = get.apply(PARAM_TRUST_STORE);
        Found storePassword = get.apply(PARAM_TRUST_STORE_PASSWORD);
        trustStorePath = store.value();
        if (store.value() == null) {
            trustStore = null;
        } else {
            char[] password = storePassword.value() == null ? null : storePassword.value().toCharArray();
            try {
                trustStore = KeyStore.getInstance(new File(store.value()), password);
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                // The message names the file, never the password.
                throw bad(PARAM_TRUST_STORE, store, "cannot be read as a PKCS12 or JKS trust store ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
        }

        Found pattern = get.apply(PARAM_PRODUCT_NUMBER_PATTERN);
        if (pattern.value() == null) {
            productNumberPattern = null;
        } else {
            try {
                productNumberPattern = Pattern.compile(pattern.value());
            } catch (PatternSyntaxException e) {
                throw bad(PARAM_PRODUCT_NUMBER_PATTERN, pattern, "is not a valid regular expression ("
                        + e.getDescription() + " near index " + e.getIndex() + ")");
            }
            if (!pattern.value().contains("(?<productNumber>")) {
                throw bad(PARAM_PRODUCT_NUMBER_PATTERN, pattern,
                        "must have a named group (?<productNumber>...), e.g. /products/(?<productNumber>[^/]+)");
            }
        }

        Found parameter = get.apply(PARAM_PRODUCT_NUMBER_PARAMETER);
        // RFC 3986's unreserved characters, which a browser never escapes: a name the shop can write
        // in a link and the filter can find in the raw query string.
        if (parameter.value() != null && !parameter.value().matches("[A-Za-z0-9._~-]+")) {
            throw bad(PARAM_PRODUCT_NUMBER_PARAMETER, parameter,
                    "must be a query parameter name of letters, digits, '-', '.', '_' or '~', e.g. productId");
        }
        productNumberParameter = parameter.value();

        Found excludes = get.apply(PARAM_EXCLUDE_PATHS);
        try {
            excludePaths = PathGlobs.parse(excludes.value());
        } catch (IllegalArgumentException e) {
            throw bad(PARAM_EXCLUDE_PATHS, excludes, e.getMessage() + " in the list");
        }

        Found removed = get.apply(PARAM_REMOVE_QUERY_PARAMETERS);
        try {
            removeQueryParameters = UrlCleaner.Names.parse(removed.value());
        } catch (IllegalArgumentException e) {
            throw bad(PARAM_REMOVE_QUERY_PARAMETERS, removed, e.getMessage());
        }
        if (productNumberParameter != null && removeQueryParameters.contains(productNumberParameter)) {
            // Either the product number would be read from a parameter kept out of the location as a
            // secret, and sent anyway, or pages would lose their product: the shop has to choose.
            throw bad(PARAM_PRODUCT_NUMBER_PARAMETER, parameter, "is in " + name(PARAM_REMOVE_QUERY_PARAMETERS)
                    + where(removed) + ", the query parameters taken out of the URLs sent; set "
                    + name(PARAM_REMOVE_QUERY_PARAMETERS) + " to a list without it, or name another parameter");
        }

        Found base = get.apply(PARAM_PUBLIC_BASE_URL);
        publicBaseUrl = base.value() == null ? null : publicBaseUrl(base);
        trustForwardedHeaders = bool(get.apply(PARAM_TRUST_FORWARDED_HEADERS), PARAM_TRUST_FORWARDED_HEADERS);

        Found consent = get.apply(PARAM_CONSENT_COOKIE);
        if (consent.value() == null) {
            consentCookieName = null;
            consentCookieValue = null;
        } else {
            String v = consent.value().strip();
            int eq = v.indexOf('=');
            consentCookieName = eq < 0 ? v : v.substring(0, eq);
            consentCookieValue = eq < 0 ? null : v.substring(eq + 1);
            if (!consentCookieName.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")
                    || (consentCookieValue != null && !consentCookieValue.matches("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]+"))) {
                throw bad(PARAM_CONSENT_COOKIE, consent, "must be a cookie name, or name=value, e.g. cookie_consent=yes");
            }
        }
        consents = consentCookieValue == null ? value -> true : consentCookieValue::equals;
        honorGlobalPrivacyControl = bool(get.apply(PARAM_HONOR_GLOBAL_PRIVACY_CONTROL), PARAM_HONOR_GLOBAL_PRIVACY_CONTROL);
        createTrackingUser = bool(get.apply(PARAM_CREATE_TRACKING_USER), PARAM_CREATE_TRACKING_USER);
        installFilter = bool(get.apply(PARAM_INSTALL_FILTER), PARAM_INSTALL_FILTER);
    }

    static Settings resolve(Sources sources) {
        return new Settings(sources, null, null);
    }

    /**
     * Settings from a framework's own configuration alone (the Spring Boot starter's properties),
     * which it has read already from wherever it reads them: no system property, environment
     * variable or context-param is looked up here. {@code values} by parameter name
     * ({@code helloretail.websiteUuid}); a bad value is reported under {@code name.apply(parameter)}
     * with {@code origin.apply(parameter)} (null when unknown).
     *
     * @throws IllegalArgumentException starting with the framework's name of the parameter,
     *         naming where it was found and echoing the value
     */
    static Settings fromFramework(Map<String, String> values, UnaryOperator<String> name, UnaryOperator<String> origin) {
        return new Settings(new Sources(n -> null, n -> null, values, Map.of()),
                Objects.requireNonNull(name, "name"), Objects.requireNonNull(origin, "origin"));
    }

    /** The same name as an environment variable, upper snake case: {@code HELLORETAIL_WEBSITE_UUID}. */
    static String environmentName(String parameter) {
        return parameter.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static Found lookup(Sources s, String name) {
        String v = blankToNull(s.systemProperties().apply(name));
        if (v != null) {
            return new Found(v, "system property");
        }
        String env = environmentName(name);
        v = blankToNull(s.environment().apply(env));
        if (v != null) {
            return new Found(v, "environment variable " + env);
        }
        v = blankToNull(s.initParams().get(name));
        if (v != null) {
            return new Found(v, "init-param");
        }
        v = blankToNull(s.contextParams().get(name));
        if (v != null) {
            return new Found(v, "context-param");
        }
        return new Found(DEFAULTS.get(name), "default");
    }

    private Found frameworkLookup(Map<String, String> values, String name) {
        String v = blankToNull(values.get(name));
        return v != null ? new Found(v, frameworkOrigin.apply(name)) : new Found(DEFAULTS.get(name), null);
    }

    /** The parameter as the user wrote it: the web.xml name, or the framework's. */
    private String name(String parameter) {
        return frameworkName == null ? parameter : frameworkName.apply(parameter);
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static void rejectUnknown(Map<String, String> params, String kind) {
        for (String name : params.keySet()) {
            if (name.toLowerCase(Locale.ROOT).startsWith("helloretail.") && !DEFAULTS.containsKey(name)) {
                throw new IllegalArgumentException("unknown " + kind + " " + Check.echo(name) + "; the parameters are "
                        + String.join(", ", DEFAULTS.keySet()));
            }
        }
    }

    private boolean bool(Found f, String name) {
        String v = f.value().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw bad(name, f, "must be true or false");
    }

    private String publicBaseUrl(Found f) {
        String v = f.value();
        String trimmed = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
        int schemeEnd = trimmed.indexOf("://");
        if (Check.urlProblem(trimmed) != null || schemeEnd < 0 || trimmed.indexOf('/', schemeEnd + 3) >= 0
                || trimmed.indexOf('?') >= 0 || trimmed.indexOf('#') >= 0) {
            throw bad(PARAM_PUBLIC_BASE_URL, f, "must be scheme://host[:port] with no path, e.g. https://shop.example");
        }
        String scheme = trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        return scheme + trimmed.substring(schemeEnd);
    }

    private IllegalArgumentException bad(String parameter, Found f, String problem) {
        return new IllegalArgumentException(name(parameter) + where(f) + " " + problem + ": " + Check.echo(f.value()));
    }

    private static String where(Found f) {
        return f.where() == null ? "" : " (" + f.where() + ")";
    }

    /**
     * The {@code helloretail.outboxDataSource} name cannot be used: the message names the
     * parameter, where it was found, the problem and the name, as every bad value's does.
     */
    IllegalArgumentException badOutboxDataSource(String problem, Throwable cause) {
        IllegalArgumentException e = bad(PARAM_OUTBOX_DATA_SOURCE, outboxDataSourceFound, problem);
        e.initCause(cause);
        return e;
    }

    /** True when these settings configure the same tracker as {@code other}. */
    boolean sameTracker(Settings other) {
        return enabled == other.enabled && Objects.equals(websiteUuid, other.websiteUuid)
                && endpoint.equals(other.endpoint) && Objects.equals(outboxDirectory, other.outboxDirectory)
                && Objects.equals(outboxDataSource, other.outboxDataSource) && Objects.equals(outboxTable, other.outboxTable)
                && senderThreads == other.senderThreads
                && Objects.equals(trustStorePath, other.trustStorePath)
                && createTrackingUser == other.createTrackingUser
                && Objects.equals(consentCookieName, other.consentCookieName)
                && Objects.equals(consentCookieValue, other.consentCookieValue);
    }

    /** The effective tracker configuration, for the start-up log line; nothing secret in it. */
    String describe() {
        return String.join(", ", List.of(
                PARAM_ENABLED + "=" + enabled,
                PARAM_WEBSITE_UUID + "=" + websiteUuid,
                PARAM_ENDPOINT + "=" + endpoint,
                outboxDataSource != null
                        ? PARAM_OUTBOX_DATA_SOURCE + "=" + outboxDataSource + ", " + PARAM_OUTBOX_TABLE + "="
                                + (outboxTable == null ? DEFAULT_OUTBOX_TABLE : outboxTable)
                        : PARAM_OUTBOX_DIRECTORY + "=" + (outboxDirectory == null ? "(container temp dir)" : outboxDirectory),
                PARAM_SENDER_THREADS + "=" + senderThreads,
                PARAM_TRUST_STORE + "=" + (trustStorePath == null ? "(the JVM's)" : trustStorePath),
                PARAM_CONSENT_COOKIE + "=" + (consentCookieName == null ? "none"
                        : consentCookieValue == null ? consentCookieName : consentCookieName + "=" + consentCookieValue),
                PARAM_CREATE_TRACKING_USER + "=" + createTrackingUser));
    }
}
