package io.github.helloretail4j.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO queue of at most {@code capacity} items whose {@link #offer} never waits: when full it
 * refuses the newest item, so that memory stays bounded whatever the collector does.
 *
 * <p>{@code offer} is lock-free (a counter and a {@link ConcurrentLinkedQueue}): request threads
 * never queue behind each other or behind a sender. It touches the consumers' lock only to wake
 * a sender that is idle waiting for work. Consumers block in {@link #take}, which drains what is
 * left once closing has begun and stops handing out items once stopped.
 */
final class BoundedQueue<T> {
    private final int capacity;
    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** Consumers waiting in {@link #take}; written under the lock, read by producers. */
    private volatile int waiting;
    private volatile boolean closing;
    private volatile boolean stopped;

    BoundedQueue(int capacity) {
        this.capacity = capacity;
    }

    /** False when the queue is full or closing: the caller counts the item as dropped. */
    boolean offer(T item) {
        if (closing) {
            return false;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        items.offer(item);
        // The item is published before `waiting` is read; a consumer announces itself in
        // `waiting` before it looks at the items again, so one of the two sees the other.
        if (waiting > 0) {
            signal(false);
        }
        return true;
    }

    /** The next item; null once closing has begun and the queue is empty, or once stopped. */
    T take() throws InterruptedException {
        while (true) {
            if (stopped) {
                return null;
            }
            T item = items.poll();
            if (item != null) {
                size.decrementAndGet();
                return item;
            }
            if (closing) {
                return null;
            }
            lock.lock();
            try {
                waiting++;
                try {
                    if (items.isEmpty() && !closing && !stopped) {
                        notEmpty.await();
                    }
                } finally {
                    waiting--;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Refuse new items; consumers drain the rest and then get null. */
    void beginClose() {
        closing = true;
        signal(true);
    }

    /** Hand out nothing more; returns how many items were left behind. */
    int stop() {
        closing = true;
        stopped = true;
        int left = 0;
        while (items.poll() != null) {
            size.decrementAndGet();
            left++;
        }
        signal(true);
        return left;
    }

    private void signal(boolean all) {
        lock.lock();
        try {
            if (all) {
                notEmpty.signalAll();
            } else {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }
}
