package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedQueueTest {

    @Test
    void offer_beyondCapacity_refusesTheNewest() throws Exception {
        BoundedQueue<Integer> q = new BoundedQueue<>(2);
        assertTrue(q.offer(1));
        assertTrue(q.offer(2));
        assertFalse(q.offer(3));
        assertEquals(1, q.take());
        assertTrue(q.offer(4));
        assertEquals(2, q.take());
        assertEquals(4, q.take());
    }

    @Test
    void closing_drainsThenEnds_andStopCountsWhatIsLeft() throws Exception {
        BoundedQueue<Integer> q = new BoundedQueue<>(10);
        q.offer(1);
        q.offer(2);
        q.beginClose();
        assertFalse(q.offer(3));
        assertEquals(1, q.take());
        assertEquals(1, q.stop());
        assertNull(q.take());
    }

    @Test
    void take_withMaxIdle_givesWhatComes_andNullWhenNothingCame() throws Exception {
        BoundedQueue<Integer> q = new BoundedQueue<>(10);
        q.offer(1);
        long idle = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);
        assertEquals(1, q.take(idle));
        assertEquals(0, q.size());
        long start = System.nanoTime();
        assertNull(q.take(idle));
        assertTrue(System.nanoTime() - start >= idle, "gave up before its idle time");
        q.offer(2);
        assertEquals(1, q.size());
        assertEquals(2, q.take(idle), "a timed-out take leaves the queue usable");
    }

    @Test
    void beginClose_wakesAWaitingConsumer() throws Exception {
        BoundedQueue<Integer> q = new BoundedQueue<>(10);
        java.util.concurrent.atomic.AtomicReference<Object> taken = new java.util.concurrent.atomic.AtomicReference<>("nothing yet");
        Thread consumer = new Thread(() -> {
            try {
                taken.set(q.take());
            } catch (InterruptedException e) {
                taken.set(e);
            }
        });
        consumer.start();
        Await.until("the consumer waiting in take()", Duration.ofSeconds(5), consumer::getState,
                s -> s == Thread.State.TIMED_WAITING);
        q.beginClose();
        consumer.join(5000);
        assertFalse(consumer.isAlive());
        assertNull(taken.get(), "take() after beginClose on an empty queue");
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
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Thread t = new Thread(() -> {
                try {
                    Integer item;
                    while ((item = q.take()) != null) {
                        if (!taken.add(item)) {
                            duplicates.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            consumers.add(t);
            t.start();
        }
        producers.forEach(Thread::start);
        for (Thread t : producers) {
            t.join();
        }
        q.beginClose();
        for (Thread t : consumers) {
            t.join(10_000);
            assertFalse(t.isAlive());
        }
        assertEquals(0, duplicates.get());
        assertEquals(accepted.get(), taken.size(), "every accepted item was taken, once");
        assertTrue(accepted.get() >= 1000, "the queue took at least its capacity: " + accepted.get());
    }
}
