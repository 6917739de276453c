package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.TrackerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether conversions have been failing for a long while: the policy behind the
 * {@code helloRetail} health indicator, a pure function of the tracker's counters as each health
 * check sees them, so it is tested without threads or clocks.
 *
 * <p>Two failures are followed apart, each as a streak that starts at the first check that sees
 * it and ends at the first check that sees it work again:
 * <ul>
 *   <li><b>delivery</b>: conversions wait and none was delivered since the last check, or
 *       Hello Retail rejected one or one went to the dead letters; it works again when a
 *       conversion is delivered;</li>
 *   <li><b>outbox</b>: an outbox operation failed (a full disk: {@code trackConversion} threw, or
 *       an outcome could not be made durable); it works again when a conversion was written
 *       with no failure beside it.</li>
 * </ul>
 * A streak also ends when it has shown no failure for {@code downAfter} (a single rejected
 * conversion is not an outage). DOWN while a streak is {@code downAfter} old or more; UP
 * otherwise, details either way. Conversions are not lost meanwhile: they wait in the outbox.
 */
final class ConversionHealth {

    /** What a check says. */
    record Verdict(boolean down, Map<String, Object> details) {
    }

    /** One failure's streak: since when, and the last check that saw it. */
    private record Streak(Instant since, Instant lastSeen) {
    }

    private final Duration downAfter;
    private TrackerMetrics last;
    private Streak delivery;
    private Streak outbox;

    /** {@code baseline}: the counters when the indicator was made, so a check compares with them. */
    ConversionHealth(Duration downAfter, TrackerMetrics baseline) {
        this.downAfter = downAfter;
        this.last = baseline;
    }

    synchronized Verdict check(TrackerMetrics now, Instant at) {
        TrackerMetrics.Counts c = now.conversions();
        TrackerMetrics.Counts p = last.conversions();
        boolean delivered = c.delivered() + c.notTracked() > p.delivered() + p.notTracked();
        boolean lost = c.rejected() + c.failed() > p.rejected() + p.failed();
        boolean stuck = c.pending() > 0 && !delivered;
        delivery = next(delivery, at, !delivered && (stuck || lost), delivered);

        boolean outboxFailed = now.outboxFailures() > last.outboxFailures();
        boolean written = c.tracked() > p.tracked();
        outbox = next(outbox, at, outboxFailed, written && !outboxFailed);
        last = now;

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("conversionsPending", c.pending());
        details.put("conversionsDelivered", c.delivered());
        details.put("conversionsRejected", c.rejected());
        details.put("conversionsFailed", c.failed());
        details.put("outboxFailures", now.outboxFailures());
        if (delivery != null) {
            details.put("conversionsFailingSince", delivery.since().toString());
        }
        if (outbox != null) {
            details.put("outboxFailingSince", outbox.since().toString());
        }
        details.put("downAfter", downAfter.toString());
        return new Verdict(isLong(delivery, at) || isLong(outbox, at), details);
    }

    private Streak next(Streak streak, Instant at, boolean failing, boolean works) {
        if (works) {
            return null;
        }
        if (failing) {
            return streak == null ? new Streak(at, at) : new Streak(streak.since(), at);
        }
        if (streak != null && !at.isBefore(streak.lastSeen().plus(downAfter))) {
            return null;
        }
        return streak;
    }

    private boolean isLong(Streak streak, Instant at) {
        return streak != null && !at.isBefore(streak.since().plus(downAfter));
    }
}
