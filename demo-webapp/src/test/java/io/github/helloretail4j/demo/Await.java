package io.github.helloretail4j.demo;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds, with a deadline: delivery to the collector is asynchronous. */
final class Await {

    static final Duration DEFAULT = Duration.ofSeconds(20);

    private Await() {
    }

    static <T> T until(String what, Supplier<T> probe, Predicate<T> done) {
        return until(what, DEFAULT, probe, done);
    }

    static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = probe.get();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - end > 0) {
                fail("waited " + timeout + " for " + what + "; last seen: " + seen);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }
}
