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
 *       {@code helloretail.carts}, counters tagged {@code outcome}: how events ended, one
 *       outcome each: delivered, notTracked, rejected, dropped, failed; abandoned (page views,
 *       carts); duplicates and invalid (conversions); superseded (carts);</li>
 *   <li>{@code helloretail.page.views.tracked}, {@code .conversions.tracked}, {@code .carts.tracked}:
 *       events handed to the tracker;</li>
 *   <li>{@code helloretail.page.views.pending}, {@code .conversions.pending}, {@code .carts.pending}:
 *       gauges of what is queued or (conversions) waiting in the outbox or in memory;</li>
 *   <li>{@code helloretail.page.views.retries}, {@code .conversions.retries}, {@code .carts.retries}:
 *       attempts beyond the first;</li>
 *   <li>{@code helloretail.page.views.without.visitor.id}: page views not tracked because the
 *       visitor had no {@code hello_retail_id};</li>
 *   <li>{@code helloretail.conversions.in.memory}: gauge of conversions held in memory while the
 *       outbox could not take them;</li>
 *   <li>{@code helloretail.outbox.failures}: outbox operations that failed (a full disk).</li>
 * </ul>
 * Meters of one name share one description (Prometheus keeps one per name), so the description of
 * a counter tagged {@code outcome} names every outcome it counts.
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
        counter(registry, "helloretail.page.views.without.visitor.id", null, "page views not tracked because the"
                + " visitor had no hello_retail_id (no Hello Retail script, and createTrackingUser off)",
                TrackerMetrics::pageViewsWithoutVisitorId);
        Gauge.builder("helloretail.conversions.in.memory", tracker, gauge(TrackerMetrics::conversionsInMemory))
                .description("conversions held in memory because the outbox could not take them; written once it can")
                .register(registry);
        counter(registry, "helloretail.outbox.failures", null, "outbox operations that failed (a full disk, an I/O error)",
                TrackerMetrics::outboxFailures);
    }

    /** Which outcomes a kind of event can have beside those all share. */
    private enum Kind { PAGE_VIEWS, CONVERSIONS, CARTS }

    private void bind(MeterRegistry registry, String name, String what, Function<TrackerMetrics, TrackerMetrics.Counts> counts,
                      Kind kind) {
        boolean pageViews = kind != Kind.CONVERSIONS; // carts end like page views: given up, or abandoned
        String outcomes = what + " by how they ended (tag outcome): delivered, notTracked (accepted as 'Not tracked"
                + " for anonymous user'), rejected (refused by Hello Retail as invalid), dropped ("
                + (pageViews ? "not queued: queue full, closed, disabled), failed (given up after the last attempt),"
                        + " abandoned (undelivered when the tracker closed)"
                        : "not kept: closed, disabled, memory full), failed (moved to the dead letters), duplicates"
                        + " (order number submitted before), invalid (could not be built)")
                + (kind == Kind.CARTS ? ", superseded (replaced by a newer cart of the same visitor)" : "");
        counter(registry, name + ".tracked", null, what + " handed to the tracker", m -> counts.apply(m).tracked());
        counter(registry, name, "delivered", outcomes, m -> counts.apply(m).delivered());
        counter(registry, name, "notTracked", outcomes, m -> counts.apply(m).notTracked());
        counter(registry, name, "rejected", outcomes, m -> counts.apply(m).rejected());
        counter(registry, name, "dropped", outcomes, m -> counts.apply(m).dropped());
        counter(registry, name, "failed", outcomes, m -> counts.apply(m).failed());
        if (pageViews) {
            counter(registry, name, "abandoned", outcomes, m -> counts.apply(m).abandoned());
        } else {
            counter(registry, name, "duplicates", outcomes, m -> counts.apply(m).duplicates());
            counter(registry, name, "invalid", outcomes, m -> counts.apply(m).invalid());
        }
        if (kind == Kind.CARTS) {
            counter(registry, name, "superseded", outcomes, m -> counts.apply(m).superseded());
        }
        counter(registry, name + ".retries", null, what + " attempts beyond the first", m -> counts.apply(m).retries());
        Gauge.builder(name + ".pending", tracker, gauge(m -> counts.apply(m).pending()))
                .description(what + " queued or being delivered"
                        + (pageViews ? "" : ", or waiting in the outbox or in memory"))
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
