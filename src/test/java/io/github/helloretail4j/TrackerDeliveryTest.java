package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.CONVERSION;
import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;
import static io.github.helloretail4j.testing.Fixtures.conversion;
import static io.github.helloretail4j.testing.Fixtures.freePort;
import static io.github.helloretail4j.testing.Fixtures.threads;
import static io.github.helloretail4j.testing.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testing.Fixtures;
import io.github.helloretail4j.testing.LogCapture;
import io.github.helloretail4j.testing.TestCollector;
import io.github.helloretail4j.testkit.Await;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The tracker against a real HTTP collector on a loopback port. */
class TrackerDeliveryTest {

    private TestCollector collector;
    private HelloRetailTracker tracker;
    @TempDir
    Path outboxes;
    private int outboxCount;

    @BeforeEach
    void startCollector() {
        collector = TestCollector.start();
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
        collector.close();
    }

    private HelloRetailTracker.Builder fastRetries(URI endpoint) {
        return Fixtures.fastRetries(endpoint, outboxes.resolve("outbox-" + (++outboxCount))).name("test-tracker");
    }

    private HelloRetailTracker tracker() {
        tracker = fastRetries(collector.endpoint()).build();
        return tracker;
    }

    private void awaitSettled(int pageViews, int conversions) {
        Await.until(pageViews + " page views and " + conversions + " conversions tracked, none pending",
                tracker::metrics, m -> m.pageViews().tracked() == pageViews && m.pageViews().pending() == 0
                        && m.conversions().tracked() == conversions && m.conversions().pending() == 0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Arguments> pageViews() {
        String loc = "https://shop.example/p/shoes-123?color=red";
        return Stream.of(
                Arguments.of(PageView.builder().location(loc).build(),
                        "{\"location\":\"" + loc + "\",\"websiteUuid\":\"" + WEBSITE_UUID + "\"}"),
                Arguments.of(PageView.builder().location(loc).trackingUserId(ID).build(),
                        "{\"location\":\"" + loc + "\",\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\""
                                + WEBSITE_UUID + "\"}"),
                Arguments.of(PageView.builder().location(loc).trackingUserId(ID).referrer("https://www.google.com/")
                                .url("https://shop.example/p/shoes-123").productNumber("shoes-123").build(),
                        "{\"location\":\"" + loc + "\",\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\""
                                + WEBSITE_UUID + "\",\"referrer\":\"https://www.google.com/\","
                                + "\"url\":\"https://shop.example/p/shoes-123\",\"productNumber\":\"shoes-123\"}"),
                // url equal to location is left out, as the seeds allow
                Arguments.of(PageView.builder().location(loc).url(loc).productNumber("shoes-123").build(),
                        "{\"location\":\"" + loc + "\",\"websiteUuid\":\"" + WEBSITE_UUID
                                + "\",\"productNumber\":\"shoes-123\"}"),
                // non-ASCII goes out as UTF-8, quotes are escaped
                Arguments.of(PageView.builder().location("https://rød.dk/sko").productNumber("sko \"rød\"").build(),
                        "{\"location\":\"https://rød.dk/sko\",\"websiteUuid\":\"" + WEBSITE_UUID
                                + "\",\"productNumber\":\"sko \\\"rød\\\"\"}"));
    }

    @ParameterizedTest
    @MethodSource("pageViews")
    void trackPageView_fieldCombination_sendsExactBody(PageView view, String expectedBody) {
        tracker().trackPageView(view);
        TestCollector.Received r = collector.awaitRequests(PAGEVIEW, 1).get(0);
        assertEquals(expectedBody, r.body());
        assertEquals("POST", r.method());
        assertEquals("application/json", r.contentType());
        assertEquals(200, r.status());
        awaitSettled(1, 0);
        assertEquals(1, tracker.metrics().pageViews().delivered());
    }

    static Stream<Arguments> conversions() {
        String head = "{\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + WEBSITE_UUID + "\",";
        return Stream.of(
                Arguments.of(Conversion.builder().trackingUserId(ID).orderNumber("110-2347")
                                .total(new BigDecimal("499.32")).email("customer@example.com").customerId("53967")
                                .productNumbers(List.of("p-1234", "p-4567")).build(),
                        head + "\"total\":499.32,\"orderNumber\":\"110-2347\",\"email\":\"customer@example.com\","
                                + "\"customerId\":\"53967\",\"productNumbers\":[\"p-1234\",\"p-4567\"]}"),
                Arguments.of(Conversion.builder().trackingUserId(ID).orderNumber("7").total(new BigDecimal("1E+3"))
                                .urls(List.of("http://example.com/shop/product-1234")).build(),
                        head + "\"total\":1000,\"orderNumber\":\"7\","
                                + "\"urls\":[\"http://example.com/shop/product-1234\"]}"),
                // the decimal as given: trailing zeros kept
                Arguments.of(Conversion.builder().trackingUserId(ID).orderNumber("8").total(new BigDecimal("10.50"))
                                .productNumbers(List.of("p")).build(),
                        head + "\"total\":10.50,\"orderNumber\":\"8\",\"productNumbers\":[\"p\"]}"),
                // Hello Retail's own example ("Conversion tracking [PRODUCTNUMBERS]"), field for field
                Arguments.of(Conversion.builder().trackingUserId(ID).orderNumber("hr-REST-API-test-31-01-2025-e")
                                .total(new BigDecimal("2185.85")).email("customer@example.com").customerId("123456789")
                                .lines(List.of(
                                        OrderLine.builder().productNumber("14814386389327").quantity(1)
                                                .lineTotal(new BigDecimal("785.95")).build(),
                                        OrderLine.builder().productNumber("14814386717007").quantity(2)
                                                .lineTotal(new BigDecimal("699.95")).build())).build(),
                        head + "\"total\":2185.85,\"orderNumber\":\"hr-REST-API-test-31-01-2025-e\","
                                + "\"email\":\"customer@example.com\",\"customerId\":\"123456789\",\"products\":["
                                + "{\"productNumber\":\"14814386389327\",\"quantity\":1,\"lineTotal\":785.95},"
                                + "{\"productNumber\":\"14814386717007\",\"quantity\":2,\"lineTotal\":699.95}]}"),
                // its URL form, and lines beside the product numbers
                Arguments.of(Conversion.builder().trackingUserId(ID).orderNumber("9").total(new BigDecimal("25"))
                                .productNumbers(List.of("p-1"))
                                .lines(List.of(OrderLine.builder().url("https://shop.example/p/1")
                                        .quantity(3).lineTotal(new BigDecimal("25.00")).build())).build(),
                        head + "\"total\":25,\"orderNumber\":\"9\",\"productNumbers\":[\"p-1\"],\"products\":["
                                + "{\"url\":\"https://shop.example/p/1\",\"quantity\":3,\"lineTotal\":25.00}]}"));
    }

    @ParameterizedTest
    @MethodSource("conversions")
    void trackConversion_fieldCombination_sendsExactBody(Conversion conversion, String expectedBody) {
        tracker().trackConversion(conversion);
        TestCollector.Received r = collector.awaitRequests(CONVERSION, 1).get(0);
        assertEquals(expectedBody, r.body());
        assertEquals("application/json", r.contentType());
        awaitSettled(0, 1);
        assertEquals(1, tracker.metrics().conversions().delivered());
    }

    @Test
    void tryTrackConversion_badValue_isInvalid_loggedWithTheOrderNumberButNotTheEmail_andCounted() {
        tracker();
        Conversion.Builder order = Conversion.builder().trackingUserId(ID).orderNumber("neg-1")
                .total(new BigDecimal("-10.00")).email("jane.doe@example.com").productNumbers(List.of("p-1"));
        ConversionResult result;
        String log;
        try (LogCapture capture = new LogCapture()) {
            result = tracker.tryTrackConversion(order);
            log = capture.text();
        }
        assertEquals(ConversionResult.Status.INVALID, result.status());
        assertEquals("total must be zero or more, with at most 32 characters in plain notation: -10.00",
                result.problem().orElseThrow());
        assertTrue(result.conversion().isEmpty());
        assertTrue(log.contains("WARN io.github.helloretail4j.tracker - conversion \"neg-1\" was not tracked: total must be"
                + " zero or more, with at most 32 characters in plain notation: -10.00; fix the checkout code that"
                + " builds it"), log);
        assertFalse(log.contains("jane.doe"), log);
        ConversionResult noProducts = tracker.tryTrackConversion(Conversion.builder().orderNumber("empty-1")
                .total(BigDecimal.ONE).productNumbers(List.of()));
        assertEquals(ConversionResult.Status.INVALID, noProducts.status());
        TrackerMetrics.Counts c = tracker.metrics().conversions();
        assertEquals(2, c.tracked());
        assertEquals(2, c.invalid());
        assertEquals(0, c.pending());
        ConversionResult good = tracker.tryTrackConversion(order.total(new BigDecimal("10.00")));
        assertEquals(ConversionResult.Status.ACCEPTED, good.status());
        assertTrue(good.isDurable());
        assertEquals(ConversionResult.Status.DUPLICATE, tracker.tryTrackConversion(order).status());
        awaitSettled(0, 4);
        assertEquals(1, collector.accepted(CONVERSION).size());
    }

    @Test
    void trackConversion_withoutTrackingUser_isCountedNotTracked() {
        tracker().trackConversion(Conversion.builder().orderNumber("9").total(BigDecimal.ONE)
                .productNumbers(List.of("p")).build());
        awaitSettled(0, 1);
        TrackerMetrics.Counts c = tracker.metrics().conversions();
        assertEquals(1, c.notTracked());
        assertEquals(0, c.delivered());
    }

    @Test
    void trackPageView_rejectedWith400_isNotRetried() {
        tracker = fastRetries(collector.endpoint()).websiteUuid("00000000-0000-0000-0000-000000000000").build();
        tracker.trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        sleep(300); // time enough for a (wrong) retry to arrive
        List<TestCollector.Received> requests = collector.requests(PAGEVIEW);
        assertEquals(1, requests.size());
        assertEquals(400, requests.get(0).status());
        TrackerMetrics.Counts c = tracker.metrics().pageViews();
        assertEquals(1, c.rejected());
        assertEquals(0, c.retries());
    }

    @Test
    void trackPageView_500sThenOk_isRetriedUntilDelivered() {
        collector.answer(3, 500);
        tracker().trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        List<TestCollector.Received> requests = collector.requests(PAGEVIEW);
        assertEquals(List.of(500, 500, 500, 200), requests.stream().map(TestCollector.Received::status).toList());
        assertEquals(1, requests.stream().map(TestCollector.Received::body).distinct().count());
        TrackerMetrics.Counts c = tracker.metrics().pageViews();
        assertEquals(1, c.delivered());
        assertEquals(3, c.retries());
    }

    @Test
    void trackPageView_429And503_areRetried() {
        collector.answer(1, 429).answer(1, 503);
        tracker().trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        assertEquals(List.of(429, 503, 200),
                collector.requests(PAGEVIEW).stream().map(TestCollector.Received::status).toList());
    }

    @Test
    void trackPageView_retryAfter_isHonoured() {
        collector.answer(1, 503, "{\"success\":false,\"message\":\"busy\"}", Map.of("Retry-After", "1"));
        tracker().trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        List<TestCollector.Received> r = collector.requests(PAGEVIEW);
        assertEquals(2, r.size());
        long gapMillis = (r.get(1).receivedNanos() - r.get(0).receivedNanos()) / 1_000_000;
        // backoff alone would retry after 10-20 ms; the collector asked for a second
        assertTrue(gapMillis >= 1000, "retried after " + gapMillis + " ms");
    }

    @Test
    void trackPageView_alwaysFailing_givesUpAfterMaxAttempts() {
        collector.answer(100, 500);
        tracker = fastRetries(collector.endpoint()).maxAttempts(3).build();
        tracker.trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        assertEquals(3, collector.requests(PAGEVIEW).size());
        TrackerMetrics.Counts c = tracker.metrics().pageViews();
        assertEquals(1, c.failed());
        assertEquals(2, c.retries());
    }

    @Test
    void trackPageView_redirect_isRejectedNotFollowed() {
        // to the collector itself: a client that followed it would show up as a second request
        collector.answer(1, 301, "", Map.of("Location", collector.endpoint().resolve("collect/pageview").toString()));
        tracker().trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        assertEquals(1, tracker.metrics().pageViews().rejected());
        assertEquals(1, collector.requests().size());
    }

    @Test
    void ordersAcceptedWhileTheConversionThreadPauses_doNotWakeItForEachOne() throws Exception {
        collector.answer(1000, 503);
        tracker = fastRetries(collector.endpoint()).initialBackoff(Duration.ofMinutes(1))
                .maxBackoff(Duration.ofMinutes(1)).build();
        tracker.trackConversion(conversion("first"));
        collector.awaitRequests(CONVERSION, 1);
        Thread conversionThread = Await.until("the conversion thread", () -> threads("test-tracker-conversion"),
                t -> t.size() == 1).get(0);
        ThreadMXBean threadsMx = ManagementFactory.getThreadMXBean();
        // Paused, the thread waits without looking up: while the 503 is still on its way it
        // would look every 100 ms, and new orders would rightly wake it then.
        Await.until("the conversion thread waits out its pause", () -> {
            long waits = threadsMx.getThreadInfo(conversionThread.getId()).getWaitedCount();
            Thread.sleep(300);
            return conversionThread.getState() == Thread.State.TIMED_WAITING
                    && threadsMx.getThreadInfo(conversionThread.getId()).getWaitedCount() == waits;
        });
        long waitsBefore = threadsMx.getThreadInfo(conversionThread.getId()).getWaitedCount();
        for (int i = 0; i < 200; i++) {
            tracker.trackConversion(conversion("during-pause-" + i));
        }
        long wokenFor = threadsMx.getThreadInfo(conversionThread.getId()).getWaitedCount() - waitsBefore;
        // every new order waits in the outbox; the thread, paused, has nothing to do with it yet
        assertTrue(wokenFor < 10, "the paused conversion thread woke " + wokenFor + " times for 200 orders");
        assertEquals(201, tracker.metrics().conversions().pending());
    }

    @Test
    void trackConversion_collectorDownThenUp_isDeliveredWhenItComesBack() throws Exception {
        int port = freePort();
        // Nothing listens on the port: connections are refused.
        tracker = fastRetries(Fixtures.endpoint(port)).maxAttempts(1000).build();
        tracker.trackConversion(conversion("down-1"));
        tracker.trackPageView(view("https://shop.example/while-down"));
        Await.until("refused connections retried 3 times", () -> tracker.metrics().conversions(),
                c -> c.retries() >= 3);
        try (TestCollector revived = TestCollector.startOn(port)) {
            revived.awaitRequests(CONVERSION, 1);
            revived.awaitRequests(PAGEVIEW, 1);
            awaitSettled(1, 1);
            assertEquals("down-1", revived.accepted(CONVERSION).get(0).get("orderNumber").asText());
            assertEquals(1, tracker.metrics().conversions().delivered());
            assertEquals(1, tracker.metrics().pageViews().delivered());
        }
    }

    @Test
    void trackPageView_stalledCollector_neverWaitsAndFillsQueueOnlyToItsBound() {
        collector.stall();
        tracker = fastRetries(collector.endpoint()).queueSize(10).maxRequestsInFlight(1)
                .responseTimeout(Duration.ofSeconds(30)).closeTimeout(Duration.ZERO).build();
        tracker.trackPageView(view("https://shop.example/first"));
        Await.until("the one sender stuck in a request the collector holds", collector::arrivals, n -> n >= 1);
        assertEquals(1, collector.arrivals());
        // 10,000 calls while nothing moves: if trackPageView waited, this would time out
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 10_000; i++) {
                tracker.trackPageView(view("https://shop.example/p/" + i));
            }
        });
        TrackerMetrics.Counts c = tracker.metrics().pageViews();
        assertEquals(10_001, c.tracked());
        assertEquals(10_000 - 10, c.dropped(), "all beyond the queue's 10 were dropped");
        assertEquals(11, c.pending(), "10 queued + 1 in flight");
        collector.release();
        awaitSettled(10_001, 0);
        assertEquals(11, tracker.metrics().pageViews().delivered());
        // the oldest are kept, the newest dropped
        assertEquals("https://shop.example/p/9",
                collector.accepted(PAGEVIEW).get(10).get("location").asText());
    }

    @Test
    void close_withQueuedWorkAndHealthyCollector_deliversAllOfIt() {
        tracker = fastRetries(collector.endpoint()).closeTimeout(Duration.ofSeconds(20)).build();
        for (int i = 0; i < 200; i++) {
            tracker.trackPageView(view("https://shop.example/p/" + i));
        }
        tracker.trackConversion(conversion("c-1"));
        tracker.close();
        TrackerMetrics m = tracker.metrics();
        assertEquals(200, m.pageViews().delivered());
        assertEquals(1, m.conversions().delivered());
        assertEquals(0, m.pageViews().abandoned() + m.conversions().abandoned());
        assertEquals(200, collector.requests(PAGEVIEW).size());
    }

    @Test
    void close_withStalledCollector_abandonsWithinTheDeadlineAndCountsIt() {
        collector.stall();
        tracker = fastRetries(collector.endpoint()).maxRequestsInFlight(1).responseTimeout(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofMillis(300)).build();
        for (int i = 0; i < 5; i++) {
            tracker.trackPageView(view("https://shop.example/p/" + i));
        }
        Await.until("a page view held by the stalled collector", collector::arrivals, n -> n >= 1);
        assertEquals(1, collector.arrivals(), "one page view held by the stalled collector");
        // the response timeout is 30 s: close() must not wait for it
        assertTimeoutPreemptively(Duration.ofSeconds(10), tracker::close);
        TrackerMetrics.Counts c = tracker.metrics().pageViews();
        assertEquals(5, c.abandoned(), c.toString());
        assertEquals(0, c.pending());
        assertTrue(threads("test-tracker").isEmpty(), "threads left: " + threads("test-tracker"));
    }

    @Test
    void close_duringBackoff_keepsTheConversionForTheNextStart() {
        collector.answer(100, 500);
        HelloRetailTracker.Builder config = fastRetries(collector.endpoint()).initialBackoff(Duration.ofSeconds(20))
                .maxBackoff(Duration.ofSeconds(20)).closeTimeout(Duration.ofSeconds(2));
        tracker = config.build();
        tracker.trackConversion(conversion("c-2"));
        collector.awaitRequests(CONVERSION, 1);
        // the next attempt is 10-20 s away: close() does not wait for it
        assertTimeoutPreemptively(Duration.ofSeconds(8), tracker::close);
        TrackerMetrics.Counts c = tracker.metrics().conversions();
        assertEquals(0, c.abandoned());
        assertEquals(1, c.pending(), "waits in the outbox");
        // the collector recovers; the next start delivers it
        collector.reset();
        tracker = config.initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
                .outboxDirectory(outboxes.resolve("outbox-" + outboxCount)).build();
        collector.awaitRequests(CONVERSION, 1);
        awaitSettled(0, 1);
        assertEquals(1, tracker.metrics().conversions().delivered());
        assertEquals("c-2", collector.accepted(CONVERSION).get(0).get("orderNumber").asText());
    }

    @Test
    void close_twice_isSafe_andLaterEventsAreRefused() {
        tracker();
        tracker.trackPageView(view("https://shop.example/"));
        tracker.close();
        tracker.close();
        tracker.trackPageView(view("https://shop.example/after"));
        TrackerMetrics.Counts c = tracker.metrics().pageViews();
        assertEquals(2, c.tracked());
        assertEquals(1, c.dropped());
        var e = assertThrows(IllegalStateException.class, () -> tracker.trackConversion(Conversion.builder()
                .orderNumber("late-1").total(BigDecimal.ONE).productNumbers(List.of("p")).build()));
        assertEquals("conversion \"late-1\" was not accepted: the tracker is closed", e.getMessage());
    }

    @Test
    void threads_areNamedDaemons_startedLazily_andGoneAfterClose() {
        tracker();
        assertTrue(threads("test-tracker").isEmpty());
        tracker.trackPageView(view("https://shop.example/"));
        tracker.trackConversion(conversion("t-1"));
        awaitSettled(1, 1);
        List<Thread> ours = threads("test-tracker");
        // the page view thread starts what waits; the client's I/O threads (one per core, at most
        // two, started by io-1) carry every request; the conversion thread keeps the outbox
        List<String> expected = new java.util.ArrayList<>(List.of("test-tracker-conversion", "test-tracker-io-1"));
        for (int i = 0; i < Math.min(2, Runtime.getRuntime().availableProcessors()); i++) {
            expected.add("test-tracker-io-" + (i + 2));
        }
        expected.add("test-tracker-pageview");
        assertEquals(expected, ours.stream().map(Thread::getName).sorted().toList());
        assertTrue(ours.stream().allMatch(Thread::isDaemon));
        tracker.close();
        assertTrue(threads("test-tracker").isEmpty());
    }

    @Test
    void slowCollector_moreRequestsInFlightUpToTheMaximum_onTheSameThreads_andIdleConnectionsClose() {
        // 50 ms per answer: one request in flight delivers 20 page views a second, whatever the machine
        collector.latency(Duration.ofMillis(50));
        tracker = fastRetries(collector.endpoint()).maxRequestsInFlight(6).senderWindow(Duration.ofMillis(300)).build();
        for (int i = 0; i < 400; i++) {
            tracker.trackPageView(view("https://shop.example/p/" + i));
        }
        int mostThreads = 0;
        while (tracker.metrics().pageViews().pending() > 0) {
            mostThreads = Math.max(mostThreads, threads("test-tracker").size());
            sleep(5);
        }
        awaitSettled(400, 0);
        List<TestCollector.Received> requests = collector.requests(PAGEVIEW);
        assertEquals(400, requests.size());
        assertEquals(400, tracker.metrics().pageViews().delivered());
        int most = requests.stream().mapToInt(TestCollector.Received::inFlight).max().orElseThrow();
        assertEquals(6, most, "page views in flight at once, at most maxRequestsInFlight");
        assertEquals(2 + Math.min(2, Runtime.getRuntime().availableProcessors()), mostThreads,
                "6 requests in flight on the page view thread and the client's threads");
        // the connections beyond one close within a few 300 ms windows without work
        Await.until("the idle connections closed", collector::openConnections, n -> n <= 1);
    }

    @Test
    void steadyTrickle_afterABurst_closesTheBurstsConnections() {
        collector.latency(Duration.ofMillis(50));
        tracker = fastRetries(collector.endpoint()).maxRequestsInFlight(6).senderWindow(Duration.ofMillis(300)).build();
        for (int i = 0; i < 300; i++) {
            tracker.trackPageView(view("https://shop.example/p/" + i));
        }
        awaitSettled(300, 0);
        assertEquals(6, collector.requests(PAGEVIEW).stream().mapToInt(TestCollector.Received::inFlight).max()
                .orElseThrow(), "the burst grew the requests in flight to the maximum");
        // Now a page view every 25 ms against a fast collector: the page view thread finds about
        // two each time it looks (every 50 ms) and starts them together, so two or three
        // connections are all the trickle uses; the others the burst opened close while it goes on.
        collector.latency(Duration.ZERO);
        int fewest = 6;
        for (int i = 0; i < 400 && fewest > 3; i++) {
            tracker.trackPageView(view("https://shop.example/q/" + i));
            sleep(25);
            fewest = Math.min(fewest, collector.openConnections());
        }
        assertTrue(fewest <= 3, "connections left open while the trickle went on: " + fewest);
    }

    @Test
    void failingCollector_oneRequestAtATime_untilItAnswersAgain() {
        collector.latency(Duration.ofMillis(20)).answer(30, 500);
        tracker = fastRetries(collector.endpoint()).maxRequestsInFlight(6).maxAttempts(100)
                .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).build();
        for (int i = 0; i < 300; i++) {
            tracker.trackPageView(view("https://shop.example/p/" + i));
        }
        awaitSettled(300, 0);
        List<TestCollector.Received> requests = collector.requests(PAGEVIEW);
        List<TestCollector.Received> failed = requests.stream().filter(r -> r.status() == 500).toList();
        assertEquals(30, failed.size());
        // The first requests went out together (up to maxRequestsInFlight) and failed together; after
        // that, an outage is one page view retried at a time, not a request per waiting page view.
        assertTrue(failed.stream().allMatch(r -> r.inFlight() <= 6), failed.toString());
        assertEquals(List.of(1), failed.stream().skip(6).map(TestCollector.Received::inFlight).distinct().toList());
        assertTrue(requests.stream().anyMatch(r -> r.inFlight() > 1), "more in flight once it answered again");
        assertEquals(300, tracker.metrics().pageViews().delivered());
    }

    @Test
    void jmx_publishesCountersWhileOpen() throws Exception {
        tracker();
        tracker.trackPageView(view("https://shop.example/"));
        awaitSettled(1, 0);
        ObjectName name = new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\"test-tracker\"");
        var server = ManagementFactory.getPlatformMBeanServer();
        assertEquals(1L, server.getAttribute(name, "PageViewsDelivered"));
        assertEquals(WEBSITE_UUID, server.getAttribute(name, "WebsiteUuid"));
        tracker.close();
        assertFalse(server.isRegistered(name));
    }

    @Test
    void jmx_secondTrackerWithTheSameName_getsASuffix() throws Exception {
        tracker();
        try (HelloRetailTracker second = fastRetries(collector.endpoint()).build()) {
            var server = ManagementFactory.getPlatformMBeanServer();
            assertTrue(server.isRegistered(
                    new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\"test-tracker-2\"")));
        }
    }
}
