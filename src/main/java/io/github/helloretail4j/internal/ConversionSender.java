package io.github.helloretail4j.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that delivers conversions from the {@link Outbox}, oldest first, and removes
 * each once Hello Retail has answered for good.
 *
 * <p>Retries have no attempt limit; they end when the conversion is older than {@code maxAge},
 * and it goes to the {@link DeadLetters}. After a failed attempt the thread pauses (backoff with
 * jitter, shared by all conversions, so an outage costs one attempt per pause, not one per
 * conversion) and then tries the <em>next</em> waiting conversion: one conversion the collector
 * keeps failing on does not hold back the others.
 */
public final class ConversionSender {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j");

    private final FileOutbox outbox;
    private final Sender sender;
    private final EventCounters counts;
    private final DeadLetters deadLetters;
    private final long maxAgeMillis;
    private final Clock clock;
    private final String path;
    private final String threadName;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Map<Long, Outcome> lastFailure = new HashMap<>();
    private Thread thread;
    private boolean wake;
    private boolean closing;

    public ConversionSender(FileOutbox outbox, Sender sender, EventCounters counts, DeadLetters deadLetters,
                            Duration maxAge, Clock clock, String path, String threadName) {
        this.outbox = outbox;
        this.sender = sender;
        this.counts = counts;
        this.deadLetters = deadLetters;
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
        this.path = path;
        this.threadName = threadName;
    }

    /** There is (new) work: starts the thread on first use, wakes it when idle. */
    public void wake() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            if (thread == null) {
                thread = Threads.startDaemon(threadName, this::run);
            }
            wake = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Deliver what is waiting while the sender's close deadline allows, then end. */
    public void beginClose() {
        lock.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    public boolean awaitTermination(long deadlineNanos) {
        Thread t;
        lock.lock();
        try {
            t = thread;
        } finally {
            lock.unlock();
        }
        return t == null || Threads.joinUntil(t, deadlineNanos);
    }

    public boolean isAlive() {
        lock.lock();
        try {
            return thread != null && thread.isAlive();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long cursor = 0;
        int failures = 0;
        while (true) {
            FileOutbox.Entry entry;
            try {
                entry = outbox.nextAfter(cursor);
                if (entry == null) {
                    outbox.flush();
                    if (!awaitWork()) {
                        return;
                    }
                    continue;
                }
            } catch (IOException | IllegalStateException e) {
                LOG.error("the Hello Retail outbox failed; conversions stay on disk for the next start", e);
                return;
            }
            if (sender.pastDeadline()) {
                return;
            }
            cursor = entry.id();
            try {
                if (clock.millis() - entry.createdAtMillis() > maxAgeMillis) {
                    deadLetter(entry, "expired", lastFailure.get(entry.id()));
                    counts.failed.increment();
                    continue;
                }
                Outcome outcome = sender.attempt(path, entry.body());
                switch (outcome.type()) {
                    case DELIVERED -> {
                        outbox.done(entry, FileOutbox.DELIVERED);
                        counts.delivered.increment();
                        lastFailure.remove(entry.id());
                        failures = 0;
                    }
                    case NOT_TRACKED -> {
                        outbox.done(entry, FileOutbox.NOT_TRACKED);
                        counts.notTracked.increment();
                        lastFailure.remove(entry.id());
                        failures = 0;
                    }
                    case REJECTED -> {
                        deadLetter(entry, "rejected", outcome);
                        counts.rejected.increment();
                    }
                    case RETRY -> {
                        lastFailure.put(entry.id(), outcome);
                        counts.retries.increment();
                        failures++;
                        Duration delay = sender.policy().delay(failures, outcome.retryAfter(),
                                ThreadLocalRandom.current().nextDouble());
                        sender.logTrouble(path, outcome, "conversions wait in the outbox; next attempt in "
                                + delay.toMillis() + " ms");
                        if (!sender.pause(delay)) {
                            return;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // A full disk while recording the outcome: the conversion stays waiting and is
                // tried again; at worst it is sent twice.
                LOG.error("could not record the outcome of conversion {} in the outbox", Check.echo(entry.orderNumber()), e);
                if (!sender.pause(sender.policy().delay(++failures, null, 0.5))) {
                    return;
                }
            }
        }
    }

    private void deadLetter(FileOutbox.Entry entry, String reason, Outcome last) throws IOException {
        deadLetters.write(entry, reason, last, clock.instant());
        outbox.done(entry, FileOutbox.DEAD_LETTER);
        lastFailure.remove(entry.id());
        LOG.warn("conversion {} will not be sent ({}{}); it is kept in {}", Check.echo(entry.orderNumber()), reason,
                last == null ? "" : ": " + last.describe(),
                deadLetters.file());
    }

    /** Waits for new work; false when closing and there is none. */
    private boolean awaitWork() {
        lock.lock();
        try {
            while (!wake && !closing) {
                work.awaitUninterruptibly();
            }
            // woken for work, or closing: then only what is still waiting
            boolean more = wake;
            wake = false;
            return more || outbox.pendingCount() > 0;
        } finally {
            lock.unlock();
        }
    }
}
