package io.github.helloretail4j.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory queue of events and the worker threads that deliver them through a
 * {@link Sender}. The caller's thread only offers; the workers encode and send. Workers are
 * named daemon threads, started on the first offer and stopped by {@link #beginClose} /
 * {@link #awaitTermination} / {@link #stop}.
 */
public final class Pipeline<T> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j");

    private final String name;
    private final int threadCount;
    private final String path;
    private final Function<T, byte[]> encoder;
    private final Sender sender;
    private final EventCounters counts;
    private final BoundedQueue<T> queue;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean started;
    private boolean closed;

    /**
     * @param name thread name prefix, e.g. {@code helloretail4j-pageview}
     * @param path the collect API path below the endpoint
     */
    public Pipeline(String name, int threadCount, int capacity, String path, Function<T, byte[]> encoder,
                    Sender sender, EventCounters counts) {
        this.name = name;
        this.threadCount = threadCount;
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
        for (int i = 1; i <= threadCount; i++) {
            threads.add(Threads.startDaemon(threadCount == 1 ? name : name + "-" + i, this::work));
        }
        started = true;
    }

    private void work() {
        try {
            T event;
            while ((event = queue.take()) != null) {
                try {
                    sender.deliver(path, encoder.apply(event), counts);
                } catch (RuntimeException e) {
                    counts.failed.increment();
                    LOG.error("could not send a {}; it is counted as failed", path, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left > 0) {
                    t.join(left / 1_000_000, (int) (left % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (t.isAlive()) {
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
