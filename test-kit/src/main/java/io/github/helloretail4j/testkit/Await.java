package io.github.helloretail4j.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The one way tests wait for what happens on other threads (a tracker delivers in the
 * background): poll until a condition holds, with a deadline, and fail saying what was awaited
 * and what was last seen.
 *
 * <p>Probes may throw (a JMX read, an HTTP request): a checked exception fails the wait at once,
 * as it would have failed the test. The failure is a plain {@link AssertionError}, so that this
 * class needs no test framework: JUnit 5, TestNG or a {@code main} can use it.
 */
public final class Await {

    /** How long {@link #until(String, Probe, Predicate)} and {@link #until(String, Condition)} wait. */
    public static final Duration DEFAULT = Duration.ofSeconds(20);
    /**
     * The first pauses are short, so that a condition that holds within a millisecond (a page
     * view on loopback) costs a millisecond, not a full pause, in tests that wait thousands of
     * times; then they grow to this, so that a long wait does not spin.
     */
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** What to look at; may throw. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** A condition to wait for; may throw. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Polls {@code probe} until {@code done} accepts what it returns; returns that value. */
    public static <T> T until(String what, Probe<T> probe, Predicate<? super T> done) {
        return until(what, DEFAULT, probe, done);
    }

    /** As above, failing after {@code timeout}. */
    public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        long end = System.nanoTime() + timeout.toNanos();
        long pause = TimeUnit.MICROSECONDS.toNanos(100);
        while (true) {
            T seen = look(what, probe);
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + "; last seen: " + seen);
            }
            pause(what, pause);
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }

    /**
     * Waits until {@code condition} holds. Its failure can only say "false": where the state
     * matters to whoever reads the failure, give a probe that returns it instead.
     */
    public static void until(String what, Condition condition) {
        until(what, DEFAULT, condition);
    }

    /** As above, failing after {@code timeout}. */
    public static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, condition::holds, Boolean::booleanValue);
    }

    private static <T> T look(String what, Probe<T> probe) {
        try {
            return probe.get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } catch (Exception e) {
            throw new AssertionError("failed while waiting for " + what + ": " + e, e);
        }
    }

    private static void pause(String what, long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }
}
