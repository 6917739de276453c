package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.TrackerMetrics;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.servlet.PageViewFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.Cookie;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * B2: what {@link PageViewFilter#doFilter} costs the request thread — the decision, the page
 * view, and handing it to the tracker's queue — for one browser request of a product page
 * ({@code GET https://shop.example/products/p-123?color=red}, a Chrome {@code User-Agent}, a
 * {@code Referer}, {@code Sec-Fetch-Dest: document}, a valid {@code hello_retail_id} cookie, a
 * 200 {@code text/html} answer). The filter is configured as in B1 (product number pattern
 * {@code /products/(?<productNumber>[^/]+)}) and owns its tracker, which sends to an in-process
 * {@link Sink}. The request and response are {@link Fakes}; the shop's code (the chain) does
 * nothing.
 *
 * <ul>
 *   <li>{@code noFilter}: the chain alone, and clearing the fake request's attributes; the
 *       harness's own cost.</li>
 *   <li>{@code notTracked_bot}, {@code notTracked_asset}: a Googlebot request, and
 *       {@code /css/site.css}; decided against before the chain runs.</li>
 *   <li>{@code tracked_enqueue}: tracked and queued. The sink holds its answers, so each sender
 *       thread is blocked on one page view and the queue only grows; each iteration is one
 *       timed shot of {@value #BATCH} requests into an empty queue (its capacity is 10,000),
 *       drained between iterations by letting the sink answer.</li>
 *   <li>{@code tracked_queueFull}: tracked, and dropped because the queue is full (senders held
 *       by the sink as above).</li>
 * </ul>
 *
 * <p>{@code -prof gc} counts what every thread allocates, and in {@code tracked_enqueue} the
 * sender threads and the in-process sink allocate too; that benchmark therefore also measures
 * the request thread's own allocation with {@code getCurrentThreadAllocatedBytes} and prints it
 * at the end of the trial. (An earlier {@code tracked_wakeSender} measured the offer waking an
 * idle sender; since the queue's offer wakes nobody, it is gone.)
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class FilterBenchmark {

    static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    static final int BATCH = 8_000;
    /** Page view threads of the tracker under test. */
    static final int SENDERS = 1;
    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36";

    static Map<String, String> browserHeaders(String userAgent) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "shop.example");
        h.put("User-Agent", userAgent);
        h.put("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        h.put("Accept-Language", "en-US,en;q=0.9");
        h.put("Referer", "https://www.google.com/");
        h.put("Sec-Fetch-Dest", "document");
        h.put("Sec-Fetch-Mode", "navigate");
        h.put("Cookie", "hello_retail_id=62a0317d17698aa57d369db9; _ga=GA1.1.1234567890.1732300000");
        return h;
    }

    /**
     * A shop with the filter, its tracker, the sink it sends to, and the fake requests. Each
     * benchmark uses one subclass, whose own setup starts it (a JMH state per benchmark, not a
     * graph of states).
     */
    abstract static class Shop {
        Sink sink;
        PageViewFilter filter;
        HelloRetailTracker tracker;
        Path outbox;
        final Cookie[] cookies = {new Cookie("hello_retail_id", "62a0317d17698aa57d369db9"),
                new Cookie("_ga", "GA1.1.1234567890.1732300000")};
        final Fakes.Request page = new Fakes.Request("/products/p-123", "color=red", browserHeaders(CHROME), cookies);
        final Fakes.Request bot = new Fakes.Request("/products/p-123", "color=red", browserHeaders(
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), cookies);
        final Fakes.Request asset = new Fakes.Request("/css/site.css", null, browserHeaders(CHROME), cookies);
        final Fakes.Response html = new Fakes.Response(200, "text/html;charset=utf-8");
        final FilterChain chain = (req, res) -> { };

        void start() throws Exception {
            sink = new Sink(0);
            outbox = Files.createTempDirectory("b2-outbox-");
            Map<String, String> params = new LinkedHashMap<>();
            params.put(PageViewFilter.PARAM_WEBSITE_UUID, WEBSITE_UUID);
            params.put(PageViewFilter.PARAM_ENDPOINT, "http://127.0.0.1:" + sink.port() + "/serve/");
            params.put(PageViewFilter.PARAM_OUTBOX_DIRECTORY, outbox.toString());
            params.put(PageViewFilter.PARAM_PRODUCT_NUMBER_PATTERN, "/products/(?<productNumber>[^/]+)");
            // One page view thread, so that holding it is deterministic; what the request thread
            // does does not depend on how many there are.
            params.put(PageViewFilter.PARAM_MAX_REQUESTS_IN_FLIGHT, String.valueOf(SENDERS));
            var config = Fakes.filterConfig("", params);
            filter = new PageViewFilter();
            filter.init(config);
            tracker = HelloRetailWeb.tracker(config.getServletContext());
        }

        void stop() throws Exception {
            sink.resume();
            filter.destroy();
            sink.close();
        }

        void track(Fakes.Request request) throws Exception {
            request.reset();
            filter.doFilter(request, html, chain);
        }

        TrackerMetrics.Counts counts() {
            return tracker.metrics().pageViews();
        }

        /** Makes the sink hold its answers, and sends one page view to each sender to be held. */
        void holdSenders() throws Exception {
            long held = sink.held.sum();
            sink.stall();
            for (int i = 1; i <= SENDERS; i++) {
                long expected = held + i;
                track(page);
                await(() -> sink.held.sum() == expected, "sender " + i + " to be held by the sink");
            }
        }

        /** Lets the sink answer, and waits until every page view is delivered. */
        void releaseAndDrain() throws Exception {
            sink.resume();
            await(() -> counts().pending() == 0, "the queue to drain");
        }
    }

    /** The shop, nothing more: for the benchmarks that do not reach the queue. */
    @State(Scope.Thread)
    public static class Plain extends Shop {
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            start();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop();
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.sleep(0, 100_000);
        }
    }

    /** Senders held by the sink, queue filled to its 10,000: every measured page view is dropped. */
    @State(Scope.Thread)
    public static class FullQueue extends Shop {
        long droppedBefore;
        long trackedBefore;

        @Setup(Level.Trial)
        public void fill() throws Exception {
            start();
            holdSenders();
            while (counts().dropped() == 0) {
                track(page);
            }
            droppedBefore = counts().dropped();
            trackedBefore = counts().tracked();
        }

        @TearDown(Level.Trial)
        public void check() throws Exception {
            TrackerMetrics.Counts c = counts();
            try {
                if (c.dropped() - droppedBefore != c.tracked() - trackedBefore || c.pending() != 10_000 + SENDERS) {
                    throw new IllegalStateException("expected every measured page view dropped, got " + c);
                }
            } finally {
                stop();
            }
        }
    }

    /** Senders held by the sink and the queue empty at the start of each iteration. */
    @State(Scope.Thread)
    public static class EmptyQueue extends Shop {
        long trackedBefore;
        long droppedBefore;
        long loopBytes;
        long measuredBytes;
        long measuredCalls;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            start();
        }

        @Setup(Level.Iteration)
        public void empty() throws Exception {
            releaseAndDrain();
            holdSenders();
            TrackerMetrics.Counts c = counts();
            trackedBefore = c.tracked();
            droppedBefore = c.dropped();
        }

        @TearDown(Level.Iteration)
        public void check(IterationParams iteration) {
            TrackerMetrics.Counts c = counts();
            if (c.tracked() - trackedBefore != BATCH || c.dropped() != droppedBefore || c.pending() != BATCH + SENDERS) {
                throw new IllegalStateException("expected " + BATCH + " page views queued and none dropped, got " + c);
            }
            if (iteration.getType() == IterationType.MEASUREMENT) {
                measuredBytes += loopBytes;
                measuredCalls += BATCH;
            }
        }

        @TearDown(Level.Trial)
        public void report() throws Exception {
            stop();
            System.out.printf(Locale.ROOT, "%n# tracked_enqueue: request thread allocated %.1f B per doFilter"
                    + " (%d bytes over %d calls in measurement iterations)%n",
                    (double) measuredBytes / measuredCalls, measuredBytes, measuredCalls);
        }
    }

    @Benchmark
    public void noFilter(Plain shop) throws Exception {
        shop.page.reset();
        shop.chain.doFilter(shop.page, shop.html);
    }

    @Benchmark
    public void notTracked_bot(Plain shop) throws Exception {
        shop.track(shop.bot);
    }

    @Benchmark
    public void notTracked_asset(Plain shop) throws Exception {
        shop.track(shop.asset);
    }

    @Benchmark
    public void tracked_queueFull(FullQueue shop) throws Exception {
        shop.track(shop.page);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(BATCH)
    @Warmup(iterations = 10)
    @Measurement(iterations = 20)
    public void tracked_enqueue(EmptyQueue shop) throws Exception {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < BATCH; i++) {
            shop.track(shop.page);
        }
        shop.loopBytes = THREADS.getCurrentThreadAllocatedBytes() - before;
    }

}
