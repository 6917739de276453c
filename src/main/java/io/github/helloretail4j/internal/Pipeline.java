package io.github.helloretail4j.internal;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory queue of events and the worker threads that deliver them through a
 * {@link Sender}. The caller's thread only offers; the workers encode and send. Workers are
 * named daemon threads, stopped by {@link #beginClose} / {@link #awaitTermination} /
 * {@link #stop}.
 *
 * <p>The number of workers follows the work, between one and {@code maxWorkers}. The collect API
 * takes one event per request, so a worker delivers at most one event per round trip: 20 per
 * second to a collector 50 ms away. The first worker starts with the first event and stays;
 * when a worker has just delivered (the collector answers; while it fails, more workers would
 * only wait) and still finds {@code growBacklog} or more events waiting, it starts another, up
 * to the maximum. A
 * worker beyond the first ends when it spent less than half of the last window (5 s) delivering.
 * While the collector fails, nothing is delivered and no worker is added: an outage does not
 * cost threads.
 */
public final class Pipeline<T> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j");
    /**
     * A worker beyond the first ends when it spent less than half of this delivering (or got no
     * work at all for this long).
     */
    public static final Duration DEFAULT_WORKER_WINDOW = Duration.ofSeconds(5);

    private final String name;
    private final int maxWorkers;
    private final long windowNanos;
    private final int growBacklog;
    private final String path;
    private final Function<T, byte[]> encoder;
    private final Sender sender;
    private final EventCounters counts;
    private final BoundedQueue<T> queue;
    private final Set<Thread> threads = new LinkedHashSet<>();
    private int workersStarted;
    private volatile boolean started;
    private boolean closed;

    /**
     * @param name thread name prefix, e.g. {@code helloretail4j-pageview}
     * @param maxWorkers most worker threads, each with at most one request in flight
     * @param workerWindow a worker beyond the first ends when it spent less than half of this
     *     delivering
     * @param path the collect API path below the endpoint
     */
    public Pipeline(String name, int maxWorkers, Duration workerWindow, int capacity, String path,
                    Function<T, byte[]> encoder, Sender sender, EventCounters counts) {
        this.name = name;
        this.maxWorkers = maxWorkers;
        this.windowNanos = workerWindow.toNanos();
        // This many waiting events means the workers fall behind; small queues (tests) scale it down.
        this.growBacklog = Math.max(1, Math.min(64, capacity / 4));
        this.path = path;
        this.encoder = encoder;
        this.sender = sender;
        this.counts = counts;
        this.queue = new BoundedQueue<>(capacity);
    }

    /** Counts the event as tracked and queues it; false (and counted dropped) when full or closed. */
    public boolean offer(T event) {
        counts.tracked.increment();
        if (!started) {
            start();
        }
        if (queue.offer(event)) {
            return true;
        }
        counts.dropped.increment();
        return false;
    }

    private synchronized void start() {
        if (started || closed) {
            return;
        }
        startWorker(true);
        started = true;
    }

    /** Another worker, when the backlog calls for one and the maximum allows it. */
    private synchronized void grow() {
        if (!closed && threads.size() < maxWorkers) {
            startWorker(false);
        }
    }

    private void startWorker(boolean first) {
        int number = ++workersStarted;
        threads.add(Threads.startDaemon(name + "-" + number, () -> work(first)));
    }

    private void work(boolean first) {
        // A worker beyond the first measures how much of each window it spends delivering, and
        // ends when that is under half: the others can take its share. (Waiting for work alone
        // would not do: idle workers all look at the queue every 20 ms, so at a steady trickle
        // each finds something now and then and none is ever idle for a whole window.)
        long windowStart = System.nanoTime();
        long busyNanos = 0;
        try {
            T event;
            while ((event = first ? queue.take() : queue.take(windowNanos)) != null) {
                long start = System.nanoTime();
                Outcome.Type result;
                try {
                    result = sender.deliver(path, encoder.apply(event), counts);
                } catch (RuntimeException e) {
                    counts.failed.increment();
                    LOG.error("could not send a {}; it is counted as failed", path, e);
                    result = Outcome.Type.RETRY;
                }
                long now = System.nanoTime();
                if (result != Outcome.Type.RETRY && queue.size() >= growBacklog) {
                    grow();
                }
                if (!first) {
                    busyNanos += now - start;
                    if (now - windowStart >= windowNanos) {
                        if (busyNanos < (now - windowStart) / 2) {
                            return;
                        }
                        windowStart = now;
                        busyNanos = 0;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                threads.remove(Thread.currentThread());
            }
        }
    }

    /** Refuse new events; the workers deliver what is queued and then end. */
    public synchronized void beginClose() {
        closed = true;
        queue.beginClose();
    }

    /** Waits for the workers to end, until {@code deadlineNanos}; true when they all did. */
    public boolean awaitTermination(long deadlineNanos) {
        List<Thread> all;
        synchronized (this) {
            all = List.copyOf(threads);
        }
        for (Thread t : all) {
            if (!Threads.joinUntil(t, deadlineNanos)) {
                return false;
            }
        }
        return true;
    }

    /** Stops handing out events; the ones left in the queue are counted abandoned and returned. */
    public int stop() {
        int left = queue.stop();
        counts.abandoned.add(left);
        return left;
    }

    /** The threads still running; for close() to report and tests to check. */
    public synchronized List<Thread> liveThreads() {
        return threads.stream().filter(Thread::isAlive).toList();
    }
}
