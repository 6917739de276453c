package io.github.helloretail4j.internal;

import io.github.helloretail4j.TrackerMetrics;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link TrackerMetrics.Counts}, cheap to bump from many threads. */
final class EventCounters {
    public final LongAdder tracked = new LongAdder();
    public final LongAdder delivered = new LongAdder();
    public final LongAdder notTracked = new LongAdder();
    public final LongAdder rejected = new LongAdder();
    public final LongAdder dropped = new LongAdder();
    public final LongAdder failed = new LongAdder();
    public final LongAdder abandoned = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder superseded = new LongAdder();
    public final LongAdder invalid = new LongAdder();

    public TrackerMetrics.Counts snapshot() {
        // Read the outcomes before "tracked" so a snapshot never shows a negative pending.
        long d = delivered.sum();
        long n = notTracked.sum();
        long r = rejected.sum();
        long dr = dropped.sum();
        long f = failed.sum();
        long a = abandoned.sum();
        long du = duplicates.sum();
        long re = retries.sum();
        long su = superseded.sum();
        long in = invalid.sum();
        return new TrackerMetrics.Counts(tracked.sum(), d, n, r, dr, f, a, du, re, su, in);
    }
}
