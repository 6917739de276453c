package io.github.helloretail4j.internal;

/** The one way the library starts its threads, and waits for them to end. */
final class Threads {
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
}
