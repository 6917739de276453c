package io.github.helloretail4j.internal;

import static io.github.helloretail4j.internal.FaultyStorage.appendOf;
import static io.github.helloretail4j.internal.FaultyStorage.step;
import static io.github.helloretail4j.testing.Fixtures.CONVERSION;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;
import static io.github.helloretail4j.testing.Fixtures.conversion;
import static io.github.helloretail4j.testing.Fixtures.threads;
import static io.github.helloretail4j.testing.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.ConversionResult;
import io.github.helloretail4j.TrackerMetrics;
import io.github.helloretail4j.testing.LogCapture;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.TestCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with a real collector on a loopback port and a disk that fails on demand: each
 * disk and thread fault an earlier outbox did not survive without a restart (a full disk during
 * compaction closed the log for good, an I/O error ended the conversion thread, a failed fsync
 * left the order remembered though the call threw, DONE records waited for minutes, threads that
 * died were not replaced) and the recovery, without a restart, once the fault is gone.
 */
class EngineFaultTest {

    private static final String NAME = "fault-test";

    @TempDir
    Path dir;
    private final FaultyStorage storage = new FaultyStorage();
    private TestCollector collector;
    private Engine engine;

    @BeforeEach
    void startCollector() {
        collector = TestCollector.start();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        collector.close();
    }

