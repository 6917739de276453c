package io.github.helloretail4j.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one way the library starts its threads, keeps them running, and waits for them to end. */
final class Threads {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.tracker");
    /** A worker that dies again within this long waits this long before its successor runs. */
    static final long RESTART_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private Threads() {
    }

    /**
     * A started daemon thread named {@code name}. Its context class loader is the library's,
     * not whatever the first caller's thread carried, so that it pins no other web
     * application's classes.
     */
    static Thread startDaemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.setContextClassLoader(Threads.class.getClassLoader());
        t.start();
        return t;
    }

    /**
     * Waits for {@code t} to end, until {@code deadlineNanos} ({@link System#nanoTime} time); true
     * when it has. An interrupt ends the wait early and is kept for the caller.
     */
    static boolean joinUntil(Thread t, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        try {
            if (left > 0) {
                t.join(left / 1_000_000, (int) (left % 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /** What a {@link Worker} runs: returning means it is done; throwing, that it died. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * A named daemon thread that is not silently gone: when its body throws (an interrupt, a bug,
     * an {@link Error}) while its owner still wants it, a WARN says so and a new thread of the
     * same name takes over; one that dies again at once waits a second first, so that a
     * persistent fault costs a log line a second, not a spinning core. Returning from the body
     * ends it for good.
     */
    static final class Worker {
        private final String name;
        private final Body body;
        private final BooleanSupplier wanted;
        private volatile Thread thread;
        private long startedNanos;

        Worker(String name, Body body, BooleanSupplier wanted) {
            this.name = name;
            this.body = body;
            this.wanted = wanted;
        }

        /** Starts the first thread. */
        synchronized Worker start() {
            startedNanos = System.nanoTime();
            thread = startDaemon(name, () -> run(false));
            return this;
        }

        private void run(boolean afterDeath) {
            if (afterDeath && System.nanoTime() - startedNanos < RESTART_PAUSE_NANOS) {
                try {
                    TimeUnit.NANOSECONDS.sleep(RESTART_PAUSE_NANOS);
                } catch (InterruptedException e) {
                    // a second interrupt: go on, the owner decides below
                }
            }
            Throwable death;
            try {
                if (!afterDeath || wanted.getAsBoolean()) {
                    body.run();
                }
                return;
            } catch (Throwable t) {
                death = t;
            }
            if (!wanted.getAsBoolean()) {
                return;
            }
            LOG.warn("the Hello Retail thread {} ended unexpectedly ({}); a new one takes over", name,
                    Messages.describe(death), death);
            synchronized (this) {
                thread = startDaemon(name, () -> run(true));
                startedNanos = System.nanoTime();
            }
        }

        /** Waits for the thread, and any that took over from it, until the deadline; true when none runs. */
        boolean joinUntil(long deadlineNanos) {
            while (true) {
                Thread t = thread;
                if (t == null) {
                    return true;
                }
                if (!Threads.joinUntil(t, deadlineNanos)) {
                    return false;
                }
                if (thread == t) {
                    return true;
                }
            }
        }

        boolean isAlive() {
            Thread t = thread;
            return t != null && t.isAlive();
        }

        /** For tests: the thread running now. */
        Thread thread() {
            return thread;
        }
    }
}
