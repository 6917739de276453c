package io.github.helloretail4j.servlet.internal;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.feed.OrderSource;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Not API: the servlet layer for a framework that reads the {@code helloretail.*} settings from
 * its own configuration and makes the tracker itself (the Spring Boot starter). Through it the
 * framework binds every setting, has its values checked as {@code web.xml} parameters are, builds
 * its tracker as the servlet layer would, and publishes that tracker where
 * {@code HelloRetailWeb.tracker} and {@code PageViewFilter} find it. It may change in any release.
 *
 * <p>The servlet layer keeps its setup package-private and hands this class the way in when its
 * implementation is initialised (the JDK's "shared secrets" pattern), so that no other type of
 * it turns public, and no other jar has to put classes in its package.
 */
public final class FrameworkSupport {

    /** What the servlet layer implements; registered once, by that implementation. */
    public interface Layer {
        List<Setting<?>> settings();

        FrameworkSettings check(Map<Setting<?>, String> values, Function<Setting<?>, String> name,
                                Function<Setting<?>, String> origin);

        Runnable publish(ServletContext context, FrameworkSettings settings, HelloRetailTracker tracker);

        Servlet orderFeed(FrameworkSettings settings, OrderSource source, DataSource dataSource);
    }

    /** The servlet layer's class that registers itself, in the servlet package. */
    private static final String IMPLEMENTATION = "io.github.helloretail4j.servlet.FrameworkLayer";

    private static volatile Layer layer;

    private FrameworkSupport() {
    }

    /** Called once, as the implementation is initialised. */
    public static void register(Layer implementation) {
        if (layer != null) {
            throw new IllegalStateException("already registered");
        }
        layer = implementation;
    }

    private static Layer layer() {
        Layer l = layer;
        if (l == null) {
            try {
                Class.forName(IMPLEMENTATION, true, FrameworkSupport.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(IMPLEMENTATION + " is missing beside " + FrameworkSupport.class.getName(), e);
            }
            l = layer;
        }
        return l;
    }

    /** Every setting, deprecated names included, in the order of the documentation. */
    public static List<Setting<?>> settings() {
        return layer().settings();
    }

    /**
     * Checks {@code values} (the settings the framework found, as a {@code web.xml} parameter would
     * give them: lists comma-separated; a setting not given takes its default) as {@code web.xml}
     * parameters are checked. A bad one is reported under {@code name.apply(setting)}, found at
     * {@code origin.apply(setting)} (null when unknown).
     *
     * @throws InvalidSettingException naming the setting, where it was found and the value
     */
    public static FrameworkSettings check(Map<Setting<?>, String> values, Function<Setting<?>, String> name,
                                          Function<Setting<?>, String> origin) {
        return layer().check(values, name, origin);
    }

    /**
     * Publishes {@code tracker} and the settings as the application's, for
     * {@code HelloRetailWeb.tracker} and for a {@code PageViewFilter} registered without
     * init-params. Call before the filter's {@code init}; run the result when the application
     * stops (it closes the stock of tracking ids, not the tracker).
     *
     * @throws IllegalStateException when the application has a tracker already
     */
    public static Runnable publish(ServletContext context, FrameworkSettings settings, HelloRetailTracker tracker) {
        return layer().publish(context, settings, tracker);
    }

    /**
     * The order feed servlet with the settings' user, password and zone, serving {@code source},
     * or when it is null the settings' query run on {@code dataSource}, checked now: a query that
     * lacks a column or that the database refuses fails, naming the query's setting.
     *
     * @throws InvalidSettingException naming the query's setting
     */
    public static Servlet orderFeed(FrameworkSettings settings, OrderSource source, DataSource dataSource) {
        return layer().orderFeed(settings, source, dataSource);
    }
}
