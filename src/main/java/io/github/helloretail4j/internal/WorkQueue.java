package io.github.helloretail4j.internal;

/**
 * What a {@link Pipeline} takes events from: a bounded queue whose {@link #offer} never waits and
 * wakes no one. {@link BoundedQueue} is first in, first out; {@link CoalescingQueue} keeps one
 * item per key, the newest.
 */
interface WorkQueue<T> {

    /** False when the queue is full or closing: the caller counts the item as dropped. */
    boolean offer(T item);

    /** The next item to deliver, or null when none is ready now (or the queue is stopped). Never waits. */
    T poll();

    /** The delivery of an item polled has ended (for good, or given up). */
    default void done(T item) {
    }

    /** True when a newer item has come to replace {@code item}, which need not be sent again. */
    default boolean superseded(T item) {
        return false;
    }

    /** Items waiting (an estimate while others offer and poll). */
    int size();

    /** Refuse new items; what waits is still handed out. */
    void beginClose();

    /** Hand out nothing more; returns how many items were left behind. */
    int stop();
}
