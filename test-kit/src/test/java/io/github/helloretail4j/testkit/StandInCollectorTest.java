package io.github.helloretail4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.HelloRetailAnswers.Endpoint;
import io.github.helloretail4j.testkit.SentConversion.Line;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The stand-in over real HTTP on loopback: Hello Retail's answers, what it records, what its failures say. */
class StandInCollectorTest {

    static final String ID = "62a0317d17698aa57d369db9";
    static final String UUID = StandInCollector.WEBSITE_UUID;

    static String conversion(String order, String total, String products) {
        return "{\"websiteUuid\":\"" + UUID + "\",\"trackingUserId\":\"" + ID + "\",\"orderNumber\":\"" + order
                + "\",\"total\":" + total + ",\"products\":" + products + ",\"productNumbers\":[\"SKU-1\"]}";
    }

    @Test
    void conversion_isAnsweredAsHelloRetailDoes_andRecordedWithItsLines() {
        try (StandInCollector c = StandInCollector.start()) {
            HttpResponse<String> r = Post.json(c.endpoint(), "collect/conversion", conversion("A-1", "59.90",
                    "[{\"productNumber\":\"SKU-1\",\"quantity\":2,\"lineTotal\":39.90},"
                            + "{\"productNumber\":\"SKU-2\",\"quantity\":1,\"lineTotal\":20.00}]"));
            assertEquals(200, r.statusCode());
            assertEquals("{\"success\":true,\"message\":\"Conversion tracked\"}", r.body());
            SentConversion sent = c.awaitConversion("A-1").assertTotal("59.9")
                    .assertLines(Line.of("SKU-1", 2, "39.9"), Line.of("SKU-2", 1, "20")).assertTracked()
                    .assertTrackingUserId(ID);
            assertEquals("59.90", sent.total().toPlainString(), "numbers as sent");
            assertEquals(java.util.List.of("SKU-1"), sent.productNumbers());
        }
    }

    @Test
    void unknownWebsite_isRejectedAsByHelloRetail_andAssertTrackedSaysSo() {
        try (StandInCollector c = StandInCollector.start(0, Set.of("other-site"))) {
            HttpResponse<String> r = Post.json(c.endpoint(), "collect/conversion", conversion("A-2", "1", "[]"));
            assertEquals(400, r.statusCode());
            AssertionError e = assertThrows(AssertionError.class, () -> c.awaitConversion("A-2").assertTracked());
            assertTrue(e.getMessage().contains("was not tracked: the answer was 400 {\"success\":false,"
                    + "\"message\":\"Website not found\"}"), e.getMessage());
        }
    }

