package io.github.helloretail4j.internal;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO queue of at most {@code capacity} items whose {@link #offer} never waits: when full it
 * refuses the newest item, so that memory stays bounded whatever the collector does. Consumers
 * block in {@link #take}, which drains what is left once closing has begun and stops handing
 * out items once stopped.
 */
final class BoundedQueue<T> {
    private final int capacity;
    private final ArrayDeque<T> items;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private boolean closing;
    private boolean stopped;

    BoundedQueue(int capacity) {
        this.capacity = capacity;
        this.items = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** False when the queue is full or closing: the caller counts the item as dropped. */
    boolean offer(T item) {
        lock.lock();
        try {
            if (closing || items.size() >= capacity) {
                return false;
            }
            items.addLast(item);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next item; null once closing has begun and the queue is empty, or once stopped. */
    T take() throws InterruptedException {
        lock.lock();
        try {
            while (!stopped && items.isEmpty() && !closing) {
                notEmpty.await();
            }
            return stopped ? null : items.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Refuse new items; consumers drain the rest and then get null. */
    void beginClose() {
        lock.lock();
        try {
            closing = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Hand out nothing more; returns how many items were left behind. */
    int stop() {
        lock.lock();
        try {
            closing = true;
            stopped = true;
            int left = items.size();
            items.clear();
            notEmpty.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }
}
