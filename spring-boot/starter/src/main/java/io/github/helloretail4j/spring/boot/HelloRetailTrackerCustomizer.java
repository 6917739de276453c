package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;

/**
 * Adjusts the starter's tracker before it is built, for what has no property (queue size,
 * timeouts, backoff, its name): every bean of this type is called, in {@code @Order}, on the
 * builder the {@code helloretail.*} properties configured. Not called when the application
 * defines its own {@link HelloRetailTracker} bean.
 */
@FunctionalInterface
public interface HelloRetailTrackerCustomizer {

    void customize(HelloRetailTracker.Builder builder);
}
