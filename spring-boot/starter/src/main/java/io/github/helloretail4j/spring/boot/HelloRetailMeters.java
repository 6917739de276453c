package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.TrackerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The tracker's counters ({@link TrackerMetrics}) as Micrometer meters, read from the tracker
 * whenever the registry asks, so they cost nothing between scrapes:
 * <ul>
 *   <li>{@code helloretail.page.views} and {@code helloretail.conversions}, counters tagged
 *       {@code outcome}: delivered, notTracked, rejected, dropped, failed, abandoned (page
 *       views), duplicates (conversions); one event ends in one outcome;</li>
 *   <li>{@code helloretail.page.views.tracked}, {@code helloretail.conversions.tracked}: events
 *       handed to the tracker;</li>
 *   <li>{@code helloretail.page.views.pending}, {@code helloretail.conversions.pending}: gauges
 *       of what is queued or (conversions) waiting in the outbox;</li>
 *   <li>{@code helloretail.page.views.retries}, {@code helloretail.conversions.retries}:
 *       attempts beyond the first;</li>
 *   <li>{@code helloretail.outbox.failures}: outbox operations that failed (a full disk).</li>
 * </ul>
 */
final class HelloRetailMeters implements MeterBinder {

    private final HelloRetailTracker tracker;

    HelloRetailMeters(HelloRetailTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        bind(registry, "helloretail.page.views", "page views", TrackerMetrics::pageViews, true);
        bind(registry, "helloretail.conversions", "conversions", TrackerMetrics::conversions, false);
        counter(registry, "helloretail.outbox.failures", null, "outbox operations that failed (a full disk, an I/O error)",
                m -> m.outboxFailures());
    }

    private void bind(MeterRegistry registry, String name, String what, Function<TrackerMetrics, TrackerMetrics.Counts> counts,
                      boolean pageViews) {
        counter(registry, name + ".tracked", null, what + " handed to the tracker", m -> counts.apply(m).tracked());
        counter(registry, name, "delivered", what + " recorded by Hello Retail", m -> counts.apply(m).delivered());
        counter(registry, name, "notTracked", what + " accepted as 'Not tracked for anonymous user'",
                m -> counts.apply(m).notTracked());
        counter(registry, name, "rejected", what + " refused by Hello Retail as invalid", m -> counts.apply(m).rejected());
        counter(registry, name, "dropped", what + " not queued (queue full, closed, disabled)", m -> counts.apply(m).dropped());
        counter(registry, name, "failed", pageViews ? "page views given up after the last attempt"
                : "conversions moved to the dead letters", m -> counts.apply(m).failed());
        if (pageViews) {
            counter(registry, name, "abandoned", "page views undelivered when the tracker closed",
                    m -> counts.apply(m).abandoned());
        } else {
            counter(registry, name, "duplicates", "conversions whose order number was submitted before",
                    m -> counts.apply(m).duplicates());
        }
        counter(registry, name + ".retries", null, "attempts beyond the first", m -> counts.apply(m).retries());
        Gauge.builder(name + ".pending", tracker, gauge(m -> counts.apply(m).pending()))
                .description(what + " queued or being delivered" + (pageViews ? "" : ", or waiting in the outbox"))
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String outcome, String description,
                         java.util.function.ToLongFunction<TrackerMetrics> count) {
        FunctionCounter.Builder<HelloRetailTracker> builder = FunctionCounter.builder(name, tracker,
                gauge(count)).description(description);
        if (outcome != null) {
            builder.tag("outcome", outcome);
        }
        builder.register(registry);
    }

    private static ToDoubleFunction<HelloRetailTracker> gauge(java.util.function.ToLongFunction<TrackerMetrics> count) {
        return t -> count.applyAsLong(t.metrics());
    }
}
