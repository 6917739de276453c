package io.github.helloretail4j.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions that checkout code handed over while the outbox could not take them (a full disk,
 * a database that is down), waiting in memory, oldest first, until the conversion thread writes
 * them to the outbox. Bounded, so that a long outage of the outbox costs at most
 * {@value #MAX_HELD} conversions' memory; one order number waits once.
 */
final class HeldConversions {

    /** Most conversions held; beyond it a new one is dropped and counted. */
    static final int MAX_HELD = 10_000;

    enum Held { HELD, DUPLICATE, FULL }

    private final Map<String, byte[]> waiting = new LinkedHashMap<>();

    synchronized Held hold(String orderNumber, byte[] body) {
        if (waiting.containsKey(orderNumber)) {
            return Held.DUPLICATE;
        }
        if (waiting.size() >= MAX_HELD) {
            return Held.FULL;
        }
        waiting.put(orderNumber, body);
        return Held.HELD;
    }

    synchronized int size() {
        return waiting.size();
    }

    /**
     * Writes what waits to the outbox, oldest first, each one gone from here once the outbox
     * has it; stops at the first failure and throws it, keeping the rest.
     */
    void writeTo(Outbox outbox, EventCounters counts) throws IOException {
        while (true) {
            Map.Entry<String, byte[]> first;
            synchronized (this) {
                Iterator<Map.Entry<String, byte[]>> it = waiting.entrySet().iterator();
                if (!it.hasNext()) {
                    return;
                }
                first = it.next();
            }
            // outside the lock: checkout threads hold more while the outbox is slow
            Outbox.Added added = outbox.add(first.getKey(), first.getValue());
            synchronized (this) {
                waiting.remove(first.getKey());
            }
            if (added == Outbox.Added.DUPLICATE) {
                counts.duplicates.increment();
            }
        }
    }

    /** Forgets what waits; returns its order numbers. */
    synchronized List<String> drop() {
        List<String> orders = new ArrayList<>(waiting.keySet());
        waiting.clear();
        return orders;
    }
}
