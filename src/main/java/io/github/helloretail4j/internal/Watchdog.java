package io.github.helloretail4j.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.core5.concurrent.Cancellable;

/**
 * Aborts requests that run past their deadline. One daemon thread, started with the first
 * request, looks over the requests in flight a few times per deadline; a request only puts
 * itself in a map and takes itself out. (A timer task per request would wake this thread on
 * every request, which costs more CPU than the request's own bookkeeping.)
 */
final class Watchdog {

    /** A request being watched; {@link #fired} says whether the watchdog aborted it. */
    static final class Watch {
        private final Cancellable request;
        private final long deadlineNanos;
        volatile boolean fired;

        private Watch(Cancellable request, long deadlineNanos) {
            this.request = request;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final String name;
    private final long timeoutNanos;
    private final long periodNanos;
    private final Map<Watch, Boolean> inFlight = new ConcurrentHashMap<>();
    private volatile Threads.Worker worker;
    private volatile boolean closed;

    /** Requests are aborted between {@code timeout} and {@code timeout} + a quarter of it (at most 1 s) after they start. */
    Watchdog(String name, long timeoutMillis) {
        this.name = name;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.periodNanos = Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(timeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(10)));
    }

    Watch watch(Cancellable request) {
        if (worker == null) {
            start();
        }
        Watch w = new Watch(request, System.nanoTime() + timeoutNanos);
        inFlight.put(w, Boolean.TRUE);
        return w;
    }

    void done(Watch w) {
        inFlight.remove(w);
    }

    private synchronized void start() {
        if (worker == null && !closed) {
            worker = new Threads.Worker(name, this::run, () -> !closed).start();
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, periodNanos);
            // An interrupt is not ours to end on (close() ends this thread), and a pending one
            // would make every park return at once.
            Thread.interrupted();
            long now = System.nanoTime();
            for (Watch w : inFlight.keySet()) {
                if (now - w.deadlineNanos >= 0 && inFlight.remove(w) != null) {
                    w.fired = true;
                    w.request.cancel();
                }
            }
        }
    }

    /** Stops the thread and waits for it until the deadline, so that nothing of ours outlives the tracker. */
    void close(long deadlineNanos) {
        Threads.Worker w;
        synchronized (this) {
            closed = true;
            w = worker;
        }
        if (w != null) {
            Thread t = w.thread();
            if (t != null) {
                LockSupport.unpark(t);
            }
            w.joinUntil(deadlineNanos);
        }
    }
}
