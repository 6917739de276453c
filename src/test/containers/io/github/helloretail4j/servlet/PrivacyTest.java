package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.LogCapture;
import io.github.helloretail4j.testing.TestCollector;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with every kind of failure, its whole log captured (the library at DEBUG, see the pom):
 * no email, no full tracking id, no request cookie in it; and nothing sent but the seeds'
 * fields, with no request header of the visitor forwarded.
 */
class PrivacyTest {

    private static final String EMAIL = "jane.doe@example.com";
    private static final String SESSION = "SESSIONSECRET0123456789";
    private static final Set<String> PAGE_VIEW_FIELDS =
            Set.of("location", "trackingUserId", "websiteUuid", "referrer", "url", "productNumber");
    private static final Set<String> CONVERSION_FIELDS = Set.of("trackingUserId", "websiteUuid", "total", "orderNumber",
            "email", "customerId", "urls", "productNumbers");
    /** What our POSTs may carry: nothing of the visitor's request. */
    private static final Set<String> OUR_HEADERS =
            Set.of("Accept-Encoding", "Connection", "Content-Length", "Content-Type", "Host", "User-Agent");

    @TempDir
    Path temp;

    @Test
    void failingRun_logsNoEmailNoTrackingIdNoCookie_andSendsOnlyTheSeedsFields() throws Exception {
        String text;
        TestCollector collector = TestCollector.start();
        try (LogCapture log = new LogCapture()) {
            // 1. the core: 500s, a 400, an anonymous conversion, a refused port, bad input, a full close
            collector.answer(3, 500);
            try (HelloRetailTracker tracker = HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID)
                    .endpoint(collector.endpoint()).outboxDirectory(temp.resolve("a"))
                    .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50)).build()) {
                tracker.trackConversion(conversion("p-1", ID));
                tracker.trackConversion(conversion("p-1", ID)); // duplicate
                tracker.trackConversion(conversion("p-2", null));
                tracker.trackPageView(PageView.builder().trackingUserId(ID).location("https://shop.example/")
                        .referrer("https://www.google.com/").build());
                try {
                    Conversion.builder().orderNumber("x").total(BigDecimal.ONE).email(EMAIL.replace("@", " @"))
                            .productNumbers(List.of("p")).build();
                } catch (IllegalArgumentException expected) {
                    System.err.println("shop logs the exception: " + expected.getMessage());
                }
                Await.until("nothing pending", tracker::metrics,
                        m -> m.conversions().pending() == 0 && m.pageViews().pending() == 0);
            }
            try (HelloRetailTracker rejected = HelloRetailTracker.builder()
                    .websiteUuid("00000000-0000-0000-0000-000000000000").endpoint(collector.endpoint())
                    .outboxDirectory(temp.resolve("b")).build()) {
                rejected.trackConversion(conversion("p-3", ID));
                Await.until("the conversion rejected", rejected::metrics, m -> m.conversions().rejected() == 1);
            }
            try (HelloRetailTracker refused = HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID)
                    .endpoint(URI.create("http://127.0.0.1:9/serve/")).outboxDirectory(temp.resolve("c"))
                    .maxAttempts(2).initialBackoff(Duration.ofMillis(10)).closeTimeout(Duration.ZERO).build()) {
                refused.trackConversion(conversion("p-4", ID));
                refused.trackPageView(PageView.builder().trackingUserId(ID).location("https://shop.example/").build());
                Await.until("the page view failed", refused::metrics, m -> m.pageViews().failed() == 1);
            }
            // 2. the filter in a container, with cookies, a shop attribute it rejects, and a failing page
            try (Containers.Container jetty = Containers.Kind.JETTY.start();
                 Containers.Deployment d = jetty.deploy(new TestWebApp()
                         .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                         .contextParam("helloretail.endpoint", collector.endpoint().toString())
                         .contextParam("helloretail.outboxDirectory", temp.resolve("d").toString())
                         .write(temp.resolve("app")), "/shop")) {
                String cookies = "Cookie: hello_retail_id=" + ID + "; JSESSIONID=" + SESSION;
                RawHttp.get(jetty.port(), "/shop/bad-attributes", cookies, "Authorization: Bearer " + SESSION);
                RawHttp.get(jetty.port(), "/shop/fails-runtime", cookies);
                RawHttp.get(jetty.port(), "/shop/page", cookies, "X-Forwarded-For: 10.0.0." + 7);
                collector.await(Duration.ofSeconds(20), all -> all.stream().filter(r -> r.path().endsWith("pageview")
                        && r.status() == 200).count() >= 3);
            }
            text = log.text();
        } finally {
            collector.close();
        }
        assertTrue(text.contains("did not take a conversion"), "the run did fail and log: " + text);
        assertTrue(text.contains("will not be sent"), "a dead letter was logged: " + text);
        assertFalse(text.contains(EMAIL), "email in the log:\n" + text);
        assertFalse(text.contains(ID), "full tracking id in the log:\n" + text);
        assertFalse(text.contains(SESSION), "a request cookie or header in the log:\n" + text);

        Set<String> headers = new HashSet<>();
        for (TestCollector.Received r : collector.requests()) {
            headers.addAll(r.headerNames());
            JsonNode body = r.json();
            Set<String> allowed = r.path().endsWith("conversion") ? CONVERSION_FIELDS : PAGE_VIEW_FIELDS;
            body.fieldNames().forEachRemaining(f -> assertTrue(allowed.contains(f), f + " sent in " + r.body()));
            assertFalse(r.body().contains(SESSION), r.body());
        }
        assertTrue(OUR_HEADERS.containsAll(headers), "headers sent: " + headers);
        assertEquals(Set.of(), intersection(headers, Set.of("Cookie", "Authorization", "Referer", "X-Forwarded-For")));
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.retainAll(b);
        return s;
    }

    private static Conversion conversion(String order, String id) {
        return Conversion.builder().trackingUserId(id).orderNumber(order).total(new BigDecimal("12.00"))
                .email(EMAIL).customerId("c-1").productNumbers(List.of("p")).build();
    }
}
