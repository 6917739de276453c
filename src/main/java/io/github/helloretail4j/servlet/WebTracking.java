package io.github.helloretail4j.servlet;

import io.github.helloretail4j.Cart;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.ConversionResult;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.TrackingUserIds;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web application's one tracker, kept as a context attribute, with the settings it was
 * made from and, when {@code helloretail.createTrackingUser} is on, the stock of fresh ids.
 * Made by whichever starts first, the listener or the filter, and closed by the same one when
 * the application stops. Servlet-free: each servlet layer hands it a {@link WebApp}.
 */
final class WebTracking {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.filter");

    static final String ATTRIBUTE = WebTracking.class.getName();
    /** Hello Retail's first-party cookie holding the visitor's tracking id. */
    static final String COOKIE_NAME = "hello_retail_id";
    /** Set by the filter for the rest of the request: the id it tracks this visitor with. */
    static final String TRACKING_USER_ID_ATTRIBUTE = "io.github.helloretail4j.trackingUserId";
    /** Few ids in stock: each one is a tracking user created at Hello Retail. */
    private static final int ID_STOCK = 4;
    private static final Duration ID_MAX_AGE = Duration.ofHours(1);
    private static final Duration ID_TIMEOUT = Duration.ofSeconds(2);

    final Settings settings;
    final HelloRetailTracker tracker;
    final TrackingUserIds ids;
    /**
     * False when the application made the tracker itself (a Spring bean) and handed it over
     * with {@link #adopt}: then the application closes it, after its web server stopped, and
     * the settings are the framework's alone (a filter reads no parameter of its own).
     */
    final boolean ownsTracker;
    private final WebApp context;

    private WebTracking(WebApp context, Settings settings) {
        this.context = context;
        this.settings = settings;
        this.ownsTracker = true;
        String name = trackerName(context.contextPath());
        if (settings.usesOutboxDataSource()) {
            this.tracker = databaseTracker(settings, name);
        } else {
            Path outbox = outboxDirectory(context, settings, name);
            this.tracker = settings.build(settings.trackerBuilder(outbox, name), outbox);
        }
        this.ids = trackingUserIds(settings, tracker, name);
        startIds();
    }

    private WebTracking(WebApp context, Settings settings, HelloRetailTracker tracker) {
        this.context = context;
        this.settings = settings;
        this.ownsTracker = false;
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.ids = trackingUserIds(settings, tracker, trackerName(context.contextPath()));
        startIds();
    }

