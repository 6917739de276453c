package io.github.helloretail4j.internal;

/**
 * What a {@link Pipeline}'s workers take events from: a bounded queue whose {@link #offer} never
 * waits. {@link BoundedQueue} is first in, first out; {@link CoalescingQueue} keeps one item per
 * key, the newest.
 */
interface WorkQueue<T> {

    /** False when the queue is full or closing: the caller counts the item as dropped. */
    boolean offer(T item);

    /** The next item; null once closing has begun and nothing is left, or once stopped. */
    T take() throws InterruptedException;

    /** As {@link #take()}, or null when none came within {@code maxIdleNanos}. */
    T take(long maxIdleNanos) throws InterruptedException;

    /** The delivery of an item taken has ended (for good, or given up). */
    default void done(T item) {
    }

    /** True when a newer item has come to replace {@code item}, which need not be sent again. */
    default boolean superseded(T item) {
        return false;
    }

    /** Items waiting (an estimate while others offer and take). */
    int size();

    /** Refuse new items; consumers drain the rest and then get null. */
    void beginClose();

    /** Hand out nothing more; returns how many items were left behind. */
    int stop();
}
