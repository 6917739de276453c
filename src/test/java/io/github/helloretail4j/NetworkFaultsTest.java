package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;
import static io.github.helloretail4j.testing.Fixtures.conversion;
import static io.github.helloretail4j.testing.Fixtures.threads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.FaultServer;
import io.github.helloretail4j.testing.FaultServer.Fault;
import io.github.helloretail4j.testing.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A collector that misbehaves on real sockets. For each fault: page views stay bounded and
 * counted, conversions are all delivered after recovery, no thread is added, and the calling
 * thread is not slowed.
 */
class NetworkFaultsTest {

    @TempDir
    Path outbox;
    private FaultServer server;
    private HelloRetailTracker tracker;

    @AfterEach
    void close() throws Exception {
        if (tracker != null) {
            tracker.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private HelloRetailTracker tracker(int queueSize) {
        return HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID).endpoint(server.endpoint()).name("faults")
                .outboxDirectory(outbox).queueSize(queueSize).maxRequestsInFlight(2).maxAttempts(100)
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100))
                .connectTimeout(Duration.ofMillis(500)).responseTimeout(Duration.ofMillis(1500))
                .closeTimeout(Duration.ofSeconds(1)).build();
    }

    private static PageView view(int i) {
        return Fixtures.view("https://shop.example/p/" + i);
    }

    /** Waits until the tracker's metrics satisfy {@code done}; a failure shows the last metrics. */
    private void await(String what, Predicate<TrackerMetrics> done) {
        Await.until(what, Duration.ofSeconds(30), tracker::metrics, done);
    }

    private static long ourThreads() {
        return threads("faults").size();
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"RESET_MID_RESPONSE", "GARBAGE", "NOT_JSON_500", "DRIP", "SILENT"})
    void fault_isRetried_thenEverythingIsDelivered_withBoundedQueueAndThreads(Fault fault) throws Exception {
        server = new FaultServer().then(fault, 3);
        tracker = tracker(50);
        for (int i = 0; i < 5; i++) {
            tracker.trackConversion(conversion("f-" + i));
        }
        // while the faults last, the shop's threads keep going and the queue stays bounded
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10_000; i++) {
                tracker.trackPageView(view(i));
            }
        });
        TrackerMetrics.Counts views = tracker.metrics().pageViews();
        assertTrue(views.pending() <= 50 + 2, "queue bound + in flight: " + views);
        assertEquals(10_000, views.tracked());
        await("conversions delivered after recovery", m -> m.conversions().delivered() == 5);
        await("page views settled", m -> m.pageViews().pending() == 0);
        views = tracker.metrics().pageViews();
        assertEquals(views.tracked(), views.delivered() + views.dropped(), "nothing failed: " + views);
        assertTrue(views.retries() + tracker.metrics().conversions().retries() >= 3, "the faults were retried");
        // the page view thread, the conversion thread and the client's (io-1 and one I/O thread
        // per core, at most two): no thread per fault, per retry or per request in flight
        int most = 3 + Math.min(2, Runtime.getRuntime().availableProcessors());
        assertTrue(ourThreads() <= most, "threads: " + ourThreads());
    }

    @Test
    void dripFeed_isCutAtTheRequestDeadline() throws Exception {
        server = new FaultServer().then(Fault.DRIP, 1);
        tracker = tracker(10);
        long start = System.nanoTime();
        tracker.trackConversion(conversion("f-1"));
        await("delivered", m -> m.conversions().delivered() == 1);
        long millis = (System.nanoTime() - start) / 1_000_000;
        // the drip never pauses 1.5 s, so only the 2 s deadline (connect 0.5 + response 1.5) stops it
        assertTrue(millis >= 2000 && millis < 10_000, millis + " ms");
        assertEquals(1, tracker.metrics().conversions().retries());
    }

    @Test
    void endlessBody_isCutOff_notDrained() throws Exception {
        server = new FaultServer().then(Fault.ENDLESS_BODY, 1);
        tracker = tracker(10);
        tracker.trackPageView(view(1));
        await("a 200 is a delivery, whatever follows", m -> m.pageViews().delivered() == 1);
        Thread.sleep(300); // a client that drained the body would keep the server writing meanwhile
        long written = server.endlessBytesWritten.get();
        // what the socket buffers took before the client hung up; not the endless rest
        assertTrue(written < 32L * 1024 * 1024, written + " bytes written");
        assertEquals(0, tracker.metrics().pageViews().retries());
    }

    @Test
    void notJson200_isADelivery() throws Exception {
        server = new FaultServer().then(Fault.NOT_JSON_200, 1);
        tracker = tracker(10);
        tracker.trackPageView(view(1));
        await("delivered", m -> m.pageViews().delivered() == 1);
        assertEquals(1, server.requests.get());
        assertEquals(1, server.answeredOk.get());
    }
}
