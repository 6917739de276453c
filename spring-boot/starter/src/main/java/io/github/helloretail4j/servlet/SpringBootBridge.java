package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;
import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Not API: the Spring Boot starter's way into the servlet layer, which keeps its setup
 * package-private. It lives in this package, in the starter's jar, so that the servlet layer
 * needs no public face for it: the starter's properties are checked by the same
 * {@link Settings} as {@code web.xml} parameters, the tracker is built from them as
 * {@link WebTracking} builds its own, and the application's tracker (a Spring bean) is
 * published where {@link HelloRetailWeb#tracker} and {@link PageViewFilter} find it.
 *
 * <p>Both jars are on one class loader in every Boot layout (the executable jar's
 * {@code BOOT-INF/lib}, a war's {@code WEB-INF/lib}, the class path), which package-private
 * access across the two needs.
 */
public final class SpringBootBridge {

    private SpringBootBridge() {
    }

    /** Parameters checked by {@link Settings}, opaque to the starter. */
    public static final class Checked {
        private final Settings settings;

        private Checked(Settings settings) {
            this.settings = settings;
        }

        /** Whether {@code helloretail.outboxDirectory} was set. */
        public boolean hasOutboxDirectory() {
            return settings.outboxDirectory != null;
        }

        /**
         * A builder with every tracker-wide setting, as the servlet layer configures its own
         * tracker; {@code defaultOutbox} when no outbox directory was set.
         */
        public HelloRetailTracker.Builder trackerBuilder(Path defaultOutbox, String name) {
            return WebTracking.trackerBuilder(settings,
                    settings.outboxDirectory != null ? settings.outboxDirectory : defaultOutbox, name);
        }

        /**
         * The same with no outbox directory at all, for a tracker the caller gives a DataSource
         * (the builder refuses an outbox directory beside it).
         */
        public HelloRetailTracker.Builder databaseTrackerBuilder(String name) {
            return WebTracking.trackerBuilder(settings, null, name);
        }
    }

    /**
     * Checks {@code parameters} (by web.xml name, {@code helloretail.websiteUuid}) as
     * {@code web.xml} parameters are checked, reporting a bad one under the framework's name and
     * origin.
     *
     * @throws IllegalArgumentException whose message starts with {@code name.apply(parameter)}
     */
    public static Checked check(Map<String, String> parameters, UnaryOperator<String> name,
                                UnaryOperator<String> origin) {
        return new Checked(Settings.fromFramework(parameters, name, origin));
    }

    /**
     * Publishes {@code tracker} and the settings as the application's, for
     * {@link HelloRetailWeb#tracker} and for a {@link PageViewFilter} registered without
     * init-params. Call before the filter's {@code init}; run the result when the application
     * stops (it closes the stock of tracking ids, not the tracker).
     */
    public static Runnable publish(ServletContext context, Checked checked, HelloRetailTracker tracker) {
        WebTracking web = WebTracking.adopt(new ServletWebApp(context), checked.settings, tracker);
        return web::close;
    }
}
