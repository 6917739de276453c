package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedQueueTest {

    @Test
    void offer_beyondCapacity_refusesTheNewest() {
        BoundedQueue<Integer> q = new BoundedQueue<>(2);
        assertTrue(q.offer(1));
        assertTrue(q.offer(2));
        assertFalse(q.offer(3));
        assertEquals(1, q.poll());
        assertTrue(q.offer(4));
        assertEquals(2, q.poll());
        assertEquals(4, q.poll());
        assertNull(q.poll(), "empty: null at once, no wait");
        assertEquals(0, q.size());
    }

    @Test
    void closing_refusesNewItems_handsOutTheRest_andStopCountsWhatIsLeft() {
        BoundedQueue<Integer> q = new BoundedQueue<>(10);
        q.offer(1);
        q.offer(2);
        q.beginClose();
        assertFalse(q.offer(3));
        assertEquals(1, q.poll());
        assertEquals(1, q.stop());
        assertNull(q.poll());
        assertEquals(0, q.size());
    }

    @Test
    void manyProducersAndConsumers_loseNothingTheyWereToldWasQueued() throws Exception {
        BoundedQueue<Integer> q = new BoundedQueue<>(1000);
        AtomicInteger accepted = new AtomicInteger();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int base = p * 1_000_000;
            Thread t = new Thread(() -> {
                for (int i = 0; i < 200_000; i++) {
                    if (q.offer(base + i)) {
                        accepted.incrementAndGet();
                    }
                }
            });
            producers.add(t);
        }
        Set<Integer> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Thread t = new Thread(() -> {
                while (true) {
                    boolean last = !producing.get(); // read before polling: nothing comes after it
                    Integer item = q.poll();
                    if (item == null) {
                        if (last) {
                            return;
                        }
                        Thread.onSpinWait();
                    } else if (!taken.add(item)) {
                        duplicates.incrementAndGet();
                    }
                }
            });
            consumers.add(t);
            t.start();
        }
        producers.forEach(Thread::start);
        for (Thread t : producers) {
            t.join();
        }
        producing.set(false);
        for (Thread t : consumers) {
            t.join(10_000);
            assertFalse(t.isAlive());
        }
        assertEquals(0, duplicates.get());
        assertEquals(accepted.get(), taken.size(), "every accepted item was taken, once");
        assertTrue(accepted.get() >= 1000, "the queue took at least its capacity: " + accepted.get());
        assertEquals(0, q.size());
    }
}
