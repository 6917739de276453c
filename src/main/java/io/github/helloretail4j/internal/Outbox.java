package io.github.helloretail4j.internal;

import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;

/**
 * Where conversions wait until Hello Retail has them: the policy the {@link Engine} relies on,
 * whatever keeps the conversions (a log file in a directory of this node's, {@link FileOutbox};
 * or a table in the shop's database that several nodes share).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #add} returns only once the conversion is durable, or refuses it as a duplicate
 *       when its order number was added before (within the outbox's memory of order numbers).</li>
 *   <li>Every method that changes the outbox either does its whole change or, when it throws,
 *       none of it, and the outbox stays usable: after an {@code IOException} from {@code add},
 *       nothing of that conversion remains (not waiting, not remembered, never sent), so the
 *       caller may add it again. This is Tape's promise for its {@code QueueFile}.</li>
 *   <li>{@link #next} hands out conversions to attempt; one handed out stays waiting until
 *       {@link #delivered} or {@link #deadLetter} says otherwise (at least once).</li>
 *   <li>Outcomes ({@code delivered}, {@code deadLetter}) may be made durable lazily, but are
 *       durable once {@link #sync} returns.</li>
 * </ul>
 * Implementations are safe for use by several threads: the shop's threads add while the
 * engine's conversion thread takes and records (and has several conversions out at once, each
 * taken by {@link #take}).
 */
interface Outbox extends Closeable {

    enum Added { ACCEPTED, DUPLICATE }

    /** How a conversion stopped waiting. */
    enum Fate {
        /** Hello Retail recorded it. */
        DELIVERED,
        /** Hello Retail accepted it without recording it ("Not tracked for anonymous user"). */
        NOT_TRACKED
    }

    /**
     * A conversion waiting for delivery.
     *
     * @param id unique within the outbox, increasing in the order conversions were added
     * @param createdAtMillis when it was added, epoch milliseconds
     * @param body the JSON to POST
     * @param lastFailure the answer to its last failed attempt, or null when none is known
     */
    record Entry(long id, long createdAtMillis, String orderNumber, byte[] body, Outcome lastFailure) {
    }

    /**
     * Adds a conversion and returns once it is durable; or refuses it, when its order number
     * was added before, without changing anything.
     *
     * @throws IOException when it is not durable; then nothing of it remains
     * @throws IllegalArgumentException when it is larger than the outbox can keep
     */
    Added add(String orderNumber, byte[] body) throws IOException;

    /**
     * Adds a conversion within the caller's transaction, on the caller's connection, which is
     * used as given (never committed, rolled back or switched to auto-commit).
     *
     * @throws IllegalStateException when this outbox does not keep conversions in a database
     */
    default Added add(Connection connection, String orderNumber, byte[] body) throws IOException {
        throw new IllegalStateException("this tracker keeps conversions in " + describe()
                + ", not in a database: build it with outboxDataSource to track conversions on a Connection");
    }

    /**
     * The next conversion to attempt after the one with {@code afterId}, wrapping around to the
     * oldest, so that one the collector keeps failing on does not hold back the others; null
     * when none waits.
     */
    Entry next(long afterId) throws IOException;

    /**
     * Up to {@code max} conversions to attempt now, in the order {@link #next} would hand them
     * out (after the one with {@code afterId}, then from the oldest again), none of them one that
     * an earlier {@code take} handed out and that is still out: so that an order number is never
     * in flight twice. One taken is out until {@link #delivered}, {@link #deadLetter},
     * {@link #failedAttempt} or {@link #release} (a shared outbox keeps a conversion whose request
     * may have arrived out until its lease ends, on every node).
     */
    List<Entry> take(long afterId, int max) throws IOException;

    /**
     * Hands back a conversion from {@link #next} that was not attempted, so that it may be
     * attempted again at once (by another node of a shared outbox). Never for one whose
     * request started: whether that arrived is not known.
     */
    default void release(Entry entry) throws IOException {
    }

    /** Records that Hello Retail answered for good: the conversion is sent no more. */
    void delivered(Entry entry, Fate fate) throws IOException;

    /** A conversion Hello Retail answered for good, for {@link #delivered(List)}. */
    record Done(Entry entry, Fate fate) {
    }

    /**
     * As {@link #delivered(Entry, Fate)} for several conversions, in one round trip where the
     * outbox can. When it throws, each conversion whose record failed is as after a failed
     * {@code delivered(Entry, Fate)}; the others are recorded.
     */
    default void delivered(List<Done> done) throws IOException {
        each(done, d -> delivered(d.entry(), d.fate()));
    }

    /**
     * Remembers the answer to a failed attempt, for the dead letter it may end as. When the
     * request may have reached Hello Retail ({@link Outcome#mayHaveArrived()}), a shared outbox
     * leaves the conversion with this node until its lease ends, so that no other node sends it
     * again while the first request may still be recorded.
     */
    void failedAttempt(Entry entry, Outcome outcome) throws IOException;

    /** A failed attempt, for {@link #failedAttempts}. */
    record Failed(Entry entry, Outcome outcome) {
    }

    /**
     * As {@link #failedAttempt} for several conversions, in one round trip where the outbox can:
     * an outage fails a whole window of requests at once. When it throws, each conversion whose
     * record failed is as after a failed {@code failedAttempt}; the others are recorded.
     */
    default void failedAttempts(List<Failed> failed) throws IOException {
        each(failed, f -> failedAttempt(f.entry(), f.outcome()));
    }

    /** Records one outcome, for {@link #each}. */
    interface Recording<T> {
        void record(T outcome) throws IOException;
    }

    /** Records every one, also after a failure; then throws the first failure, the others suppressed. */
    private static <T> void each(List<T> outcomes, Recording<T> recording) throws IOException {
        IOException first = null;
        for (T outcome : outcomes) {
            try {
                recording.record(outcome);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Moves a conversion that will never be sent (refused, or too old) to the dead letters,
     * with the reason and the collector's last answer, and sends it no more.
     */
    void deadLetter(Entry entry, String reason, Outcome last, Instant now) throws IOException;

    /** Makes every outcome recorded so far durable. */
    void sync() throws IOException;

    /**
     * How often an idle conversion thread looks again for conversions it was not told of (those
     * other nodes added to a shared outbox); null when {@link #add} is the only way in.
     */
    default java.time.Duration pollInterval() {
        return null;
    }

    /** Conversions waiting for delivery. */
    int pending();

    /** Conversions found waiting when the outbox was opened. */
    int recovered();

    /** What was wrong with the stored conversions when they were read, one line per problem. */
    List<String> recoveryProblems();

    /** Where the conversions are kept, for messages: {@code outbox directory /var/lib/shop/hr}. */
    String describe();

    /**
     * Makes what is recorded durable and releases what the outbox holds. A conversion whose
     * outcome is unknown is not handed to another node. Idempotent.
     */
    @Override
    void close() throws IOException;
}
