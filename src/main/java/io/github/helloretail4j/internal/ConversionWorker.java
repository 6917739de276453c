package io.github.helloretail4j.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that delivers conversions from the {@link Outbox}, oldest first, with up to
 * {@code window} requests in flight at once: a collector 50 ms away takes one conversion per
 * round trip and request, so one at a time would cap a node at 20 a second. The thread takes
 * what it can start from the outbox ({@link Outbox#take}, which never hands out one that is out
 * already, on this node or, for a shared outbox, on any), starts the requests without waiting,
 * and records the answers as they come back, a batch at a time ({@link Outbox#delivered(List)},
 * {@link Outbox#failedAttempts(List)}).
 * The steps of every delivery (budget, outcome, counting, logging) are the {@link DeliveryLoop}'s.
 *
 * <p>Retries have no attempt limit; they end when the conversion is older than {@code maxAge},
 * and it goes to the dead letters. A failed attempt pauses the whole loop, once: the failures of
 * requests that were already in flight when the pause began count no further (each is recorded,
 * none pauses again), and after the pause one request goes out alone, the window opening again
 * only once the collector has answered it. So an outage costs one attempt per pause, not one per
 * conversion in flight. After a pause the <em>next</em> waiting conversion goes out: one the
 * collector keeps failing on does not hold back the others. An outbox that fails (a full disk)
 * never ends the thread: the failure is counted and logged, the loop backs off, and it goes on
 * once the disk works. When idle, and before each pause, it makes the outcomes it recorded
 * durable.
 *
 * <p>At the close deadline no request starts any more; those in flight are let finish (their
 * attempts' hard deadline bounds the wait), so that a close never sends an order again that may
 * have arrived, and what was taken and not started is handed back ({@link Outbox#release}).
 */
final class ConversionWorker implements DeliveryLoop.Items<Outbox.Entry> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.delivery");
    /**
     * While requests are in flight the thread looks at least this often for those past their
     * hard deadline ({@link Sender#abortOverdue}): the asynchronous client does not end them itself.
     */
    private static final long OVERDUE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A request in flight: its conversion, and the pause round it started in. */
    private record Attempt(Outbox.Entry entry, long round) {
    }

    /** An attempt's outcome, waiting for the thread to record it. */
    private record Answer(Attempt attempt, Outcome outcome) {
    }

    private final Outbox outbox;
    private final HeldConversions held;
    private final EventCounters counts;
    private final OutboxHealth health;
    private final Sender sender;
    private final String path;
    private final int window;
    /**
     * While a backlog waits, take more once this many places in the window are free (or none is
     * in flight): fewer, larger claims, not one round trip to the database per answer.
     */
    private final int refill;
    private final long maxAgeMillis;
    private final Clock clock;
    private final long pollNanos;
    private final DeliveryLoop<Outbox.Entry> loop;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled for new work, for an answer, and for the close. */
    private final Condition work = lock.newCondition();
    private final Threads.Worker worker;
    private boolean started;
    private boolean wake;
    /**
     * The thread waits and new work would end its wait. Otherwise (paused after a failure, busy)
     * {@link #wake} only leaves word: a shop accepting thousands of orders a second while the
     * collector is down would else wake it for nothing on every one.
     */
    private boolean waitsForWork;
    private volatile boolean closing;

    // Guarded by lock: the client's I/O threads hand answers over here.
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    private int inFlight;

    // The delivery thread's own (kept in fields, so that a thread that takes over from one that
    // died finds the requests still in flight).
    private long cursor;
    /** Failed attempts in a row, for the backoff; 0 after an answer. */
    private int failures;
    private int storeFailures;
    /** Counts the pauses: a failure of an attempt started before the current pause began does not pause again. */
    private long round;
    /** No request starts before this ({@link System#nanoTime}); meaningful while {@link #paused}. */
    private long pauseEndNanos;
    private boolean paused;
    /** After a failure's pause, one request at a time until the collector answers one. */
    private boolean probing;
    private final List<Outbox.Done> done = new ArrayList<>();
    private final List<Outbox.Failed> failedAttempts = new ArrayList<>();
    /** The last take filled the room it was given: more waits, and is taken {@link #refill} at a time. */
    private boolean backlog;

    ConversionWorker(Outbox outbox, HeldConversions held, OutboxHealth health, Sender sender, EventCounters counts,
                     Duration maxAge, Clock clock, String path, String threadName, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1: " + window);
        }
        this.outbox = outbox;
        this.held = held;
        this.counts = counts;
        this.health = health;
        this.sender = sender;
        this.path = path;
        this.window = window;
        this.refill = Math.max(1, window / 4);
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
        Duration poll = outbox.pollInterval();
        this.pollNanos = poll == null ? Long.MAX_VALUE : poll.toNanos();
        this.loop = new DeliveryLoop<>(this, sender, path, counts);
        this.worker = new Threads.Worker(threadName, this::run, () -> !closing);
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
            if (waitsForWork) {
                work.signal();
            }
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

    /**
     * Takes, starts and records until there is nothing more (closing) or the close deadline has
     * passed; returns only with nothing in flight.
     *
     * @throws InterruptedException when the thread is interrupted; its supervisor replaces it
     */
    private void run() throws InterruptedException {
        while (true) {
            try {
                record();
                if (sender.pastDeadline() || (paused && sender.tooLateFor(pauseEndNanos))) {
                    // No request starts any more; those in flight are let finish and recorded.
                    finishInFlight();
                    return;
                }
                if (paused) {
                    if (System.nanoTime() - pauseEndNanos < 0) {
                        awaitAnswerUntil(pauseEndNanos, false);
                        continue;
                    }
                    paused = false;
                }
                int inFlightNow = outstanding();
                int room = (probing ? 1 : window) - inFlightNow;
                if (room > 0 && (room >= refill || !backlog || inFlightNow == 0 || probing)) {
                    // What checkout code handed over while the outbox failed goes in first; a
                    // failure here backs the loop off like any other of the outbox.
                    held.writeTo(outbox, counts);
                    List<Outbox.Entry> taken = outbox.take(cursor, room);
                    backlog = taken.size() == room;
                    if (!taken.isEmpty()) {
                        cursor = taken.get(taken.size() - 1).id();
                        start(taken);
                        storeFailures = 0;
                        continue;
                    }
                    if (inFlightNow == 0) {
                        // Idle: what was recorded goes to disk now (and a log a failure left
                        // broken is rebuilt; when that fails, the loop backs off and comes back).
                        outbox.sync();
                        health.worked();
                        storeFailures = 0;
                        if (!awaitWork()) {
                            return;
                        }
                        continue;
                    }
                    // nothing more waits: a new conversion may go out before the answers come
                    awaitAnswerUntil(System.nanoTime() + OVERDUE_CHECK_NANOS, true);
                    continue;
                }
                // the window is full, or fills again once a batch of places is free: only answers count
                awaitAnswerUntil(System.nanoTime() + OVERDUE_CHECK_NANOS, false);
            } catch (IOException e) {
                // Undone by the store; what it concerned waits as it did. Back off, then go on;
                // requests in flight meanwhile are recorded as they come back.
                health.failed("while delivering", e);
                pause(sender.policy().delay(++storeFailures, null, ThreadLocalRandom.current().nextDouble()));
            }
        }
    }

    /** Starts a request for each conversion taken, unless it is past its age or the close deadline. */
    private void start(List<Outbox.Entry> taken) throws IOException {
        for (int i = 0; i < taken.size(); i++) {
            Outbox.Entry entry = taken.get(i);
            if (sender.pastDeadline()) {
                for (Outbox.Entry left : taken.subList(i, taken.size())) {
                    giveBack(left);
                }
                return;
            }
            try {
                if (loop.expire(entry)) {
                    continue;
                }
            } catch (IOException e) {
                // its dead letter could not be written: the ones after it go back, and the loop backs off
                for (Outbox.Entry left : taken.subList(i + 1, taken.size())) {
                    giveBack(left);
                }
                throw e;
            }
            Attempt attempt = new Attempt(entry, round);
            byte[] body = loop.body(entry);
            lock.lock();
            try {
                inFlight++;
            } finally {
                lock.unlock();
            }
            sender.attempt(path, body, outcome -> answered(attempt, outcome));
        }
    }

    /** On the client's I/O thread (or this one, when the request could not start): hands the outcome over. */
    private void answered(Attempt attempt, Outcome outcome) {
        lock.lock();
        try {
            answers.addLast(new Answer(attempt, outcome));
            inFlight--;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    private int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Requests in flight and answers not yet recorded: what takes a place in the window, so that
     * what a killed node may have sent without recording it stays within the window.
     */
    private int outstanding() {
        lock.lock();
        try {
            return inFlight + answers.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the answers that came back: each acted on and counted ({@link DeliveryLoop#settle}),
     * the deliveries among them in one batch. The first failure of an attempt started since the
     * last pause pauses the loop.
     */
    private void record() throws IOException {
        boolean syncBeforePause = false;
        while (true) {
            Answer a;
            lock.lock();
            try {
                a = answers.pollFirst();
            } finally {
                lock.unlock();
            }
            if (a == null) {
                break;
            }
            Outcome outcome = a.outcome();
            boolean pauses = outcome.type() == Outcome.Type.RETRY && a.attempt().round() == round;
            if (outcome.type() != Outcome.Type.RETRY) {
                failures = 0;
                probing = false;
            } else if (pauses) {
                failures++;
            }
            DeliveryLoop.After after;
            try {
                after = loop.settle(a.attempt().entry(), outcome, Math.max(1, failures));
            } catch (IOException e) {
                try {
                    flushOutcomes();
                } catch (IOException also) {
                    e.addSuppressed(also);
                }
                throw e;
            }
            if (pauses && after.pause() != null) {
                round++;
                probing = true;
                pause(after.pause());
                syncBeforePause = true;
            }
        }
        flushOutcomes();
        if (syncBeforePause) {
            // before the pause, what was recorded reaches the disk: the deliveries of this batch too
            outbox.sync();
        }
    }

    /** The loop starts no request for {@code delay} (requests in flight go on and are recorded). */
    private void pause(Duration delay) {
        long end = System.nanoTime() + delay.toNanos();
        if (!paused || end - pauseEndNanos > 0) {
            pauseEndNanos = end;
        }
        paused = true;
    }

    /**
     * Records the deliveries and the failed attempts of this batch of answers, each kind in one
     * batch. When that fails they are kept and recorded again after the backoff: the deliveries
     * were delivered, and counted so; until their record is written, a shared outbox's lease
     * keeps other nodes from sending them (and the file outbox hands out no conversion it took an
     * outcome for), and no take comes before the records are written.
     */
    private void flushOutcomes() throws IOException {
        if (!done.isEmpty()) {
            outbox.delivered(List.copyOf(done));
            done.clear();
        }
        if (!failedAttempts.isEmpty()) {
            outbox.failedAttempts(List.copyOf(failedAttempts));
            failedAttempts.clear();
        }
    }

    /** At the close deadline: waits for the requests in flight and records their outcomes. */
    private void finishInFlight() throws InterruptedException {
        while (true) {
            try {
                record();
            } catch (IOException e) {
                health.failed("while delivering", e);
            }
            if (inFlight() == 0) {
                lock.lock();
                try {
                    if (answers.isEmpty()) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                continue;
            }
            awaitAnswerUntil(System.nanoTime() + OVERDUE_CHECK_NANOS, false);
        }
    }

    /**
     * Waits for an answer, the close, or {@code untilNanos}; with {@code forWork} also for new
     * work (a place in the window and conversions that may be waiting). Ends requests in flight
     * past their hard deadline.
     */
    private void awaitAnswerUntil(long untilNanos, boolean forWork) throws InterruptedException {
        lock.lock();
        try {
            boolean wasClosing = closing;
            waitsForWork = forWork;
            while (answers.isEmpty() && !(forWork && wake) && closing == wasClosing) {
                long left = untilNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                work.awaitNanos(inFlight > 0 ? Math.min(left, OVERDUE_CHECK_NANOS) : left);
                if (inFlight > 0) {
                    break;
                }
            }
            waitsForWork = false;
            if (forWork) {
                wake = false;
            }
        } finally {
            lock.unlock();
        }
        sender.abortOverdue();
    }

    /** Waits for new work; false when closing and there is none. */
    private boolean awaitWork() throws InterruptedException {
        lock.lock();
        try {
            long left = pollNanos;
            waitsForWork = true;
            while (!wake && !closing && left > 0) {
                left = pollNanos == Long.MAX_VALUE ? work.awaitNanos(TimeUnit.DAYS.toNanos(1)) : work.awaitNanos(left);
            }
            waitsForWork = false;
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
        // recorded with the others of this batch of answers
        done.add(new Outbox.Done(entry, outcome.type() == Outcome.Type.DELIVERED
                ? Outbox.Fate.DELIVERED : Outbox.Fate.NOT_TRACKED));
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
    public void retryLater(Outbox.Entry entry, Outcome outcome, Duration pause) {
        // recorded with the others of this batch of answers
        failedAttempts.add(new Outbox.Failed(entry, outcome));
    }

    /** Hands back a conversion taken and not attempted: it may go out again at once (from another node). */
    private void giveBack(Outbox.Entry entry) {
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
