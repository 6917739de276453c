package io.github.helloretail4j.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A bounded in-memory queue of events and the worker threads that deliver them, each running a
 * {@link DeliveryLoop}. The caller's thread only offers; the workers encode and send. Workers are
 * named daemon threads, stopped by {@link #beginClose} / {@link #awaitTermination} /
 * {@link #stop}; one that dies while the pipeline is open is replaced ({@link Threads.Worker}).
 *
 * <p>The number of workers follows the work, between one and {@code maxWorkers}. The collect API
 * takes one event per request, so a worker delivers at most one event per round trip: 20 per
 * second to a collector 50 ms away. The first worker starts with the first event and stays;
 * when a worker has just delivered (the collector answers; while it fails, more workers would
 * only wait) and still finds {@code growBacklog} or more events waiting, it starts another, up
 * to the maximum. A worker beyond the first ends when it spent less than half of the last window
 * (5 s) delivering. While the collector fails, nothing is delivered and no worker is added: an
 * outage does not cost threads.
 */
final class Pipeline<T> {
    /**
     * A worker beyond the first ends when it spent less than half of this delivering (or got no
     * work at all for this long).
     */
    static final Duration DEFAULT_WORKER_WINDOW = Duration.ofSeconds(5);

    private final String name;
    private final int maxWorkers;
    private final long windowNanos;
    private final int growBacklog;
    private final String path;
    private final Function<T, byte[]> encoder;
    private final Sender sender;
    private final int maxAttempts;
    private final EventCounters counts;
    private final WorkQueue<T> queue;
    private final Set<Threads.Worker> workers = new LinkedHashSet<>();
    private int workersStarted;
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param name thread name prefix, e.g. {@code helloretail4j-pageview}
     * @param maxWorkers most worker threads, each with at most one request in flight
     * @param workerWindow a worker beyond the first ends when it spent less than half of this
     *     delivering
     * @param capacity the queue's bound, which scales when more workers start
     * @param path the collect API path below the endpoint
     */
    Pipeline(String name, int maxWorkers, Duration workerWindow, int capacity, WorkQueue<T> queue, String path,
             Function<T, byte[]> encoder, Sender sender, EventCounters counts) {
        this.name = name;
        this.maxWorkers = maxWorkers;
        this.windowNanos = workerWindow.toNanos();
        // This many waiting events means the workers fall behind; small queues (tests) scale it down.
        this.growBacklog = Math.max(1, Math.min(64, capacity / 4));
        this.path = path;
        this.encoder = encoder;
        this.sender = sender;
        this.maxAttempts = sender.policy().maxAttempts();
        this.counts = counts;
        this.queue = queue;
    }

    /** Counts the event as tracked and queues it; false (and counted dropped) when full or closed. */
    boolean offer(T event) {
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
        if (!closed && workers.size() < maxWorkers) {
            startWorker(false);
        }
    }

    private void startWorker(boolean first) {
        Threads.Worker[] self = new Threads.Worker[1];
        self[0] = new Threads.Worker(name + "-" + ++workersStarted, () -> {
            Events events = new Events(first);
            try {
                new DeliveryLoop<>(events, sender, path, counts).run();
            } finally {
                events.releaseInHand(); // a key held by a dying worker must not block its successors
            }
            // Returned: it ended on purpose (idle, or closing) and is gone for good. One that
            // dies throws instead, stays listed, and its Worker starts a thread in its place.
            synchronized (this) {
                workers.remove(self[0]);
            }
        }, () -> !closed);
        workers.add(self[0]);
        self[0].start();
    }

    /** An event in hand: its body, encoded once, and how often it was attempted. */
    private final class Attempt {
        final T event;
        final byte[] body;
        int attempts;

        Attempt(T event) {
            this.event = event;
            this.body = encoder.apply(event);
        }
    }

    /** One worker's view of the queue: the event it retries, else the next one queued. */
    private final class Events implements DeliveryLoop.Source<Attempt> {
        private final boolean first;
        private Attempt retry;
        /** Taken from the queue and not yet {@code done}. */
        private Attempt inHand;
        // A worker beyond the first measures how much of each window it spends delivering, and
        // ends when that is under half: the others can take its share. (Waiting for work alone
        // would not do: idle workers all look at the queue every 20 ms, so at a steady trickle
        // each finds something now and then and none is ever idle for a whole window.)
        private long windowStart = System.nanoTime();
        private long busyNanos;
        private long handedOutAt;

        Events(boolean first) {
            this.first = first;
        }

        @Override
        public Attempt next() throws InterruptedException {
            long now = System.nanoTime();
            if (handedOutAt != 0) {
                busyNanos += now - handedOutAt;
                handedOutAt = 0;
            }
            if (retry != null) {
                Attempt a = retry;
                retry = null;
                if (!queue.superseded(a.event)) {
                    handedOutAt = System.nanoTime();
                    return a;
                }
                // a newer one of the same key waits: retrying this one would only be overwritten
                counts.superseded.increment();
                release(a);
            }
            if (!first && now - windowStart >= windowNanos) {
                if (busyNanos < (now - windowStart) / 2) {
                    return null;
                }
                windowStart = now;
                busyNanos = 0;
            }
            T event = first ? queue.take() : queue.take(windowNanos);
            if (event == null) {
                return null;
            }
            handedOutAt = System.nanoTime();
            inHand = new Attempt(event);
            return inHand;
        }

        private void release(Attempt a) {
            queue.done(a.event);
            if (inHand == a) {
                inHand = null;
            }
        }

        void releaseInHand() {
            if (inHand != null) {
                release(inHand);
            }
        }

        @Override
        public byte[] body(Attempt item) {
            item.attempts++;
            return item.body;
        }

        @Override
        public boolean attemptedBefore(Attempt item) {
            return item.attempts > 0;
        }

        @Override
        public boolean expired(Attempt item) {
            return false;
        }

        @Override
        public boolean mayRetry(Attempt item) {
            return item.attempts < maxAttempts;
        }

        @Override
        public void answered(Attempt item, Outcome outcome) {
            release(item);
            if (queue.size() >= growBacklog) {
                grow();
            }
        }

        @Override
        public void failed(Attempt item, Outcome last) {
            release(item);
        }

        @Override
        public void retryLater(Attempt item, Outcome outcome) {
            retry = item;
        }

        @Override
        public void beforePause() {
        }

        @Override
        public void storeFailed(java.io.IOException e) {
            throw new AssertionError("a memory queue has no store", e);
        }

        @Override
        public boolean keepsWhatIsLeft() {
            return false;
        }
    }

    /** Refuse new events; the workers deliver what is queued and then end. */
    synchronized void beginClose() {
        closed = true;
        queue.beginClose();
    }

    /** Waits for the workers to end, until {@code deadlineNanos}; true when they all did. */
    boolean awaitTermination(long deadlineNanos) {
        List<Threads.Worker> all;
        synchronized (this) {
            all = new ArrayList<>(workers);
        }
        for (Threads.Worker w : all) {
            if (!w.joinUntil(deadlineNanos)) {
                return false;
            }
        }
        return true;
    }

    /** Stops handing out events; the ones left in the queue are counted abandoned and returned. */
    int stop() {
        int left = queue.stop();
        counts.abandoned.add(left);
        return left;
    }

    /** The threads still running; for close() to report and tests to check. */
    synchronized List<Thread> liveThreads() {
        List<Thread> live = new ArrayList<>();
        for (Threads.Worker w : workers) {
            if (w.isAlive()) {
                live.add(w.thread());
            }
        }
        return live;
    }
}