    /**
     * The tracker keeping conversions in the shop's DataSource, looked up by its JNDI name.
     * Looked up here, on the thread that starts the application, and not in {@link Settings}:
     * {@code java:comp/env} is the application's own naming context only on that thread (the
     * container binds it to the thread's context class loader), and Settings is also parsed
     * where no lookup is wanted (by the Spring Boot starter, for comparisons).
     */
    private static HelloRetailTracker databaseTracker(Settings settings, String name) {
        Object found;
        String jndiName = settings.get(Parameters.OUTBOX_DATA_SOURCE);
        try {
            javax.naming.InitialContext naming = new javax.naming.InitialContext();
            try {
                found = naming.lookup(jndiName);
            } finally {
                naming.close();
            }
        } catch (javax.naming.NamingException e) {
            throw settings.invalid(Parameters.OUTBOX_DATA_SOURCE, "cannot be looked up in JNDI ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        if (!(found instanceof javax.sql.DataSource dataSource)) {
            throw settings.invalid(Parameters.OUTBOX_DATA_SOURCE, "names " + (found == null ? "null"
                    : "a " + found.getClass().getName()) + " in JNDI, not a javax.sql.DataSource", null);
        }
        try {
            return settings.trackerBuilder(null, name).outboxDataSource(dataSource)
                    .outboxTable(settings.get(Parameters.OUTBOX_TABLE)).build();
        } catch (UncheckedIOException | IllegalArgumentException e) {
            // Every other value was checked as a parameter: what the builder refuses is the database
            // behind the name (not PostgreSQL 12 or newer, unreachable, a table that is no outbox).
            throw settings.invalid(Parameters.OUTBOX_DATA_SOURCE, "cannot be used ("
                    + (e instanceof UncheckedIOException ? Messages.describe(e.getCause()) : e.getMessage()) + ")", e);
        }
    }

    /**
     * The stock of fresh ids, when {@code createTrackingUser} is on: at the tracker's own
     * endpoint and website (an adopted tracker may have been built with other ones).
     */
    private static TrackingUserIds trackingUserIds(Settings settings, HelloRetailTracker tracker, String name) {
        Parameters.TrustStore trustStore = settings.get(Parameters.TRUST_STORE);
        return settings.get(Parameters.ENABLED) && settings.get(Parameters.CREATE_TRACKING_USER) && tracker.isEnabled()
                ? TrackingUserIds.create(tracker.endpoint(), tracker.websiteUuid(),
                        trustStore == null ? null : trustStore.keyStore(), ID_STOCK,
                        ID_MAX_AGE, ID_TIMEOUT, name + "-trackinguser")
                : null;
    }

    private void startIds() {
        if (ids != null && settings.get(Parameters.CONSENT_COOKIE) == null) {
            // With the application, so that its first visitors find ids ready. Where consent is
            // required, not before a consenting visitor asks for one: no id is made before consent.
            ids.start();
        }
    }

    /** The configured directory, else one in the container's temp directory for this application. */
    private static Path outboxDirectory(WebApp context, Settings settings, String name) {
        if (settings.hasOutboxDirectory()) {
            return settings.get(Parameters.OUTBOX_DIRECTORY);
        }
        File temp = context.tempDirectory();
        Path dir = temp != null ? temp.toPath().resolve("helloretail-outbox")
                : Path.of(System.getProperty("java.io.tmpdir"), name + "-outbox");
        if (settings.get(Parameters.ENABLED)) {
            LOG.warn("{} is not set: conversions wait for delivery in {}, which may not survive a restart or"
                    + " redeploy; set it to a persistent directory of this application's own",
                    Parameters.PARAM_OUTBOX_DIRECTORY, dir);
        }
        return dir;
    }

    static WebTracking get(WebApp context) {
        return (WebTracking) context.attribute(ATTRIBUTE);
    }

    /**
     * The application's tracker, for the shop's own code.
     *
     * @throws IllegalStateException when the application has none
     */
    static WebTracking required(WebApp context) {
        WebTracking web = get(context);
        if (web == null) {
            throw new IllegalStateException("no Hello Retail tracker in " + displayName(context)
                    + ": declare io.github.helloretail4j.servlet.PageViewFilter (or HelloRetailListener) in web.xml,"
                    + " or keep the jar's web-fragment.xml enabled, and set helloretail.websiteUuid");
        }
        return web;
    }

    /** Settings from system properties, environment and context-params (no filter). */
    static Settings contextSettings(WebApp context) {
        return Settings.resolve(Settings.Sources.of(Map.of(), context.initParameters()));
    }

    /**
     * What the listener does when the application starts: creates the tracker from the
     * context's settings unless a filter made one already. Null when there was one; else the
     * caller owns the result and closes it when the application stops.
     *
     * @throws IllegalArgumentException naming the parameter and value of a bad configuration
     */
    static WebTracking startForApplication(WebApp context) {
        if (get(context) != null) {
            return null;
        }
        return start(context, contextSettings(context));
    }

    /** Whether the listener adds the filter on /*, unless the application declares it itself. */
    boolean installsFilter() {
        return settings.get(Parameters.ENABLED) && settings.get(Parameters.INSTALL_FILTER);
    }

    /** Creates the application's tracker and publishes it; the caller owns it. */
    static WebTracking start(WebApp context, Settings settings) {
        WebTracking web = new WebTracking(context, settings);
        context.setAttribute(ATTRIBUTE, web);
        LOG.info("Hello Retail tracking for {}: {}", displayName(context), settings.describe());
        settings.deprecations().forEach(LOG::warn);
        return web;
    }

    /**
     * Publishes a tracker the application made itself (the Spring Boot starter's bean) as this
     * application's, with the settings the framework read, so that {@code HelloRetailWeb.tracker}
     * returns it and {@code PageViewFilter} uses both. The caller closes the result when the
     * application stops (the id stock, the attribute) and closes the tracker itself afterwards.
     *
     * @throws IllegalStateException when the application has a tracker already
     */
    static WebTracking adopt(WebApp context, Settings settings, HelloRetailTracker tracker) {
        if (get(context) != null) {
            throw new IllegalStateException(displayName(context) + " has a Hello Retail tracker already");
        }
        WebTracking web = new WebTracking(context, settings, tracker);
        context.setAttribute(ATTRIBUTE, web);
        // The tracker's own website and endpoint: one the application built may differ from the settings'.
        LOG.info("Hello Retail tracking for {} with the application's tracker: websiteUuid={}, endpoint={}, {}={}, {}={}",
                displayName(context), tracker.websiteUuid(), tracker.endpoint(), Parameters.PARAM_CONSENT_COOKIE,
                Objects.requireNonNullElse(settings.get(Parameters.CONSENT_COOKIE), Parameters.CONSENT_COOKIE.unset()),
                Parameters.PARAM_CREATE_TRACKING_USER, settings.get(Parameters.CREATE_TRACKING_USER));
        return web;
    }

    void close() {
        context.removeAttribute(ATTRIBUTE);
        if (ids != null) {
            ids.close();
        }
        if (ownsTracker) {
            tracker.close();
        }
    }

    /**
     * The visitor's valid, consented id: the one the filter gave this request, else the first
     * valid {@code hello_retail_id} cookie; null when there is none, or consent is required
     * and not given. {@code web} may be null (an application without a tracker): then no
     * consent is asked.
     */
    static String trackingUserId(WebTracking web, WebExchange request) {
        Object assigned = request.attribute(TRACKING_USER_ID_ATTRIBUTE);
        if (assigned instanceof String id && Ids.isTrackingUserId(id)) {
            return id;
        }
        if (web != null && !hasConsent(request, web.settings)) {
            return null;
        }
        return cookieId(request);
    }

    /** The first {@code hello_retail_id} cookie that is a valid id; others are ignored. */
    static String cookieId(WebExchange request) {
        return request.cookie(COOKIE_NAME, Ids::isTrackingUserId);
    }

    static boolean hasConsent(WebExchange request, Settings settings) {
        Parameters.ConsentCookie consent = settings.get(Parameters.CONSENT_COOKIE);
        return consent == null || request.cookie(consent.name(), consent.consents()) != null;
    }

    /**
     * Builds the conversion, with the visitor's id when the builder has none, and tracks it with
     * this application's tracker; never throws (see {@link HelloRetailTracker#tryTrackConversion}).
     * The builder is left as it was given.
     */
    ConversionResult trackConversion(Conversion.Builder builder, WebExchange request) {
        if (builder == null) {
            return tracker.tryTrackConversion((Conversion.Builder) null);
        }
        Conversion conversion;
        try {
            conversion = withVisitorId(builder::build, builder::trackingUserId,
                    c -> c.trackingUserId().isEmpty(), request);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // built again by the tracker, which logs and counts what is wrong with it
            return tracker.tryTrackConversion(builder);
        }
        return tracker.tryTrackConversion(conversion);
    }

    /** As {@link #trackConversion}, for the visitor's current cart; never throws for delivery. */
    Cart trackCart(Cart.Builder builder, WebExchange request) {
        Objects.requireNonNull(builder, "cart");
        Cart cart = withVisitorId(builder::build, builder::trackingUserId, c -> c.trackingUserId().isEmpty(), request);
        tracker.trackCart(cart);
        return cart;
    }

    /**
     * Builds (so a bad value throws as {@code build()} does) and, when what was built has no
     * tracking id, builds again with the visitor's; the builder is restored, the caller may
     * still hold it.
     */
    private <T> T withVisitorId(java.util.function.Supplier<T> build, java.util.function.Consumer<String> setId,
                                java.util.function.Predicate<T> lacksId, WebExchange request) {
        T built = build.get();
        if (lacksId.test(built)) {
            String id = trackingUserId(this, request);
            if (id != null) {
                setId.accept(id);
                try {
                    built = build.get();
                } finally {
                    setId.accept(null);
                }
            }
        }
        return built;
    }

    /** The init-params of a context or a filter, as a map. */
    static Map<String, String> params(java.util.Enumeration<String> names, java.util.function.UnaryOperator<String> value) {
        Map<String, String> params = new HashMap<>();
        for (String name : Collections.list(names)) {
            params.put(name, value.apply(name));
        }
        return params;
    }

    static String displayName(WebApp context) {
        String path = context.contextPath();
        return path.isEmpty() ? "the root web application" : "web application " + path;
    }

    /** {@code helloretail4j} for the root application, {@code helloretail4j.shop} for {@code /shop}. */
    static String trackerName(String contextPath) {
        String suffix = contextPath.replaceAll("[^A-Za-z0-9._-]", ".").replaceAll("^\\.+", "");
        String name = suffix.isEmpty() ? "helloretail4j" : "helloretail4j." + suffix;
        return name.length() > 64 ? name.substring(0, 64) : name;
    }
}
