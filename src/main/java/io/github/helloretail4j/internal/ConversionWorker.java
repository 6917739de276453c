package io.github.helloretail4j.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that delivers conversions from the {@link Outbox}, a {@link DeliveryLoop} over
 * what waits there, oldest first.
 *
 * <p>Retries have no attempt limit; they end when the conversion is older than {@code maxAge},
 * and it goes to the dead letters. After a failed attempt the loop pauses (one pause for all
 * conversions, so an outage costs one attempt per pause, not one per conversion) and then tries
 * the <em>next</em> waiting conversion: one the collector keeps failing on does not hold back the
 * others. An outbox that fails (a full disk) never ends the thread: the failure is counted and
 * logged, the loop backs off, and it goes on once the disk works. When idle, and before each
 * pause, it makes the outcomes it recorded durable.
 */
final class ConversionWorker implements DeliveryLoop.Source<Outbox.Entry> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.delivery");

    private final Outbox outbox;
    private final HeldConversions held;
    private final EventCounters counts;
    private final OutboxHealth health;
    private final long maxAgeMillis;
    private final Clock clock;
    private final long pollNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Threads.Worker worker;
    private boolean started;
    private boolean wake;
    private volatile boolean closing;
    private long cursor;

    ConversionWorker(Outbox outbox, HeldConversions held, OutboxHealth health, Sender sender, EventCounters counts,
                     Duration maxAge, Clock clock, String path, String threadName) {
        this.outbox = outbox;
        this.held = held;
        this.counts = counts;
        this.health = health;
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
        Duration poll = outbox.pollInterval();
        this.pollNanos = poll == null ? Long.MAX_VALUE : poll.toNanos();
        DeliveryLoop<Outbox.Entry> loop = new DeliveryLoop<>(this, sender, path, counts);
        this.worker = new Threads.Worker(threadName, () -> loop.run(this), () -> !closing);
    }

    /** There is (new) work: starts the thread on first use, wakes it when idle. */
    void wake() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            if (!started) {
                started = true;
                worker.start();
            }
            wake = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Deliver what is waiting while the sender's close deadline allows, then end. */
    void beginClose() {
        lock.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    boolean awaitTermination(long deadlineNanos) {
        return worker.joinUntil(deadlineNanos);
    }

    boolean isAlive() {
        return worker.isAlive();
    }

    @Override
    public Outbox.Entry next() throws IOException, InterruptedException {
        while (true) {
            // What checkout code handed over while the outbox failed goes in first; a failure
            // here backs the loop off like any other of the outbox.
            held.writeTo(outbox, counts);
            Outbox.Entry e = outbox.next(cursor);
            if (e != null) {
                cursor = e.id();
                return e;
            }
            // Idle: what was recorded goes to disk now (and a log a failure left broken is
            // rebuilt; when that fails, the loop backs off and comes back here).
            outbox.sync();
            health.worked();
            if (!awaitWork()) {
                return null;
            }
        }
    }

    /** Waits for new work; false when closing and there is none. */
    private boolean awaitWork() throws InterruptedException {
        lock.lock();
        try {
            long left = pollNanos;
            while (!wake && !closing && left > 0) {
                left = pollNanos == Long.MAX_VALUE ? work.awaitNanos(TimeUnit.DAYS.toNanos(1)) : work.awaitNanos(left);
            }
            // woken for work, or closing: then only what is still waiting
            boolean more = wake || !closing;
            wake = false;
            return more || held.size() > 0 || outbox.pending() > 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] body(Outbox.Entry entry) {
        return entry.body();
    }

    @Override
    public boolean attemptedBefore(Outbox.Entry entry) {
        return entry.lastFailure() != null;
    }

    @Override
    public boolean expired(Outbox.Entry entry) {
        return clock.millis() - entry.createdAtMillis() > maxAgeMillis;
    }

    @Override
    public boolean mayRetry(Outbox.Entry entry) {
        return true;
    }

    @Override
    public void answered(Outbox.Entry entry, Outcome outcome) throws IOException {
        if (outcome.type() == Outcome.Type.REJECTED) {
            deadLetter(entry, "rejected", outcome);
            return;
        }
        try {
            outbox.delivered(entry, outcome.type() == Outcome.Type.DELIVERED
                    ? Outbox.Fate.DELIVERED : Outbox.Fate.NOT_TRACKED);
        } catch (IOException e) {
            // It was delivered, and the outbox hands it out no more; only its record waits for
            // the disk, which the next sync retries. Counted as delivered all the same.
            health.failed("to record a delivered conversion", e);
        }
    }

    @Override
    public void failed(Outbox.Entry entry, Outcome last) throws IOException {
        deadLetter(entry, "expired", entry.lastFailure());
    }

    private void deadLetter(Outbox.Entry entry, String reason, Outcome last) throws IOException {
        outbox.deadLetter(entry, reason, last, clock.instant());
        LOG.warn("conversion {} will not be sent ({}{}); it is kept with the dead letters of the {}",
                Messages.echo(entry.orderNumber()), reason, last == null ? "" : ": " + last.describe(), outbox.describe());
    }

    @Override
    public void retryLater(Outbox.Entry entry, Outcome outcome, Duration pause) throws IOException {
        outbox.failedAttempt(entry, outcome);
    }

    @Override
    public void beforePause() throws IOException {
        outbox.sync();
    }

    @Override
    public void storeFailed(IOException e) {
        health.failed("while delivering", e);
    }

    @Override
    public void giveBack(Outbox.Entry entry) {
        try {
            outbox.release(entry);
        } catch (IOException e) {
            // a shared outbox's lease hands it to another node later instead
            LOG.debug("could not hand back conversion {}: {}", Messages.echo(entry.orderNumber()), e.getMessage());
        }
    }

    @Override
    public boolean keepsWhatIsLeft() {
        return true;
    }
}
