package io.github.helloretail4j.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The steps of every delivery of a tracker: take the next item, attempt it once, act on the
 * answer. Page views and carts use them ({@link #body}, {@link #settle}, {@link #abandon}) from
 * their {@link Pipeline}, conversions from their {@link ConversionWorker}; both keep several
 * attempts in flight. After a failed attempt comes a pause (backoff with jitter over the failures
 * in a row, never shorter than the collector's {@code Retry-After}) before the next attempt, so
 * that an outage costs one attempt per pause. Every outcome of a delivery is counted here and
 * nowhere else.
 *
 * <p>What differs lives in the {@link Items}: how long one may be retried (a budget of attempts
 * for page views, of age for conversions), and where outcomes are recorded (nowhere, or the
 * outbox).
 */
final class DeliveryLoop<T> {

    /** What a loop's items are: their bodies, their budget, and where their outcomes go. */
    interface Items<T> {
        byte[] body(T item);

        /** True when it was attempted before, so that the next attempt is a retry. */
        boolean attemptedBefore(T item);

        /** True when it is past its budget before its next attempt: it is given up as failed. */
        boolean expired(T item);

        /** After a failed attempt: true when it may be attempted again. */
        boolean mayRetry(T item);

        /**
         * The collector answered for good (delivered, not tracked, or rejected).
         *
         * @throws IOException when the outcome could not be recorded and the item still waits
         */
        void answered(T item, Outcome outcome) throws IOException;

        /** Given up (out of budget); {@code last} is its last failure, null when none is known. */
        void failed(T item, Outcome last) throws IOException;

        /** The attempt failed and the item will be attempted again, after {@code pause} at the earliest. */
        void retryLater(T item, Outcome outcome, Duration pause) throws IOException;

        /**
         * True when what is left at the close deadline stays stored for the next start (conversions);
         * false when it is lost and counted abandoned (page views).
         */
        boolean keepsWhatIsLeft();
    }

    private final Items<T> items;
    private final Sender sender;
    private final String path;
    private final EventCounters counts;

    DeliveryLoop(Items<T> items, Sender sender, String path, EventCounters counts) {
        this.items = items;
        this.sender = sender;
        this.path = path;
        this.counts = counts;
    }

    /**
     * Before an attempt: true when the item is past its budget, and then it is settled as failed.
     *
     * @throws IOException when that could not be recorded
     */
    boolean expire(T item) throws IOException {
        if (!items.expired(item)) {
            return false;
        }
        items.failed(item, null);
        counts.failed.increment();
        return true;
    }

    /** The body to send for the item's next attempt; counts the attempt as a retry when it is one. */
    byte[] body(T item) {
        if (items.attemptedBefore(item)) {
            counts.retries.increment();
        }
        return items.body(item);
    }

    /**
     * What follows an attempt.
     *
     * @param pause null after an answer, else the pause before the next attempt
     * @param retried true when the item is to be attempted again, false when it is settled
     */
    record After(Duration pause, boolean retried) {
        static final After ANSWERED = new After(null, false);
    }

    /**
     * Acts on an attempt's outcome and counts it: the collector's answer settles the item; a
     * failure has it retried later (or, out of budget, settled as failed) and says how long to
     * pause before the next attempt.
     *
     * @param failures the failed attempts in a row, this one included (0 after an answer)
     * @throws IOException when the outcome could not be recorded and the item still waits
     */
    After settle(T item, Outcome outcome, int failures) throws IOException {
        if (outcome.type() != Outcome.Type.RETRY) {
            items.answered(item, outcome);
            count(outcome.type());
            return After.ANSWERED;
        }
        Duration delay = sender.policy().delay(failures, outcome.retryAfter(),
                ThreadLocalRandom.current().nextDouble());
        if (items.mayRetry(item)) {
            items.retryLater(item, outcome, delay);
            sender.logTrouble(path, outcome, (items.keepsWhatIsLeft() ? "they wait in the outbox; " : "")
                    + "next attempt in " + delay.toMillis() + " ms");
            return new After(delay, true);
        }
        items.failed(item, outcome);
        counts.failed.increment();
        sender.logTrouble(path, outcome, "giving one up after its last attempt");
        return new After(delay, false);
    }

    /** Left undelivered at the close deadline: counted abandoned, unless the source keeps it. */
    void abandon(T item) {
        if (item != null && !items.keepsWhatIsLeft()) {
            counts.abandoned.increment();
        }
    }

    private void count(Outcome.Type type) {
        switch (type) {
            case DELIVERED -> counts.delivered.increment();
            case NOT_TRACKED -> counts.notTracked.increment();
            case REJECTED -> counts.rejected.increment();
            case RETRY -> throw new AssertionError(type);
        }
    }
}
