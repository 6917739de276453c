package io.github.helloretail4j.internal;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * At most one item per key waits, the newest: for carts, each of which is a visitor's whole
 * cart, so that only the last of many quick changes is sent. An item offered for a key that
 * already waits replaces it in its place in line (counted as superseded). Items of one key are
 * never handed out while one of that key is being delivered, so that the newest of a visitor's
 * carts is always the last to arrive. Memory is bounded by the number of keys waiting; beyond
 * it a new key is refused (the caller counts it dropped).
 *
 * <p>Items whose key is null (carts without a tracking id) never coalesce: nothing says that two
 * of them belong to one visitor.
 */
final class CoalescingQueue<T> implements WorkQueue<T> {
    private final int capacity;
    private final Function<T, String> keyOf;
    private final LongAdder superseded;
    private final ReentrantLock lock = new ReentrantLock();
    /** Waiting items in the order their key first came, keyed by {@link #key}. */
    private final LinkedHashMap<Object, T> waiting = new LinkedHashMap<>();
    /** Keys of the items taken and not yet {@link #done}. */
    private final Set<Object> inFlight = new HashSet<>();
    private boolean closing;
    private boolean stopped;

    /**
     * @param keyOf the key of an item, or null for one that coalesces with nothing
     * @param superseded counts the items replaced by a newer one before they were sent
     */
    CoalescingQueue(int capacity, Function<T, String> keyOf, LongAdder superseded) {
        this.capacity = capacity;
        this.keyOf = keyOf;
        this.superseded = superseded;
    }

    /** The item itself stands for a null key: identity, so it coalesces with no other. */
    private Object key(T item) {
        String k = keyOf.apply(item);
        return k != null ? k : new IdentityKey(item);
    }

    private record IdentityKey(Object item) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityKey k && k.item == item;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(item);
        }
    }

    @Override
    public boolean offer(T item) {
        Object key = key(item);
        lock.lock();
        try {
            if (closing) {
                return false;
            }
            if (waiting.containsKey(key)) {
                waiting.put(key, item); // keeps its place in line
                superseded.increment();
                return true;
            }
            if (waiting.size() >= capacity) {
                return false;
            }
            waiting.put(key, item);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public T poll() {
        lock.lock();
        try {
            if (stopped) {
                return null;
            }
            for (Iterator<Map.Entry<Object, T>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Object, T> e = it.next();
                if (!inFlight.contains(e.getKey())) {
                    it.remove();
                    inFlight.add(e.getKey());
                    return e.getValue();
                }
            }
            return null; // nothing, or only items waiting behind their key's delivery
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void done(T item) {
        lock.lock();
        try {
            inFlight.remove(key(item)); // a newer item of the same key may now be handed out
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean superseded(T item) {
        Object key = key(item);
        lock.lock();
        try {
            return waiting.containsKey(key);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void beginClose() {
        lock.lock();
        try {
            closing = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int stop() {
        lock.lock();
        try {
            closing = true;
            stopped = true;
            int left = waiting.size();
            waiting.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
