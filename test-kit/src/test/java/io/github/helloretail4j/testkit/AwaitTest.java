package io.github.helloretail4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one wait of the tests: what it returns, and what its failures say. */
class AwaitTest {

    @Test
    void until_conditionHoldsAfterSomeProbes_returnsTheValueThatMetIt() {
        AtomicInteger probes = new AtomicInteger();
        int seen = Await.until("the fifth probe", probes::incrementAndGet, n -> n >= 5);
        assertEquals(5, seen);
        assertEquals(5, probes.get());
    }

    @Test
    void until_conditionNeverHolds_failsAfterTheTimeoutSayingWhatAndTheLastValue() {
        AtomicInteger probes = new AtomicInteger();
        long start = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("a pending count of 0",
                Duration.ofMillis(200), () -> "pending=" + (100 + probes.incrementAndGet()), s -> false));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("waited 200 ms for a pending count of 0; last seen: pending=" + (100 + probes.get()), e.getMessage());
        assertTrue(millis >= 200 && millis < 5_000, millis + " ms");
        assertTrue(probes.get() > 2, "polled more than once: " + probes.get());
    }

    @Test
    void until_condition_failsSayingWhat() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("the thread gone", Duration.ofMillis(50), () -> false));
        assertEquals("waited 50 ms for the thread gone; last seen: false", e.getMessage());
    }

    @Test
    void until_probeThrowsCheckedException_failsAtOnceWithIt() {
        IOException cause = new IOException("connection refused");
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("a JMX counter", () -> {
            throw cause;
        }, v -> true));
        assertSame(cause, e.getCause());
        assertEquals("failed while waiting for a JMX counter: java.io.IOException: connection refused", e.getMessage());
    }

    @Test
    void until_probeThrowsUncheckedException_passesItOn() {
        IllegalStateException cause = new IllegalStateException("closed");
        assertSame(cause, assertThrows(IllegalStateException.class, () -> Await.until("metrics", () -> {
            throw cause;
        })));
    }
}
