package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.conversion;
import static io.github.helloretail4j.testing.Fixtures.fastRetries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.database.TestDatabase;
import io.github.helloretail4j.testkit.HelloRetailAnswers;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.TestCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several conversions in flight from one node ({@code maxConversionsInFlight}), against a real
 * HTTP collector on loopback that sees every request as it arrives: how many are in flight, and
 * whether an order number is among them twice.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.Kind.class)
class ConversionWindowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The response timeout where the collector holds answers: longer than any hold, so that no
     * held request times out (its outcome unknown, it would rightly be sent again).
     */
    private static final Duration HOLD = Duration.ofSeconds(30);

    private final TestDatabase db;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    @TempDir
    Path dir;

    ConversionWindowTest(TestDatabase.Kind kind) {
        this.db = kind.shared();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    /**
     * A collector that notes, per request as it arrives, how many conversion requests are in
     * flight and whether the same order number is in flight already; it can hold answers
     * ({@link #hold}), refuse some orders with 503 for ever, or answer 503 to the next requests.
     */
    static final class WatchingCollector implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService pool = Executors.newFixedThreadPool(300);
        private final HelloRetailAnswers answers = new HelloRetailAnswers(Set.of(TestCollector.WEBSITE_UUID));
        private final Set<String> inFlightOrders = new HashSet<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger arrivals = new AtomicInteger();
        /** Orders that arrived while a request of the same order was in flight. */
        final Set<String> twiceAtOnce = ConcurrentHashMap.newKeySet();
        /** Orders answered 200, and how often. */
        final Map<String, Integer> accepted = new ConcurrentHashMap<>();
        final Set<String> refused = ConcurrentHashMap.newKeySet();
        final AtomicInteger failNext = new AtomicInteger();
        /** Per arrival, in order: how many were in flight with it (itself included), and when it came. */
        final List<long[]> arrivalLog = new ArrayList<>();
        private volatile CountDownLatch gate = new CountDownLatch(0);
        private volatile long delayMillis;

        WatchingCollector() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            server.setExecutor(pool);
            server.createContext("/", this::serve);
            server.start();
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/serve/");
        }

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        WatchingCollector delay(Duration d) {
            delayMillis = d.toMillis();
            return this;
        }

        synchronized List<long[]> arrivals() {
            return List.copyOf(arrivalLog);
        }

        private void serve(HttpExchange exchange) throws IOException {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String order = JSON.readTree(body).path("orderNumber").asText();
            int now;
            synchronized (this) {
                if (!inFlightOrders.add(order)) {
                    twiceAtOnce.add(order);
                }
                now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                arrivals.incrementAndGet();
                arrivalLog.add(new long[] {now, System.nanoTime()});
            }
            int status;
            String answer;
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("held request never released");
                }
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                if (refused.contains(order) || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    status = 503;
                    answer = "{\"success\":false,\"message\":\"Service unavailable\"}";
                } else {
                    HelloRetailAnswers.Answer a = answers.answer(exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Content-Type"),
                            body);
                    status = a.status();
                    answer = a.body();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
                answer = "{}";
            }
            synchronized (this) {
                inFlightOrders.remove(order);
                inFlight.decrementAndGet();
                if (status == 200) {
                    accepted.merge(order, 1, Integer::sum);
                }
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            try {
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (IOException gone) {
                // the tracker gave up on this request (a timeout); what it sent was recorded all the same
            }
        }

        @Override
        public void close() {
            release();
            server.stop(0);
            pool.shutdownNow();
        }
    }

    private static void assertEachOnce(WatchingCollector collector, List<String> orders) {
        Map<String, Integer> repeated = new TreeMap<>();
        collector.accepted.forEach((order, times) -> {
            if (times != 1) {
                repeated.put(order, times);
            }
        });
        assertEquals(Map.of(), repeated, "orders accepted more than once");
        assertEquals(new HashSet<>(orders), collector.accepted.keySet());
        assertEquals(Set.of(), collector.twiceAtOnce, "orders in flight twice at once");
    }

    /** A node of a shop that keeps conversions in the database, with the retries of {@code fastRetries}. */
    private static HelloRetailTracker.Builder node(URI endpoint, HikariDataSource pool, String table, String name) {
        return HelloRetailTracker.builder().websiteUuid(TestCollector.WEBSITE_UUID).endpoint(endpoint).name(name)
                .outboxDataSource(pool).outboxTable(table)
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(2));
    }

    private static List<String> track(HelloRetailTracker tracker, String prefix, int count) {
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String order = prefix + i;
            tracker.trackConversion(conversion(order));
            orders.add(order);
        }
        return orders;
    }

    @Test
    void heldAnswers_fillTheWindow_neverMore_andNoOrderTwiceAtOnce_fileOutbox() throws Exception {
        WatchingCollector collector = closing(new WatchingCollector());
        collector.hold();
        HelloRetailTracker tracker = closing(fastRetries(collector.endpoint(), dir.resolve("outbox"))
                .responseTimeout(HOLD).maxConversionsInFlight(6).build());
        List<String> orders = track(tracker, "w-", 40);
        Await.until("the window full of held requests", () -> collector.inFlight.get(), n -> n == 6);
        collector.release();
        Await.until("every order delivered", () -> tracker.metrics().conversions().delivered(), d -> d == 40);
        assertEquals(6, collector.maxInFlight.get(), "most conversion requests in flight at once");
        assertEquals(40, collector.arrivals.get(), "one request per order");
        assertEachOnce(collector, orders);
        assertEquals(0, tracker.metrics().conversions().pending());
    }

    @Test
    void defaultWindow_keepsManyInFlight() throws Exception {
        WatchingCollector collector = closing(new WatchingCollector());
        collector.hold();
        HelloRetailTracker tracker = closing(fastRetries(collector.endpoint(), dir.resolve("outbox"))
                .responseTimeout(HOLD).build());
        List<String> orders = track(tracker, "d-", HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT + 10);
        Await.until("the default window full of held requests", () -> collector.inFlight.get(),
                n -> n == HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT);
        collector.release();
        Await.until("every order delivered", () -> tracker.metrics().conversions().delivered(),
                d -> d == orders.size());
        assertEquals(HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT, collector.maxInFlight.get());
        assertEachOnce(collector, orders);
    }

    @Test
    void heldAnswers_fillTheWindow_neverMore_andNoOrderTwiceAtOnce_databaseOutbox_twoNodes() throws Exception {
        WatchingCollector collector = closing(new WatchingCollector());
        collector.hold();
        HikariDataSource pool = closing(db.pool("window", 6));
        String table = db.freshTable("window");
        HelloRetailTracker a = closing(node(collector.endpoint(), pool, table, "a").responseTimeout(HOLD)
                .maxConversionsInFlight(5).build());
        List<String> orders = track(a, "db-", 60);
        Await.until("node a's window full of held requests", () -> collector.inFlight.get(), n -> n == 5);
        HelloRetailTracker b = closing(node(collector.endpoint(), pool, table, "b").responseTimeout(HOLD)
                .maxConversionsInFlight(5).build());
        b.trackConversion(conversion("db-late"));
        orders.add("db-late");
        Await.until("both nodes' windows full of held requests", () -> collector.inFlight.get(), n -> n == 10);
        collector.release();
        Await.until("every order accepted", () -> collector.accepted.size(), n -> n == orders.size());
        assertEquals(10, collector.maxInFlight.get(), "most conversion requests in flight at once, two nodes of 5");
        assertEquals(orders.size(), collector.arrivals.get(), "one request per order");
        assertEachOnce(collector, orders);
    }

    /**
     * Eight requests in flight all fail: one pause follows, not eight; after it one request goes
     * out alone, and only once the collector answers does the window open again.
     */
    @Test
    void failuresOfAFullWindow_pauseTheLoopOnce_thenOneRequestAloneUntilAnAnswer() throws Exception {
        WatchingCollector collector = closing(new WatchingCollector());
        collector.hold();
        collector.failNext.set(8 + 2);
        Duration backoff = Duration.ofMillis(400);
        HelloRetailTracker tracker = closing(fastRetries(collector.endpoint(), dir.resolve("outbox"))
                .initialBackoff(backoff).maxBackoff(backoff).responseTimeout(HOLD).maxConversionsInFlight(8).build());
        List<String> orders = track(tracker, "f-", 20);
        Await.until("the window full of held requests", () -> collector.inFlight.get(), n -> n == 8);
        collector.delay(Duration.ofMillis(30)); // a round trip, so that requests in flight overlap
        long released = System.nanoTime();
        collector.release();
        Await.until("every order delivered", Duration.ofSeconds(30), () -> tracker.metrics().conversions().delivered(),
                d -> d == 20);
        List<long[]> arrivals = collector.arrivals();
        // 8 failed, then two probes failed, one alone after each pause, then the third probe and the 19 others
        assertEquals(30, arrivals.size(), "requests: the outage cost one attempt per pause");
        assertEquals(10, tracker.metrics().conversions().retries(), "retries: the 8 and the two failed probes");
        for (int i = 8; i < 11; i++) {
            assertEquals(1, arrivals.get(i)[0], "request " + (i + 1) + " went out alone, after a pause");
        }
        long firstPause = TimeUnit.NANOSECONDS.toMillis(arrivals.get(8)[1] - released);
        // jitter: a pause is half to all of the backoff; eight pauses in a row would take 1.6 s at least
        assertTrue(firstPause >= backoff.toMillis() / 2, "paused after the failures: " + firstPause + " ms");
        assertTrue(firstPause < 4 * backoff.toMillis(), "one pause, not one per failure: " + firstPause + " ms");
        assertTrue(arrivals.stream().skip(11).anyMatch(a -> a[0] > 1), "the window opened again after an answer");
        assertEachOnce(collector, orders);
    }

    /** One order the collector refuses for ever, first in line: the others all go out, it waits on. */
    @Test
    void anOrderTheCollectorKeepsRefusing_doesNotHoldBackTheOthers() throws Exception {
        WatchingCollector collector = closing(new WatchingCollector());
        collector.refused.add("stuck");
        HelloRetailTracker tracker = closing(fastRetries(collector.endpoint(), dir.resolve("outbox"))
                .maxConversionsInFlight(4).closeTimeout(Duration.ofMillis(100)).build());
        tracker.trackConversion(conversion("stuck"));
        List<String> orders = track(tracker, "g-", 30);
        Await.until("every other order delivered", () -> tracker.metrics().conversions().delivered(), d -> d == 30);
        assertEquals(1, tracker.metrics().conversions().pending(), "the refused one still waits");
        assertEachOnce(collector, orders);
    }

    /**
     * A close while requests whose answers are held are in flight: they time out (their outcome
     * unknown) and keep their lease, so that another node does not send them again while they
     * may have arrived; the never-attempted ones go to that node at once.
     */
    @Test
    void close_withAWindowInFlight_keepsTheLeaseOfWhatMayHaveArrived_andHandsOnTheRest() throws Exception {
        WatchingCollector collector = closing(new WatchingCollector());
        collector.hold();
        HikariDataSource pool = closing(db.pool("closing", 6));
        String table = db.freshTable("closing");
        HelloRetailTracker a = node(collector.endpoint(), pool, table, "a").maxConversionsInFlight(4).responseTimeout(Duration.ofMillis(800))
                .closeTimeout(Duration.ofMillis(100)).build();
        List<String> orders = track(a, "c-", 12);
        Await.until("node a's window full of held requests", () -> collector.inFlight.get(), n -> n == 4);
        long start = System.nanoTime();
        a.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(closeMillis >= 700, "close waited for the requests in flight to end: " + closeMillis + " ms");
        // the held requests reach the collector now: their orders arrived, though node a never heard
        collector.release();
        Await.until("the held requests answered", () -> collector.accepted.size(), n -> n == 4);
        HelloRetailTracker b = closing(node(collector.endpoint(), pool, table, "b").build());
        Await.until("the 8 never attempted delivered by node b", () -> b.metrics().conversions().delivered(),
                d -> d == 8);
        assertEquals(0, b.metrics().conversions().pending(), "the leased ones are not b's to send");
        assertEachOnce(collector, orders);
    }
}
