package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Another jar's library, for measuring it beside this build's in one JVM ({@link B6RoundTrip},
 * {@link B10ConversionRoundTrip}): loaded by a class loader over that jar alone (parent: the
 * platform class loader, so its httpclient5, Jackson and SLF4J are its own), and driven by
 * reflection through the public API both builds share.
 */
final class AnotherBuild {
    final ClassLoader loader;
    final Class<?> tracker;
    private final Method builder;
    private final Method websiteUuid;
    private final Method endpoint;
    private final Method trackerName;
    private final Method closeTimeout;
    private final Method build;
    private final Method metrics;
    private final Method close;

    AnotherBuild(String loaderName, Path jar) throws Exception {
        @SuppressWarnings("resource") // lives as long as this JVM
        ClassLoader l = new URLClassLoader(loaderName, new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        loader = l;
        tracker = loader.loadClass(HelloRetailTracker.class.getName());
        if (tracker.getClassLoader() != loader) {
            throw new IllegalStateException("the other build's tracker came from " + tracker.getClassLoader());
        }
        builder = tracker.getMethod("builder");
        websiteUuid = builderMethod("websiteUuid", String.class);
        endpoint = builderMethod("endpoint", URI.class);
        trackerName = builderMethod("name", String.class);
        closeTimeout = builderMethod("closeTimeout", Duration.class);
        build = builderMethod("build");
        metrics = tracker.getMethod("metrics");
        close = tracker.getMethod("close");
    }

    /** A method of the other build's {@code HelloRetailTracker.Builder}. */
    Method builderMethod(String name, Class<?>... parameters) throws NoSuchMethodException {
        return builder.getReturnType().getMethod(name, parameters);
    }

    /** The type {@code metrics().<first>()...} returns, for looking up its methods. */
    Class<?> metricsType() {
        return metrics.getReturnType();
    }

    /** A builder for the benchmarks' website, named, sending to {@code to}, closing at once. */
    Object builder(String name, URI to) {
        Object b = call(builder, null);
        call(websiteUuid, b, ShopApp.WEBSITE_UUID);
        call(endpoint, b, to);
        call(trackerName, b, name);
        call(closeTimeout, b, Duration.ZERO);
        return b;
    }

    Object build(Object builder) {
        return call(build, builder);
    }

    Object metrics(Object tracker) {
        return call(metrics, tracker);
    }

    void close(Object tracker) {
        call(close, tracker);
    }

    /** Invokes {@code m}, throwing what it threw (a checked exception wrapped). */
    static Object call(Method m, Object target, Object... args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
