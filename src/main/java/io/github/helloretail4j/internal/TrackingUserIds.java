package io.github.helloretail4j.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fresh visitor ids from Hello Retail's {@code trackingUser} endpoint, fetched ahead of time by
 * one background thread so that a request thread never waits for the network: {@link #take()}
 * hands out a ready id or, when none is ready (the collector is slow or down), nothing — that
 * visitor is tracked without an id this once and gets one on a later page.
 *
 * <p>Every call of the endpoint creates a tracking user, so only a few ids are kept in stock,
 * and an id older than {@code maxAge} is thrown away rather than handed out.
 */
public final class TrackingUserIds implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.filter");

    private record Fetched(String id, long atNanos) {
    }

    static final long CLOSE_WAIT_MILLIS = 200;

    private final CollectorClient client;
    private final byte[] request;
    private final int stock;
    private final long maxAgeNanos;
    private final String threadName;
    private final ArrayDeque<Fetched> ready = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wanted = lock.newCondition();
    private Threads.Worker fetcher;
    private boolean closed;

    /**
     * A stock of ids fetched from {@code endpoint}'s {@code trackingUser} over a connection of its
     * own, so that a busy page view sender never delays an id, nor an id a page view.
     *
     * @param trustStore the certificates to trust for https, or null for the JVM's own
     * @param name the fetcher thread's name
     */
    public static TrackingUserIds create(URI endpoint, String websiteUuid, KeyStore trustStore, int stock,
                                         Duration maxAge, Duration timeout, String name) {
        return new TrackingUserIds(new CollectorClient(endpoint, timeout, timeout, 1, "helloretail4j", trustStore,
                name), websiteUuid, stock, maxAge, name);
    }

    TrackingUserIds(CollectorClient client, String websiteUuid, int stock, Duration maxAge, String threadName) {
        this.client = client;
        this.request = Json.trackingUserRequest(websiteUuid);
        this.stock = stock;
        this.maxAgeNanos = maxAge.toNanos();
        this.threadName = threadName;
    }

    /** Starts filling the stock now, so that the first visitors find ids ready. */
    public void start() {
        lock.lock();
        try {
            startFetcher();
        } finally {
            lock.unlock();
        }
    }

    private void startFetcher() {
        if (fetcher == null && !closed) {
            fetcher = new Threads.Worker(threadName, this::fetchLoop, this::open).start();
        }
    }

    /** A ready id, or empty when none is; never waits. */
    public Optional<String> take() {
        lock.lock();
        try {
            if (closed) {
                return Optional.empty();
            }
            startFetcher();
            long now = System.nanoTime();
            Fetched f;
            while ((f = ready.pollFirst()) != null && now - f.atNanos() > maxAgeNanos) {
                // too old: drop it and look at the next
            }
            wanted.signal();
            return f == null ? Optional.empty() : Optional.of(f.id());
        } finally {
            lock.unlock();
        }
    }

    private boolean open() {
        lock.lock();
        try {
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the stock full until closed; an interrupt is thrown on, and the thread replaced. */
    private void fetchLoop() throws InterruptedException {
        long backoffMillis = 500;
        while (true) {
            lock.lock();
            try {
                while (!closed && ready.size() >= stock && !anyExpired()) {
                    wanted.await();
                }
                if (closed) {
                    return;
                }
                ready.removeIf(f -> System.nanoTime() - f.atNanos() > maxAgeNanos);
            } finally {
                lock.unlock();
            }
            try {
                String id = client.createTrackingUser(request);
                lock.lock();
                try {
                    ready.addLast(new Fetched(id, System.nanoTime()));
                } finally {
                    lock.unlock();
                }
                backoffMillis = 500;
            } catch (IOException e) {
                LOG.debug("could not create a Hello Retail tracking user: {}", e.getMessage());
                if (!pause(backoffMillis)) {
                    return;
                }
                backoffMillis = Math.min(backoffMillis * 2, 60_000);
            }
        }
    }

    private boolean anyExpired() {
        Fetched oldest = ready.peekFirst();
        return oldest != null && System.nanoTime() - oldest.atNanos() > maxAgeNanos;
    }

    private boolean pause(long millis) throws InterruptedException {
        lock.lock();
        try {
            long left = Duration.ofMillis(millis).toNanos();
            while (!closed && left > 0) {
                left = wanted.awaitNanos(left);
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the fetcher: a request in flight is aborted, so the thread ends at once; waits for it
     * at most {@value #CLOSE_WAIT_MILLIS} ms. The ids in stock are discarded.
     */
    @Override
    public void close() {
        Threads.Worker t;
        lock.lock();
        try {
            closed = true;
            ready.clear();
            wanted.signalAll();
            t = fetcher;
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        client.close(deadline);
        if (t != null) {
            t.joinUntil(deadline);
        }
    }
}