    @Test
    void awaitConversion_neverSent_failsInTime_listingWhatArrived() {
        try (StandInCollector c = StandInCollector.start().timeout(Duration.ofMillis(300))) {
            Post.json(c.endpoint(), "collect/conversion", conversion("A-3", "5", "[{\"productNumber\":\"p\","
                    + "\"quantity\":1,\"lineTotal\":5}]"));
            long start = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class, () -> c.awaitConversion("B-9"));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "bounded by the timeout");
            assertTrue(e.getMessage().startsWith("waited 300 ms for a conversion with orderNumber \"B-9\" at "
                    + "/serve/collect/conversion; last seen: 1 arrived there:\n  POST /serve/collect/conversion "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("\"orderNumber\":\"A-3\""), e.getMessage());
        }
    }

    @Test
    void assertLines_differentQuantity_namesBothLists() {
        try (StandInCollector c = StandInCollector.start()) {
            Post.json(c.endpoint(), "collect/conversion", conversion("A-4", "10",
                    "[{\"productNumber\":\"SKU-1\",\"quantity\":1,\"lineTotal\":10}]"));
            AssertionError e = assertThrows(AssertionError.class,
                    () -> c.awaitConversion("A-4").assertLines(Line.of("SKU-1", 2, "10")));
            assertTrue(e.getMessage().startsWith("conversion A-4: expected lines [SKU-1 x2 = 10] but the shop sent "
                    + "[SKU-1 x1 = 10]"), e.getMessage());
            AssertionError total = assertThrows(AssertionError.class, () -> c.awaitConversion("A-4").assertTotal("11"));
            assertTrue(total.getMessage().startsWith("conversion A-4: expected total 11 but was 10"), total.getMessage());
        }
    }

    @Test
    void failureMessages_maskTheCustomersEmail() {
        try (StandInCollector c = StandInCollector.start()) {
            Post.json(c.endpoint(), "collect/conversion", conversion("A-6", "5", "[{\"productNumber\":\"p\","
                    + "\"quantity\":1,\"lineTotal\":5}]").replaceFirst("\\{", "{\"email\":\"kim@example.com\","));
            AssertionError e = assertThrows(AssertionError.class, () -> c.awaitConversion("A-6").assertTotal("6"));
            assertTrue(e.getMessage().contains("\"email\":\"k***@example.com\""), e.getMessage());
            assertFalse(e.getMessage().contains("kim@"), e.getMessage());
            assertFalse(c.requests().get(0).toString().contains("kim@"));
            assertEquals("kim@example.com", c.awaitConversion("A-6").email(), "the test itself sees it all");
        }
    }

    @Test
    void pageView_isAwaitedByLocation() {
        try (StandInCollector c = StandInCollector.start()) {
            Post.json(c.endpoint(), "collect/pageview", "{\"websiteUuid\":\"" + UUID
                    + "\",\"location\":\"https://shop.example/p/1\"}");
            StandInCollector.Received view = c.awaitPageView("https://shop.example/p/1");
            assertTrue(view.tracked());
            assertEquals(Endpoint.PAGE_VIEW, view.endpoint());
            assertEquals(1, c.requests(Endpoint.PAGE_VIEW).size());
            c.reset();
            assertEquals(0, c.requests().size());
        }
    }

    @Test
    void assertNoConversion_failsWhenOneArrives_passesOtherwise() {
        try (StandInCollector c = StandInCollector.start()) {
            c.assertNoConversion("A-5", Duration.ofMillis(50));
            Post.json(c.endpoint(), "collect/conversion", conversion("A-5", "5", "[{\"productNumber\":\"p\","
                    + "\"quantity\":1,\"lineTotal\":5}]"));
            AssertionError e = assertThrows(AssertionError.class, () -> c.assertNoConversion("A-5", Duration.ofMillis(50)));
            assertTrue(e.getMessage().startsWith("expected no conversion with orderNumber \"A-5\", but one arrived"),
                    e.getMessage());
        }
    }

    @Test
    void scriptedAnswers_areGivenInOrder_thenHelloRetailsAgain() {
        try (StandInCollector c = StandInCollector.start()) {
            c.failNext(1, 503).answerNext(1, 429, "{}", Map.of("Retry-After", "1"));
            String view = "{\"websiteUuid\":\"" + UUID + "\",\"location\":\"https://shop.example/\"}";
            assertEquals(503, Post.json(c.endpoint(), "collect/pageview", view).statusCode());
            HttpResponse<String> limited = Post.json(c.endpoint(), "collect/pageview", view);
            assertEquals(429, limited.statusCode());
            assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
            assertEquals(200, Post.json(c.endpoint(), "collect/pageview", view).statusCode());
            assertEquals(3, c.awaitCount(Endpoint.PAGE_VIEW, 3).size());
            assertFalse(c.requests().get(0).tracked());
        }
    }

    @Test
    void stall_holdsAnswersUntilRelease() {
        try (StandInCollector c = StandInCollector.start()) {
            c.stall();
            String view = "{\"websiteUuid\":\"" + UUID + "\",\"location\":\"https://shop.example/\"}";
            CompletableFuture<HttpResponse<String>> answer =
                    CompletableFuture.supplyAsync(() -> Post.json(c.endpoint(), "collect/pageview", view));
            c.assertNoConversion("none", Duration.ofMillis(100));
            assertFalse(answer.isDone(), "held while stalled");
            c.release();
            assertEquals(200, answer.join().statusCode());
        }
    }

    @Test
    void start_portInUse_failsNamingThePort() {
        try (StandInCollector c = StandInCollector.start()) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> StandInCollector.start(c.port(), Set.of(UUID)));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + c.port() + ": "), e.getMessage());
        }
    }

    @Test
    void start_badArguments_fail() {
        assertThrows(IllegalArgumentException.class, () -> StandInCollector.start(70000, Set.of(UUID)));
        assertThrows(IllegalArgumentException.class, () -> StandInCollector.start(0, Set.of()));
    }
}
