package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.Fixtures;
import io.github.helloretail4j.testing.TestCollector;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Carts against a real collector on a loopback port: exact bodies, and only a visitor's newest sent. */
class CartDeliveryTest {

    private static final String CART = "/serve/collect/cart";
    private static final String OTHER_ID = "62a0317d17698aa57d369dba";

    @TempDir
    Path outbox;
    private TestCollector collector;
    private HelloRetailTracker tracker;

    @BeforeEach
    void start() {
        collector = TestCollector.start();
        tracker = Fixtures.fastRetries(collector.endpoint(), outbox).name("cart-test").build();
    }

    @AfterEach
    void stop() {
        tracker.close();
        collector.close();
    }

    private static Cart cart(String id, int items) {
        List<String> products = new ArrayList<>();
        for (int i = 1; i <= items; i++) {
            products.add("p-" + i);
        }
        return Cart.builder().trackingUserId(id).total(new BigDecimal(items + ".50"))
                .url("https://shop.example/cart?restore=" + items).productNumbers(products).build();
    }

    private TrackerMetrics.Counts awaitCartsSettled(int tracked) {
        return Await.until(tracked + " carts settled", () -> tracker.metrics().carts(),
                c -> c.tracked() == tracked && c.pending() == 0);
    }

    @Test
    void trackCart_fullAndEmptyCarts_sendExactBodies() {
        tracker.trackCart(Cart.builder().trackingUserId(ID).total(new BigDecimal("218.95"))
                .url("https://shop.example/cart?restore=abc123").productNumbers(List.of("sh-101", "bg-201"))
                .email("customer@example.com").build());
        awaitCartsSettled(1);
        tracker.trackCart(Cart.builder().trackingUserId(ID).total(new BigDecimal("49.00"))
                .urls(List.of("https://shop.example/p/sh-101")).build());
        awaitCartsSettled(2);
        tracker.trackCart(Cart.builder().trackingUserId(ID).total(0.0).urls(List.of()).build());
        awaitCartsSettled(3);
        assertEquals(List.of(
                "{\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + WEBSITE_UUID + "\",\"total\":218.95,"
                        + "\"url\":\"https://shop.example/cart?restore=abc123\",\"productNumbers\":[\"sh-101\",\"bg-201\"],"
                        + "\"email\":\"customer@example.com\"}",
                "{\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + WEBSITE_UUID + "\",\"total\":49.00,"
                        + "\"urls\":[\"https://shop.example/p/sh-101\"]}",
                // the one field sent empty: an empty list clears the cart
                "{\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + WEBSITE_UUID + "\",\"total\":0,"
                        + "\"productNumbers\":[]}"),
                collector.requests(CART).stream().map(TestCollector.Received::body).toList());
        assertEquals(3, tracker.metrics().carts().delivered());
    }

    @Test
    void trackCart_thirtyQuickChangesOfOneVisitor_slowCollector_fewAreSent_andTheLastToArriveIsTheNewest() {
        collector.latency(Duration.ofMillis(150));
        for (int items = 1; items <= 30; items++) {
            tracker.trackCart(cart(ID, items));
        }
        TrackerMetrics.Counts c = awaitCartsSettled(30);
        List<TestCollector.Received> sent = collector.requests(CART);
        assertEquals(c.delivered(), sent.size());
        assertEquals(30, c.delivered() + c.superseded(), c.toString());
        assertTrue(sent.size() <= 3, sent.size() + " of 30 sent"); // the first, and the newest behind it
        assertEquals("30.5", sent.get(sent.size() - 1).json().get("total").asText());
        // one visitor's carts are never in flight together, so none can overtake another
        assertTrue(sent.stream().allMatch(r -> r.inFlight() == 1), sent.stream().map(TestCollector.Received::inFlight).toList().toString());
    }

    @Test
    void trackCart_twoVisitors_eachEndsWithTheirNewestCart() {
        collector.latency(Duration.ofMillis(50));
        for (int items = 1; items <= 10; items++) {
            tracker.trackCart(cart(ID, items));
            tracker.trackCart(cart(OTHER_ID, items + 100));
        }
        awaitCartsSettled(20);
        Map<String, List<String>> totalsByVisitor = collector.requests(CART).stream().map(TestCollector.Received::json)
                .collect(Collectors.groupingBy(j -> j.get("trackingUserId").asText(),
                        Collectors.mapping(j -> j.get("total").asText(), Collectors.toList())));
        assertEquals("10.5", last(totalsByVisitor.get(ID)));
        assertEquals("110.5", last(totalsByVisitor.get(OTHER_ID)));
    }

    private static String last(List<String> values) {
        return values.get(values.size() - 1);
    }

    @Test
    void trackCart_withoutTrackingId_isCountedNotTracked() {
        tracker.trackCart(Cart.builder().total(1).productNumbers(List.of("p-1")).build());
        tracker.trackCart(Cart.builder().total(2).productNumbers(List.of("p-2")).build());
        TrackerMetrics.Counts c = awaitCartsSettled(2);
        assertEquals(2, c.notTracked(), "anonymous carts do not coalesce: nothing says they are one visitor's");
        assertEquals(0, c.superseded());
    }

    @Test
    void cartCounters_areOnJmxToo() throws Exception {
        collector.latency(Duration.ofMillis(150));
        for (int items = 1; items <= 5; items++) {
            tracker.trackCart(cart(ID, items));
        }
        TrackerMetrics.Counts c = awaitCartsSettled(5);
        var name = new javax.management.ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\"cart-test\"");
        var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        assertEquals(5L, server.getAttribute(name, "CartsTracked"));
        assertEquals(c.delivered(), server.getAttribute(name, "CartsDelivered"));
        assertEquals(c.superseded(), server.getAttribute(name, "CartsSuperseded"));
        assertTrue(c.superseded() > 0, c.toString());
        assertEquals(0L, server.getAttribute(name, "CartsPending"));
    }

    @Test
    void trackCart_rejected_isCountedAndNotRetried() {
        collector.answer(1, 400, "{\"success\":false,\"message\":\"Website not found\"}", Map.of());
        tracker.trackCart(cart(ID, 1));
        TrackerMetrics.Counts c = awaitCartsSettled(1);
        assertEquals(1, c.rejected());
        assertEquals(1, collector.requests(CART).size());
    }

    @Test
    void trackCart_failingThenNewerCart_theFailedOneIsNotRetriedOverTheNewer() {
        collector.answer(3, 503);
        tracker.trackCart(cart(ID, 1));
        Await.until("the first attempt", () -> collector.requests(CART).size() >= 1);
        tracker.trackCart(cart(ID, 2));
        TrackerMetrics.Counts c = awaitCartsSettled(2);
        assertEquals(1, c.delivered(), c.toString());
        assertEquals(1, c.superseded(), c.toString());
        List<TestCollector.Received> sent = collector.requests(CART);
        assertEquals("2.5", sent.get(sent.size() - 1).json().get("total").asText());
        assertEquals(200, sent.get(sent.size() - 1).status());
    }
}
