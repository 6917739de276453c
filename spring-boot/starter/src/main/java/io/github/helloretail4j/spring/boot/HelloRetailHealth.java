package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import java.time.Clock;
import java.time.Duration;

/**
 * What both generations' health indicators share: the policy ({@link ConversionHealth}) fed
 * with the tracker's counters at each health check. Boot 3 and Boot 4 name the indicator's
 * interface differently, so each has a thin adapter of its own
 * ({@link HelloRetailHealthAutoConfiguration}, {@link HelloRetailHealthContributorAutoConfiguration}).
 */
final class HelloRetailHealth {

    private final HelloRetailTracker tracker;
    private final ConversionHealth policy;
    private final Clock clock;

    HelloRetailHealth(HelloRetailTracker tracker, HelloRetailProperties properties, Clock clock) {
        Duration downAfter = properties.getHealth().getDownAfter();
        if (downAfter == null || downAfter.isNegative() || downAfter.isZero()) {
            throw new HelloRetailConfigurationException("helloretail.health.down-after",
                    "helloretail.health.down-after must be more than zero: " + downAfter, null);
        }
        this.tracker = tracker;
        this.clock = clock;
        this.policy = new ConversionHealth(downAfter, tracker.metrics());
    }

    ConversionHealth.Verdict check() {
        return policy.check(tracker.metrics(), clock.instant());
    }
}
