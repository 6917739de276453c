package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Check;
import io.github.helloretail4j.internal.TrackingUserIds;
import jakarta.servlet.ServletContext;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web application's one tracker, kept as a context attribute, with the settings it was
 * made from and, when {@code helloretail.createTrackingUser} is on, the stock of fresh ids.
 * Made by whichever starts first, {@link HelloRetailListener} or {@link PageViewFilter}, and
 * closed by the same one when the application stops.
 */
final class WebTracking {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j");

    static final String ATTRIBUTE = WebTracking.class.getName();
    /** Few ids in stock: each one is a tracking user created at Hello Retail. */
    private static final int ID_STOCK = 4;
    private static final Duration ID_MAX_AGE = Duration.ofHours(1);
    private static final Duration ID_TIMEOUT = Duration.ofSeconds(2);

    final Settings settings;
    final HelloRetailTracker tracker;
    final TrackingUserIds ids;
    private final ServletContext context;

    private WebTracking(ServletContext context, Settings settings) {
        this.context = context;
        this.settings = settings;
        String name = trackerName(context.getContextPath());
        Path outbox = outboxDirectory(context, settings, name);
        try {
            this.tracker = HelloRetailTracker.builder()
                    .enabled(settings.enabled)
                    .websiteUuid(settings.websiteUuid)
                    .endpoint(settings.endpoint)
                    .outboxDirectory(outbox)
                    .trustStore(settings.trustStore)
                    .senderThreads(settings.senderThreads)
                    .name(name)
                    .build();
        } catch (UncheckedIOException e) {
            // the tracker's message names the directory and the failure; say which setting it came from
            throw new IllegalArgumentException(PageViewFilter.PARAM_OUTBOX_DIRECTORY
                    + (settings.outboxDirectory == null ? " (not set: the container's temp directory) " : " ")
                    + Check.echo(outbox) + " cannot be used: " + Check.describe(e.getCause()), e);
        }
        this.ids = settings.enabled && settings.createTrackingUser
                ? TrackingUserIds.create(settings.endpoint, settings.websiteUuid, settings.trustStore, ID_STOCK,
                        ID_MAX_AGE, ID_TIMEOUT, name + "-trackinguser")
                : null;
        if (ids != null && settings.consentCookieName == null) {
            // With the application, so that its first visitors find ids ready. Where consent is
            // required, not before a consenting visitor asks for one: no id is made before consent.
            ids.start();
        }
    }

    /** The configured directory, else one in the container's temp directory for this application. */
    private static Path outboxDirectory(ServletContext context, Settings settings, String name) {
        if (settings.outboxDirectory != null) {
            return settings.outboxDirectory;
        }
        Object temp = context.getAttribute(ServletContext.TEMPDIR);
        Path dir = temp instanceof File f ? f.toPath().resolve("helloretail-outbox")
                : Path.of(System.getProperty("java.io.tmpdir"), name + "-outbox");
        if (settings.enabled) {
            LOG.warn("{} is not set: conversions wait for delivery in {}, which may not survive a restart or"
                    + " redeploy; set it to a persistent directory of this application's own",
                    PageViewFilter.PARAM_OUTBOX_DIRECTORY, dir);
        }
        return dir;
    }

    static WebTracking get(ServletContext context) {
        return (WebTracking) context.getAttribute(ATTRIBUTE);
    }

    /** Settings from system properties, environment and context-params (no filter). */
    static Settings contextSettings(ServletContext context) {
        return Settings.resolve(Settings.Sources.of(Map.of(), contextParams(context)));
    }

    /** Creates the application's tracker and publishes it; the caller owns it. */
    static WebTracking start(ServletContext context, Settings settings) {
        WebTracking web = new WebTracking(context, settings);
        context.setAttribute(ATTRIBUTE, web);
        LOG.info("Hello Retail tracking for {}: {}", displayName(context), settings.describe());
        return web;
    }

    void close() {
        context.removeAttribute(ATTRIBUTE);
        if (ids != null) {
            ids.close();
        }
        tracker.close();
    }

    static Map<String, String> contextParams(ServletContext context) {
        return params(context.getInitParameterNames(), context::getInitParameter);
    }

    /** The init-params of a context or a filter, as a map. */
    static Map<String, String> params(java.util.Enumeration<String> names, java.util.function.UnaryOperator<String> value) {
        Map<String, String> params = new HashMap<>();
        for (String name : Collections.list(names)) {
            params.put(name, value.apply(name));
        }
        return params;
    }

    static String displayName(ServletContext context) {
        String path = context.getContextPath();
        return path.isEmpty() ? "the root web application" : "web application " + path;
    }

    /** {@code helloretail4j} for the root application, {@code helloretail4j.shop} for {@code /shop}. */
    static String trackerName(String contextPath) {
        String suffix = contextPath.replaceAll("[^A-Za-z0-9._-]", ".").replaceAll("^\\.+", "");
        String name = suffix.isEmpty() ? "helloretail4j" : "helloretail4j." + suffix;
        return name.length() > 64 ? name.substring(0, 64) : name;
    }
}
