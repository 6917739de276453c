package io.github.helloretail4j.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory queue of events and their delivery, with several requests in flight and
 * one thread. The caller's thread only offers (lock-free, no wake-up). The requests are
 * asynchronous: when one is answered, the client's I/O thread settles it and at once starts the
 * next waiting event in its place, so that under load one wake-up of that thread serves every
 * answer that arrived and the requests that follow them, with no hand-off between threads. The
 * pipeline's own thread only looks at the queue every {@link #LINGER_NANOS} to start what came
 * while nothing was in flight, aborts requests past their deadline, and ends delivery at close.
 *
 * <p>At most {@code maxInFlight} requests are in flight. The collect API takes one event per
 * request, so each request in flight delivers at most one event per round trip: 20 per second
 * to a collector 50 ms away. What waits goes out together: the thread's look starts every event
 * that came in its {@link #LINGER_NANOS} (up to the limit), so that their answers arrive
 * together too. Only the first request after a start (or a window without answers) goes out
 * alone, until the collector has answered it. Requests in flight cost a socket each (or a stream
 * of one HTTP/2 connection), not a thread, so there is nothing to gain from growing their number
 * slowly; connections unused for a window (5 s) are closed. A failed attempt pauses the pipeline
 * (backoff with jitter, at least the collector's {@code Retry-After}); after the pause one
 * request goes out at a time until the collector answers again, so that an outage costs one
 * attempt per pause, and no thread.
 *
 * <h2>State</h2>
 * <ul>
 *   <li>{@link #life}: {@link Life#NEW} until the first event starts the thread,
 *       {@link Life#RUNNING}, then {@link Life#CLOSING}; it only moves forward.</li>
 *   <li>The flow, what may start now: {@link #failures} (failed attempts in a row: above 0, one
 *       request at a time), {@link #pausing} until {@link #resumeAt} (after a failure), and
 *       {@link #connected} (an answer came within the last window: until then, one request at
 *       a time). Written together under {@code this}, read without a lock by {@link #pump}.</li>
 *   <li>{@link #inFlight}, the requests started and not yet settled, and {@link #retries}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * <table>
 *   <caption>Which thread runs which method</caption>
 *   <tr><th>thread</th><th>methods</th></tr>
 *   <tr><td>the shop's request threads</td><td>{@link #offer} (and, once, {@code start})</td></tr>
 *   <tr><td>the pipeline's thread</td><td>{@code run}: {@code pump}, {@code finishedClosing}, aborting
 *       what is overdue, closing idle connections</td></tr>
 *   <tr><td>the client's I/O threads</td><td>{@code completed} for each answer: {@code settle},
 *       {@code pauseFor}, then {@code pump} (not while closing)</td></tr>
 *   <tr><td>the thread that closes the tracker</td><td>{@link #beginClose}, {@link #awaitTermination},
 *       {@link #stop}, {@link #liveThreads}</td></tr>
 * </table>
 */
final class Pipeline<T> implements DeliveryLoop.Items<Pipeline.Attempt<T>> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.delivery");

    /** Connections unused for this long are closed. */
    static final Duration IDLE_CONNECTION_WINDOW = Duration.ofSeconds(5);
    /**
     * How often the pipeline's thread looks for events that came while nothing was in flight.
     * What one look starts shares the I/O threads' wake-ups, and a wake-up is what an exchange
     * costs most: 50 ms took a quarter off the sender's CPU per page view at 500 req/s against
     * 20 ms, and 5 ms doubled it (benchmarks/HISTORY.md, "a look every 50 ms"). Nothing downstream notices a page
     * view arriving 50 ms later.
     */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String name;
    private final int maxInFlight;
    private final long windowNanos;
    private final String path;
    private final Function<T, byte[]> encoder;
    private final Sender sender;
    private final int maxAttempts;
    private final EventCounters counts;
    private final WorkQueue<T> queue;
    private final DeliveryLoop<Attempt<T>> loop;

    /** Where a pipeline is in its life. */
    enum Life {
        /** No event yet, no thread. */
        NEW,
        /** Its thread runs and events are taken. */
        RUNNING,
        /** No event is taken; what waits is delivered until the close deadline, then the thread ends. */
        CLOSING
    }

    private volatile Life life = Life.NEW;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Failed attempts to retry, oldest first, each not before its own time. */
    private final ConcurrentLinkedQueue<Attempt<T>> retries = new ConcurrentLinkedQueue<>();
    /** Failed attempts in a row; while above 0, one request at a time. Written under {@code this}. */
    private volatile int failures;
    /** True while no attempt may start before {@link #resumeAt} ({@link System#nanoTime} time). */
    private volatile boolean pausing;
    private volatile long resumeAt;
    /**
     * True once the collector answered within the last window: its connection is open and, on
     * https, its protocol known. Until then one request goes out alone, so that a burst does not
     * open a connection per request while the first one is still being set up (an HTTP/2
     * connection can be shared only once it is established).
     */
    private volatile boolean connected;
    private volatile long answeredAt;
    /** Set once under {@code this}; read by the I/O thread too. */
    private volatile Threads.Worker worker;

    /** An event in hand: its body, encoded once, and how often it was attempted. */
    static final class Attempt<T> {
        final T event;
        final byte[] body;
        int attempts;
        /** {@link #failures} when this attempt started: failures of attempts started together count once. */
        int failuresAtStart;
        long notBefore;

        Attempt(T event, byte[] body) {
            this.event = event;
            this.body = body;
        }
    }

    /**
     * @param name the name of the pipeline's thread, e.g. {@code helloretail4j-pageview}
     * @param maxInFlight most requests in flight at once
     * @param window connections unused for this long are closed
     * @param path the collect API path below the endpoint
     */
    Pipeline(String name, int maxInFlight, Duration window, WorkQueue<T> queue, String path,
             Function<T, byte[]> encoder, Sender sender, EventCounters counts) {
        this.name = name;
        this.maxInFlight = maxInFlight;
        this.windowNanos = window.toNanos();
        this.path = path;
        this.encoder = encoder;
        this.sender = sender;
        this.maxAttempts = sender.policy().maxAttempts();
        this.counts = counts;
        this.queue = queue;
        this.loop = new DeliveryLoop<>(this, sender, path, counts);
    }

    /** Counts the event as tracked and queues it; false (and counted dropped) when full or closed. */
    boolean offer(T event) {
        counts.tracked.increment();
        if (life == Life.NEW) {
            start();
        }
        if (queue.offer(event)) {
            return true;
        }
        counts.dropped.increment();
        return false;
    }

    private synchronized void start() {
        if (life != Life.NEW) {
            return;
        }
        worker = new Threads.Worker(name, this::run, () -> life != Life.CLOSING).start();
        life = Life.RUNNING;
    }

    /** The pipeline's thread: start what waits, abort what is overdue, end at close. */
    private void run() throws InterruptedException {
        long windowStart = System.nanoTime();
        while (true) {
            sender.abortOverdue();
            if (life == Life.CLOSING && finishedClosing()) {
                return;
            }
            pump();
            long now = System.nanoTime();
            if (now - windowStart >= windowNanos) {
                sender.closeIdle(Duration.ofNanos(windowNanos));
                if (now - answeredAt >= windowNanos) {
                    connected = false; // nothing answered for a window: its connections are closed now
                }
                windowStart = now;
            }
            LockSupport.parkNanos(this, LINGER_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException(); // not ours to swallow: the Worker starts a new thread
            }
        }
    }

    /**
     * While closing: true once nothing is left to deliver, or nothing more can be delivered before
     * the close deadline (what is left is counted abandoned by {@link #stop}).
     */
    private boolean finishedClosing() {
        boolean tooLate = sender.pastDeadline() || pausing && sender.tooLateFor(resumeAt);
        if (tooLate) {
            abandonRetries();
            return inFlight.get() == 0;
        }
        return inFlight.get() == 0 && retries.isEmpty() && queue.size() == 0;
    }

    /**
     * Starts attempts while fewer than the most are in flight (one after a failure) and no pause
     * holds them back. From the pipeline's thread and from the I/O thread after each answer; the
     * request thread never calls it.
     */
    private void pump() {
        while (true) {
            if (pausing) {
                if (System.nanoTime() - resumeAt < 0) {
                    return;
                }
                pausing = false;
            }
            int most = failures > 0 || !connected ? 1 : maxInFlight;
            int n = inFlight.get();
            if (n >= most) {
                return;
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            Attempt<T> a;
            try {
                a = nextAttempt();
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                throw e;
            }
            if (a == null) {
                inFlight.decrementAndGet();
                return;
            }
            start(a);
        }
    }

    /** A retry that is due, else the next event queued; null when there is neither. */
    private Attempt<T> nextAttempt() {
        Attempt<T> r = retries.peek();
        if (r != null && System.nanoTime() - r.notBefore >= 0 && retries.remove(r)) {
            if (!queue.superseded(r.event)) {
                return r;
            }
            // a newer one of the same key waits: retrying this one would only be overwritten
            counts.superseded.increment();
            queue.done(r.event);
        }
        T event = queue.poll();
        return event == null ? null : new Attempt<>(event, encoder.apply(event));
    }

    private void start(Attempt<T> a) {
        if (sender.pastDeadline()) {
            loop.abandon(a);
            queue.done(a.event);
            inFlight.decrementAndGet();
            return;
        }
        a.failuresAtStart = failures;
        sender.attempt(path, loop.body(a), outcome -> completed(a, outcome));
    }

    /** The outcome of an attempt, on the I/O thread: settle it, then start what may follow. */
    private void completed(Attempt<T> a, Outcome outcome) {
        boolean wasConnected = connected;
        try {
            settle(a, outcome);
        } catch (RuntimeException | Error e) {
            // nothing may escape into the client's I/O thread; the books stay balanced
            counts.failed.increment();
            queue.done(a.event);
            LOG.error("delivering a {} failed unexpectedly", path, e);
        } finally {
            inFlight.decrementAndGet();
        }
        if (life == Life.CLOSING) {
            // While closing only the pipeline's thread starts attempts. Woken now, it starts what
            // may still go and sees at once when nothing is left in flight; a pump here would
            // hold a slot for a moment, and a look of that thread in that moment would wait
            // LINGER_NANOS more, past the close deadline.
            wakeThread();
            return;
        }
        if (!wasConnected) {
            // The first answer: what waits is started by the thread's next look, within
            // LINGER_NANOS, once the client has taken this request's connection back (it does so
            // after this callback). Started here, each would open a connection of its own, where
            // on HTTP/2 they can all share the one just set up.
            return;
        }
        try {
            pump();
        } catch (RuntimeException | Error e) {
            // the pipeline's thread pumps again within LINGER_NANOS
            LOG.error("starting the next {} failed unexpectedly", path, e);
        }
    }

    private void settle(Attempt<T> a, Outcome outcome) {
        boolean failed = outcome.type() == Outcome.Type.RETRY;
        if (failed && sender.pastDeadline()) {
            loop.abandon(a);
            queue.done(a.event);
            return;
        }
        int inRow;
        synchronized (this) {
            if (!failed) {
                inRow = failures = 0;
                pausing = false;
                answeredAt = System.nanoTime();
                connected = true;
            } else {
                inRow = a.failuresAtStart == failures ? ++failures : failures;
            }
        }
        DeliveryLoop.After after;
        try {
            after = loop.settle(a, outcome, inRow);
        } catch (IOException e) {
            throw new AssertionError("a memory queue has no store", e);
        }
        if (after.pause() != null) {
            pauseFor(after.pause());
        }
    }

    private synchronized void pauseFor(Duration pause) {
        long until = System.nanoTime() + pause.toNanos();
        if (!pausing || until - resumeAt > 0) {
            resumeAt = until;
        }
        pausing = true;
    }

    private void abandonRetries() {
        Attempt<T> r;
        while ((r = retries.poll()) != null) {
            loop.abandon(r);
            queue.done(r.event);
        }
    }

    @Override
    public byte[] body(Attempt<T> a) {
        a.attempts++;
        return a.body;
    }

    @Override
    public boolean attemptedBefore(Attempt<T> a) {
        return a.attempts > 0;
    }

    @Override
    public boolean expired(Attempt<T> a) {
        return false;
    }

    @Override
    public boolean mayRetry(Attempt<T> a) {
        return a.attempts < maxAttempts;
    }

    @Override
    public void answered(Attempt<T> a, Outcome outcome) {
        queue.done(a.event);
    }

    @Override
    public void failed(Attempt<T> a, Outcome last) {
        queue.done(a.event);
    }

    @Override
    public void retryLater(Attempt<T> a, Outcome outcome, Duration pause) {
        a.notBefore = System.nanoTime() + pause.toNanos();
        retries.add(a);
    }

    @Override
    public boolean keepsWhatIsLeft() {
        return false;
    }

    /** Refuse new events; what is queued is delivered, and then the thread ends. */
    synchronized void beginClose() {
        life = Life.CLOSING;
        queue.beginClose();
        wakeThread();
    }

    /** Wakes the pipeline's thread from its look's wait, if it runs. */
    private void wakeThread() {
        Threads.Worker w = worker;
        Thread t = w == null ? null : w.thread();
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Waits for the thread to end, until {@code deadlineNanos}; true when it did. */
    boolean awaitTermination(long deadlineNanos) {
        Threads.Worker w;
        synchronized (this) {
            w = worker;
        }
        return w == null || w.joinUntil(deadlineNanos);
    }

    /** Hands out nothing more; the events left (queued or waiting to be retried) are counted abandoned. */
    int stop() {
        int left = queue.stop();
        counts.abandoned.add(left);
        Attempt<T> r;
        while ((r = retries.poll()) != null) {
            loop.abandon(r);
            left++;
        }
        return left;
    }

    /** The thread, while it runs; for close() to report and tests to check. */
    synchronized List<Thread> liveThreads() {
        return worker != null && worker.isAlive() ? List.of(worker.thread()) : List.of();
    }
}
