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
 *   <li>{@code helloretail.page.views}, {@code helloretail.conversions} and
 *       {@code helloretail.carts}, counters tagged {@code outcome}: delivered, notTracked,
 *       rejected, dropped, failed, abandoned (page views, carts), duplicates (conversions),
 *       superseded (carts); one event ends in one outcome;</li>
 *   <li>{@code helloretail.page.views.tracked}, {@code .conversions.tracked}, {@code .carts.tracked}:
 *       events handed to the tracker;</li>
 *   <li>{@code helloretail.page.views.pending}, {@code .conversions.pending}, {@code .carts.pending}:
 *       gauges of what is queued or (conversions) waiting in the outbox;</li>
 *   <li>{@code helloretail.page.views.retries}, {@code .conversions.retries}, {@code .carts.retries}:
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
        bind(registry, "helloretail.page.views", "page views", TrackerMetrics::pageViews, Kind.PAGE_VIEWS);
        bind(registry, "helloretail.conversions", "conversions", TrackerMetrics::conversions, Kind.CONVERSIONS);
        bind(registry, "helloretail.carts", "carts", TrackerMetrics::carts, Kind.CARTS);
        counter(registry, "helloretail.outbox.failures", null, "outbox operations that failed (a full disk, an I/O error)",
                m -> m.outboxFailures());
    }

    /** Which outcomes a kind of event can have beside those all share. */
    private enum Kind { PAGE_VIEWS, CONVERSIONS, CARTS }

    private void bind(MeterRegistry registry, String name, String what, Function<TrackerMetrics, TrackerMetrics.Counts> counts,
                      Kind kind) {
        boolean pageViews = kind != Kind.CONVERSIONS; // carts end like page views: given up, or abandoned
        counter(registry, name + ".tracked", null, what + " handed to the tracker", m -> counts.apply(m).tracked());
        counter(registry, name, "delivered", what + " recorded by Hello Retail", m -> counts.apply(m).delivered());
        counter(registry, name, "notTracked", what + " accepted as 'Not tracked for anonymous user'",
                m -> counts.apply(m).notTracked());
        counter(registry, name, "rejected", what + " refused by Hello Retail as invalid", m -> counts.apply(m).rejected());
        counter(registry, name, "dropped", what + " not queued (queue full, closed, disabled)", m -> counts.apply(m).dropped());
        counter(registry, name, "failed", pageViews ? what + " given up after the last attempt"
                : "conversions moved to the dead letters", m -> counts.apply(m).failed());
        if (pageViews) {
            counter(registry, name, "abandoned", what + " undelivered when the tracker closed",
                    m -> counts.apply(m).abandoned());
        } else {
            counter(registry, name, "duplicates", "conversions whose order number was submitted before",
                    m -> counts.apply(m).duplicates());
        }
        if (kind == Kind.CARTS) {
            counter(registry, name, "superseded", "carts replaced by a newer cart of the same visitor before they were sent",
                    m -> counts.apply(m).superseded());
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
