package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.TrackerMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What tracking a page view costs the request thread: building the {@link PageView} and
 * handing it to {@link HelloRetailTracker#trackPageView}, which only validates and enqueues.
 *
 * <p>The tracker points at a closed port on 127.0.0.1 with a one-hour backoff, so that its page
 * view thread takes one event, gets "connection refused" and sleeps in backoff for the whole
 * iteration: it neither delivers (which would shrink the queue) nor competes for the CPU.
 * Before measuring, the setup waits until it is asleep. A new tracker is built for
 * every iteration, and the teardown checks the counters, so that a run that did not measure
 * what its name says fails instead of printing a number.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TrackerBenchmark {

    /** Page views queued per iteration of {@link #trackPageView_enqueue}; well under the queue size. */
    static final int ENQUEUE_BATCH = 50_000;

    /**
     * One page view thread, parked in backoff. (While the collector refuses connections no
     * second thread would start anyway: more start only after deliveries.) What the request
     * thread does does not depend on how many there are.
     */
    static final int SENDER_THREADS = 1;

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";

    /**
     * The page view's fields, read from non-final fields so that the JIT cannot treat them
     * as constants and fold the validation away.
     */
    @State(Scope.Thread)
    public static class Fields {
        String trackingUserId = "62a0317d17698aa57d369db9";
        String location = "https://shop.example/products/p-123?color=red";
        String referrer = "https://www.google.com/";
        String productNumber = "p-123";

        PageView build() {
            return PageView.builder()
                    .trackingUserId(trackingUserId)
                    .location(location)
                    .referrer(referrer)
                    .productNumber(productNumber)
                    .build();
        }
    }

    /** A tracker whose senders are asleep in backoff; {@code parked} events are held before measuring. */
    abstract static class DeadCollectorTracker {
        HelloRetailTracker tracker;
        int parked;

        HelloRetailTracker start(int queueSize, int parked, Fields fields) throws Exception {
            this.parked = parked;
            tracker = HelloRetailTracker.builder()
                    .websiteUuid(WEBSITE_UUID)
                    .endpoint(URI.create("http://127.0.0.1:" + closedPort() + "/serve/"))
                    .name("bench")
                    .queueSize(queueSize)
                    .maxRequestsInFlight(SENDER_THREADS)
                    .connectTimeout(Duration.ofSeconds(1))
                    .maxAttempts(1000)
                    .initialBackoff(Duration.ofHours(1))
                    .maxBackoff(Duration.ofHours(1))
                    .closeTimeout(Duration.ZERO)
                    .build();
            // The first is attempted at once and refused (nobody listens on the port); the
            // pipeline then pauses for an hour and takes nothing more from the queue, so the
            // queue's state (full or not) holds while measuring. Only then the others: with a queue
            // of one, offering them together would drop one.
            for (int i = 0; i < parked; i++) {
                tracker.trackPageView(fields.build());
                if (i == 0) {
                    awaitFirstAttemptRefused();
                }
            }
            if (tracker.metrics().pageViews().dropped() != 0) {
                throw new IllegalStateException("a page view was dropped before measuring: " + counts());
            }
            return tracker;
        }

        void stop() {
            if (tracker != null) {
                tracker.close();
                tracker = null;
            }
        }

        TrackerMetrics.Counts counts() {
            return tracker.metrics().pageViews();
        }

        /**
         * Waits until the first page view is taken from the queue and its attempt refused: a
         * refused loopback connection takes well under a millisecond, so half a second is plenty
         * even for a cold JVM; a second page view offered before that could be taken too.
         */
        private static void awaitFirstAttemptRefused() throws InterruptedException {
            Thread.sleep(500);
        }

        /** A loopback port nobody listens on: connecting is refused at once. */
        private static int closedPort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }

    /** Room for a million page views: every measured call is queued. */
    @State(Scope.Thread)
    public static class RoomyTracker extends DeadCollectorTracker {
        /** Bytes the benchmark thread allocated in the current iteration's timed loop. */
        long loopBytes;
        long measuredBytes;
        long measuredCalls;

        @Setup(Level.Iteration)
        public void setUp(Fields fields) throws Exception {
            // One event for the sender thread to hold in backoff: the queue starts empty.
            start(1_000_000, SENDER_THREADS, fields);
        }

        @TearDown(Level.Iteration)
        public void tearDown(BenchmarkParams benchmark, IterationParams iteration) {
            try {
                TrackerMetrics.Counts c = counts();
                long expected = (long) benchmark.getOpsPerInvocation() * iteration.getBatchSize();
                if (c.dropped() != 0 || c.tracked() - parked != expected || c.pending() != c.tracked()) {
                    throw new IllegalStateException("expected " + expected
                            + " page views queued and none dropped or sent, got " + c);
                }
                if (iteration.getType() == IterationType.MEASUREMENT) {
                    measuredBytes += loopBytes;
                    measuredCalls += expected;
                }
            } finally {
                stop();
            }
        }

        /**
         * -prof gc counts what every thread allocates during an iteration, and for this benchmark
         * that includes the teardown: close() makes the sender threads encode every queued view
         * to JSON before counting it abandoned. This is what the request thread itself allocated.
         */
        @TearDown(Level.Trial)
        public void report() {
            if (measuredCalls > 0) {
                System.out.printf(Locale.ROOT, "%n# request thread allocated %.1f B per build + trackPageView"
                        + " (%d bytes over %d calls in measurement iterations)%n",
                        (double) measuredBytes / measuredCalls, measuredBytes, measuredCalls);
            }
        }
    }

    /** Room for one page view, already taken: every measured call is dropped. */
    @State(Scope.Thread)
    public static class FullTracker extends DeadCollectorTracker {
        @Setup(Level.Iteration)
        public void setUp(Fields fields) throws Exception {
            // One event for the sender thread to hold in backoff, and one more that fills the queue.
            start(1, SENDER_THREADS + 1, fields);
        }

        @TearDown(Level.Iteration)
        public void tearDown() {
            try {
                TrackerMetrics.Counts c = counts();
                if (c.tracked() <= parked || c.dropped() != c.tracked() - parked || c.pending() != parked) {
                    throw new IllegalStateException("expected every measured page view dropped, got " + c);
                }
            } finally {
                stop();
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 15, time = 1)
    public PageView buildPageView(Fields fields) {
        return fields.build();
    }

    /**
     * The same page view made the way the filter makes it, from fields it has already checked
     * while deciding whether to track: no second round of checks. Beside {@link #buildPageView},
     * this is what {@code CheckedEvents} saves the request thread.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 15, time = 1)
    public PageView buildPageView_checkedFields(Fields fields) {
        return io.github.helloretail4j.internal.CheckedEvents.pageView(fields.trackingUserId, fields.location,
                fields.referrer, null, fields.productNumber);
    }

    /**
     * Queued, never dropped. Each iteration is one timed shot of {@value #ENQUEUE_BATCH} calls
     * on a new tracker, so that the queue cannot fill; the score is divided by that count, so it
     * is per call. (In SingleShotTime mode JMH does not divide by {@code batchSize}, hence the
     * loop and {@code @OperationsPerInvocation}.)
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(ENQUEUE_BATCH)
    @Warmup(iterations = 40)
    @Measurement(iterations = 100)
    public void trackPageView_enqueue(Fields fields, RoomyTracker state) {
        HelloRetailTracker tracker = state.tracker;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ENQUEUE_BATCH; i++) {
            tracker.trackPageView(fields.build());
        }
        state.loopBytes = THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** The queue is full: the call counts the view as dropped and returns. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 15, time = 1)
    public void trackPageView_queueFull(Fields fields, FullTracker state) {
        state.tracker.trackPageView(fields.build());
    }
}
