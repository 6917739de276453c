package io.github.helloretail4j.internal;

/** The one way the library starts a thread. */
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
}
