package io.github.helloretail4j.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO queue of at most {@code capacity} items whose {@link #offer} never waits: when full it
 * refuses the newest item, so that memory stays bounded whatever the collector does.
 *
 * <p>{@code offer} is lock-free (a counter and a {@link ConcurrentLinkedQueue}) and makes no
 * system call: it does not wake a waiting consumer. An idle consumer looks again every
 * {@link #LINGER_NANOS} instead and then takes everything that came meanwhile, so a page view
 * waits at most that long for its sender, and a request thread never pays for waking one (a
 * futex call and a context switch on every page view, measured at tens of microseconds of CPU
 * per event at shop rates). Consumers block in {@link #take}, which drains what is left once
 * closing has begun and stops handing out items once stopped.
 */
final class BoundedQueue<T> implements WorkQueue<T> {
    private final int capacity;
    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** How long an idle consumer waits before it looks for new items again. */
    static final long LINGER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);
    private volatile boolean closing;
    private volatile boolean stopped;

    BoundedQueue(int capacity) {
        this.capacity = capacity;
    }

    /** False when the queue is full or closing: the caller counts the item as dropped. */
    @Override
    public boolean offer(T item) {
        if (closing) {
            return false;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        items.offer(item);
        return true;
    }

    /** The next item; null once closing has begun and the queue is empty, or once stopped. */
    @Override
    public T take() throws InterruptedException {
        return take(Long.MAX_VALUE);
    }

    /**
     * The next item, or null when none came within {@code maxIdleNanos} (or closing has begun and
     * the queue is empty, or it is stopped): for consumers that end when there is no work.
     */
    @Override
    public T take(long maxIdleNanos) throws InterruptedException {
        long idleSince = System.nanoTime();
        while (true) {
            if (stopped) {
                return null;
            }
            T item = items.poll();
            if (item != null) {
                size.decrementAndGet();
                return item;
            }
            if (closing || System.nanoTime() - idleSince >= maxIdleNanos) {
                return null;
            }
            lock.lock();
            try {
                if (items.isEmpty() && !closing && !stopped) {
                    notEmpty.awaitNanos(LINGER_NANOS); // closing signals; new items are found on the next look
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Items waiting (an estimate while others offer and take). */
    @Override
    public int size() {
        return Math.max(0, size.get());
    }

    /** Refuse new items; consumers drain the rest and then get null. */
    @Override
    public void beginClose() {
        closing = true;
        signalAll();
    }

    /** Hand out nothing more; returns how many items were left behind. */
    @Override
    public int stop() {
        closing = true;
        stopped = true;
        int left = 0;
        while (items.poll() != null) {
            size.decrementAndGet();
            left++;
        }
        signalAll();
        return left;
    }

    private void signalAll() {
        lock.lock();
        try {
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