    private Engine engine(URI endpoint, Duration initialBackoff) {
        engine = new Engine(new Engine.Config(true, WEBSITE_UUID, endpoint, NAME, "helloretail4j/test", 1000, 4,
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2), 5, initialBackoff,
                initialBackoff.multipliedBy(10), Duration.ofSeconds(2), dir, null, null, Duration.ofDays(7),
                io.github.helloretail4j.HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT, null, storage,
                Clock.systemUTC()));
        return engine;
    }

    private Engine engine() {
        return engine(collector.endpoint(), Duration.ofMillis(20));
    }

    private Map<String, Long> receivedOrders() {
        return collector.accepted(CONVERSION).stream()
                .collect(Collectors.groupingBy(j -> j.get("orderNumber").asText(), Collectors.counting()));
    }

    private TrackerMetrics.Counts awaitConversionsSettled(int delivered) {
        return Await.until(delivered + " conversions delivered and none pending", () -> engine.metrics().conversions(),
                c -> c.delivered() == delivered && c.pending() == 0);
    }

    /**
     * A shop's full disk, as first seen: the disk fills up and is freed three times while orders
     * keep coming. Every order must arrive and pending() must come back to 0 with nothing left.
     */
    @Test
    void diskFilledAndFreedThreeTimes_whileOrdersComeIn_everyAcceptedOrderIsDeliveredOnce_noRestart()
            throws Exception {
        engine();
        List<String> accepted = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 20; i++) {
                String order = "r" + round + "-" + i;
                if (i == 10) {
                    storage.diskFull = true;
                }
                if (i == 15) {
                    storage.heal();
                    for (String again : refused) {
                        engine.trackConversion(conversion(again)); // the shop's retry, once there is space
                        accepted.add(again);
                    }
                    refused.clear();
                }
                try {
                    engine.trackConversion(conversion(order));
                    accepted.add(order);
                } catch (UncheckedIOException e) {
                    refused.add(order);
                }
            }
        }
        assertEquals(List.of(), refused);
        assertTrue(engine.metrics().outboxFailures() >= 15, "the full disk refused orders: " + engine.metrics());
        awaitConversionsSettled(accepted.size());
        Map<String, Long> received = receivedOrders();
        assertEquals(accepted.stream().sorted().toList(), received.keySet().stream().sorted().toList());
        assertTrue(received.values().stream().allMatch(n -> n == 1), received.toString());
        TrackerMetrics m = engine.metrics();
        assertEquals(accepted.size(), m.conversions().tracked());
        assertEquals(0, m.conversions().pending());
    }

    /** Point 1: compaction on a full disk closed the log for good; every later conversion failed. */
    @Test
    void compactionOnAFullDisk_laterConversionsAreAcceptedOnceThereIsSpace() throws IOException {
        engine();
        // Every rewrite fails from the first, so the compaction a log of 1,800 delivered
        // conversions of 640 bytes calls for meets a full disk, however fast delivery keeps up.
        storage.failWhile(step(FaultyStorage.Step.WRITE_NEW));
        List<String> bigSkus = List.of("x".repeat(200), "y".repeat(200), "z".repeat(160));
        for (int i = 0; i < 1800; i++) {
            engine.trackConversion(io.github.helloretail4j.Conversion.builder().trackingUserId("62a0317d17698aa57d369db9")
                    .orderNumber("c-" + i).total(java.math.BigDecimal.ONE).productNumbers(bigSkus).build());
        }
        Await.until("a compaction that failed", () -> !storage.failed.isEmpty());
        storage.heal();
        engine.trackConversion(conversion("after-1"));
        engine.trackConversion(conversion("after-2"));
        awaitConversionsSettled(1802);
        assertEquals(1802, receivedOrders().size());
    }

    /** Point 2: an I/O error on the conversion thread ended it for the life of the JVM. */
    @Test
    void conversionThread_itsSyncsFail_itGoesOn_andDeliversOnceTheDiskWorks() {
        engine();
        // every fsync and rebuild the conversion thread tries fails; the shop's own adds do not
        storage.failWhile(c -> (c.step() == FaultyStorage.Step.FORCE || c.step() == FaultyStorage.Step.WRITE_NEW)
                && Thread.currentThread().getName().endsWith("-conversion"));
        engine.trackConversion(conversion("a-1"));
        Await.until("the conversion thread failing to sync", () -> engine.metrics().outboxFailures() >= 2);
        engine.trackConversion(conversion("a-2")); // the shop's own fsyncs work
        Await.until("a-2 delivered while the conversion thread's syncs still fail",
                () -> engine.metrics().conversions().delivered() == 2);
        storage.heal();
        engine.trackConversion(conversion("a-3"));
        awaitConversionsSettled(3);
        assertEquals(Map.of("a-1", 1L, "a-2", 1L, "a-3", 1L), receivedOrders());
        assertEquals(List.of(NAME + "-conversion"), threads(NAME + "-conversion").stream().map(Thread::getName).toList());
    }

    @Test
    void tryTrackConversion_outboxFails_holdsItInMemory_andWritesItOnceTheOutboxWorks() {
        engine();
        storage.diskFull = true;
        storage.failForce = true;
        Engine.Tried tried = engine.tryTrackConversion(conversion("h-1"));
        assertEquals(ConversionResult.Status.HELD_IN_MEMORY, tried.status());
        assertTrue(tried.problem().startsWith("could not be written to the outbox directory " + dir.toAbsolutePath()
                + ": "), tried.problem());
        assertEquals(ConversionResult.Status.DUPLICATE, engine.tryTrackConversion(conversion("h-1")).status(),
                "the same order again while it waits in memory");
        TrackerMetrics m = engine.metrics();
        assertEquals(1, m.conversionsInMemory());
        assertEquals(1, m.conversions().pending());
        storage.heal();
        TrackerMetrics.Counts c = awaitConversionsSettled(1);
        assertEquals(2, c.tracked());
        assertEquals(1, c.duplicates());
        assertEquals(0, engine.metrics().conversionsInMemory());
        assertEquals(Map.of("h-1", 1L), receivedOrders());
    }

    @Test
    void close_withConversionsInMemoryAndTheOutboxStillFailing_countsThemDropped_andNamesThemInAnError() {
        engine();
        storage.diskFull = true;
        storage.failForce = true;
        assertEquals(ConversionResult.Status.HELD_IN_MEMORY, engine.tryTrackConversion(conversion("lost-1")).status());
        String log;
        try (LogCapture capture = new LogCapture()) {
            engine.close();
            log = capture.text();
        }
        TrackerMetrics m = engine.metrics();
        assertEquals(0, m.conversionsInMemory());
        assertEquals(1, m.conversions().dropped());
        assertEquals(0, m.conversions().pending());
        assertTrue(log.contains("ERROR io.github.helloretail4j.outbox - the tracker closed while the outbox directory "
                + dir.toAbsolutePath() + " could not take 1 conversions that waited in memory; they are lost: orders"
                + " [lost-1]. Submit them again once the outbox works"), log);
        assertEquals(ConversionResult.Status.DROPPED, engine.tryTrackConversion(conversion("late")).status());
    }

    /** Point 3: a failed fsync left the order pending and remembered although the call threw. */
    @Test
    void trackConversion_fsyncFails_throws_andTheRetryIsDeliveredOnce_withExactCounts() {
        engine();
        storage.failNext(1, c -> c.step() == FaultyStorage.Step.FORCE && c.onLog());
        var e = assertThrows(UncheckedIOException.class, () -> engine.trackConversion(conversion("f-1")));
        assertEquals("conversion \"f-1\" could not be written to the outbox directory " + dir.toAbsolutePath()
                + ": not on disk: Input/output error", e.getMessage());
        engine.trackConversion(conversion("f-1")); // the shop's retry is not refused as a duplicate
        TrackerMetrics.Counts c = awaitConversionsSettled(1);
        assertEquals(1, c.tracked());
        assertEquals(0, c.duplicates());
        assertEquals(Map.of("f-1", 1L), receivedOrders());
        assertEquals(1, engine.metrics().outboxFailures());
    }

    /**
     * Point 5: outcomes reached the disk only in batches or when idle, so during an outage the
     * record that a conversion was delivered could wait for minutes; a power loss then sent it
     * again. Now they are synced before every pause.
     */
    @Test
    void doneRecord_reachesTheDiskWhileTheCollectorFails() throws Exception {
        engine(collector.endpoint(), Duration.ofSeconds(30)); // long pauses, and never idle in between
        collector.answer(1, 200, "{\"success\":true,\"message\":\"Conversion tracked\"}", Map.of())
                .answer(1000, 500);
        collector.stall(); // d-1's request is held until d-2 is added
        engine.trackConversion(conversion("d-1"));
        Await.until("d-1 sent", () -> collector.arrivals() == 1);
        engine.trackConversion(conversion("d-2"));
        collector.release();
        collector.awaitRequests(CONVERSION, 2);
        Await.until("one delivered", () -> engine.metrics().conversions().delivered() == 1);
        // Both may have been in flight together (the window), so either may have drawn the 200.
        String delivered = collector.accepted(CONVERSION).get(0).get("orderNumber").asText();
        String waiting = delivered.equals("d-1") ? "d-2" : "d-1";
        // what a power loss would leave: the log up to its last fsync
        Await.until(delivered + "'s DONE record fsynced", () -> {
            long synced = storage.logSizeAtLastForce;
            try {
                byte[] log = Files.readAllBytes(dir.resolve(OutboxLog.NAME));
                return synced > 0 && pendingIn(Arrays.copyOf(log, (int) Math.min(synced, log.length)))
                        .equals(List.of(waiting));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static List<String> pendingIn(byte[] log) throws IOException {
        Map<Long, String> pending = new java.util.TreeMap<>();
        OutboxLog.read(log, Path.of(OutboxLog.NAME), new OutboxLog.Reader() {
            @Override
            public void add(long id, long createdAtMillis, String orderNumber, byte[] body) {
                pending.put(id, orderNumber);
            }

            @Override
            public void done(long id) {
                pending.remove(id);
            }

            @Override
            public void seen(long createdAtMillis, String orderNumber) {
            }
        }, new ArrayList<>());
        return List.copyOf(pending.values());
    }

    /** Point 6: an interrupt ended the first page view thread for good, and page views piled up. */
    @Test
    void pageViewThread_interrupted_isReplaced_andPageViewsFlowOn() {
        engine();
        engine.trackPageView(view("https://shop.example/1"));
        collector.awaitRequests(PAGEVIEW, 1);
        Thread first = threads(NAME + "-pageview").get(0);
        first.interrupt();
        Await.until("the interrupted thread gone", () -> !first.isAlive());
        for (int i = 2; i <= 5; i++) {
            engine.trackPageView(view("https://shop.example/" + i));
        }
        collector.awaitRequests(PAGEVIEW, 5);
        TrackerMetrics.Counts c = Await.until("5 page views delivered", () -> engine.metrics().pageViews(),
                v -> v.delivered() == 5 && v.pending() == 0);
        assertEquals(5, c.tracked());
        assertEquals(List.of(NAME + "-pageview"), threads(NAME + "-pageview").stream().map(Thread::getName).toList());
    }

    @Test
    void conversionThread_interrupted_isReplaced_andConversionsFlowOn() {
        engine();
        engine.trackConversion(conversion("i-1"));
        awaitConversionsSettled(1);
        Thread first = threads(NAME + "-conversion").get(0);
        first.interrupt();
        Await.until("the interrupted thread gone", () -> !first.isAlive());
        engine.trackConversion(conversion("i-2"));
        awaitConversionsSettled(2);
        assertEquals(Map.of("i-1", 1L, "i-2", 1L), receivedOrders());
    }

    @Test
    void trackingUserFetcher_interrupted_isReplaced_andIdsKeepComing() {
        try (TrackingUserIds ids = TrackingUserIds.create(collector.endpoint(), WEBSITE_UUID, null, 2,
                Duration.ofHours(1), Duration.ofSeconds(2), NAME + "-trackinguser")) {
            ids.start();
            Thread first = fetchers().get(0);
            // the stock is full and the fetcher waits to be asked: an interrupt now ends it
            Await.until("the fetcher waiting", () -> first.getState() == Thread.State.WAITING);
            first.interrupt();
            Await.until("the interrupted thread gone", () -> !first.isAlive());
            Await.until("ids after the interrupt", () -> ids.take().isPresent());
            assertEquals(1, fetchers().size());
        }
        Await.until("the fetcher gone after close", () -> fetchers().isEmpty());
    }

    private static List<Thread> fetchers() {
        return threads(NAME + "-trackinguser").stream().filter(t -> t.getName().equals(NAME + "-trackinguser")).toList();
    }

    /** Point 9: retries were counted before the pause for conversions and after it for page views. */
    @Test
    void retries_areCountedWhenTheRetryStarts_forPageViewsAndConversionsAlike() {
        engine(collector.endpoint(), Duration.ofSeconds(2));
        collector.answer(1, 500);
        engine.trackConversion(conversion("r-1"));
        collector.awaitRequests(CONVERSION, 1);
        assertEquals(0, engine.metrics().conversions().retries(), "in the pause: no retry has started yet");
        awaitConversionsSettled(1);
        assertEquals(1, engine.metrics().conversions().retries());
        collector.answer(1, 500);
        engine.trackPageView(view("https://shop.example/r"));
        collector.awaitRequests(PAGEVIEW, 1);
        assertEquals(0, engine.metrics().pageViews().retries(), "in the pause: no retry has started yet");
        Await.until("the page view delivered", () -> engine.metrics().pageViews().delivered() == 1);
        assertEquals(1, engine.metrics().pageViews().retries());
    }

    /**
     * close() ends at its deadline but for a conversion whose request is in flight: that one is
     * let finish, up to its own hard deadline, as aborting it would leave unknown whether the
     * order arrived. The page view is abandoned at the close deadline.
     */
    @Test
    void close_withAStalledCollector_waitsOnlyForTheConversionInFlight_andLeavesNoThread() {
        collector.stall();
        engine();
        engine.trackPageView(view("https://shop.example/stalled"));
        engine.trackConversion(conversion("s-1"));
        Await.until("both requests held by the stalled collector", () -> collector.arrivals() == 2);
        long start = System.nanoTime();
        engine.close();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        // closeTimeout is 2 s; the conversion's hard deadline (2 s response + 1 s connect) ends it later
        assertTrue(tookMillis >= 1900 && tookMillis < 3300, "close took " + tookMillis + " ms");
        assertEquals(List.of(), threads(NAME));
        assertEquals(1, engine.metrics().pageViews().abandoned());
        assertEquals(1, engine.metrics().conversions().pending(), "the conversion waits for the next start");
        collector.release();
    }
}
