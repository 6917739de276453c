package io.github.helloretail4j.spring.boot;

import static io.github.helloretail4j.spring.boot.Shop.CONVERSION;
import static io.github.helloretail4j.spring.boot.Shop.ID;
import static io.github.helloretail4j.spring.boot.Shop.PAGEVIEW;
import static io.github.helloretail4j.spring.boot.Shop.pageView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.HelloRetailAnswers.Endpoint;
import io.github.helloretail4j.testkit.StandInCollector;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.web.context.WebApplicationContext;

/** The starter in a real Boot application: page views, a conversion, Actuator, shutdown. */
class StarterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static StandInCollector collector;

    @TempDir
    Path outbox;

    @BeforeAll
    static void startCollector() {
        collector = StandInCollector.start().timeout(Await.DEFAULT);
    }

    @AfterAll
    static void stopCollector() {
        collector.close();
    }

    @BeforeEach
    void resetCollector() {
        collector.reset();
    }

    @Test
    void pageViewFilter_browserRequests_collectorReceivesExactlyThePagesSeen() throws Exception {
        try (Shop shop = Shop.start(collector, outbox,
                "--helloretail.product-number-pattern=^/p/(?<productNumber>[^/]+)$", "--helloretail.max-requests-in-flight=1")) {
            assertEquals(200, shop.get("/p/sh-101?color=red", "Referer", "https://www.google.com/").statusCode());
            // not page views: JSON, a 404, a static asset, curl, a HEAD, a prefetch, no id
            assertEquals(200, shop.get("/api/cart").statusCode());
            assertEquals(404, shop.get("/p/sh-101/missing").statusCode());
            assertEquals(404, shop.get("/shop.css").statusCode());
            assertEquals(200, shop.get("/", "User-Agent", "curl/8.5.0").statusCode());
            assertEquals(200, shop.send("HEAD", "/", "Cookie", "hello_retail_id=" + ID).statusCode());
            assertEquals(200, shop.get("/", "Sec-Purpose", "prefetch").statusCode());
            assertEquals(200, shop.send("GET", "/").statusCode());
            // the last page; with one request in flight they are delivered in order, so it comes last
            assertEquals(200, shop.get("/?last").statusCode());

            collector.awaitCount(PAGEVIEW, 2);
            awaitNothingPending(shop);
            assertEquals(List.of(
                            pageView(shop.base() + "/p/sh-101?color=red", "https://www.google.com/", "sh-101"),
                            pageView(shop.base() + "/?last", null, null)),
                    collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
        }
    }

    @Test
    void checkoutService_orderCompletedTwice_sendsExactlyOneConversion() throws Exception {
        try (Shop shop = Shop.start(collector, outbox)) {
            HelloRetailTracker injected = shop.bean(CheckoutService.class).tracker();
            ServletContext servletContext = ((WebApplicationContext) shop.context).getServletContext();
            assertSame(shop.bean(HelloRetailTracker.class), injected);
            assertSame(injected, HelloRetailWeb.tracker(servletContext));

            assertEquals(200, shop.send("POST", "/checkout?order=1001", "Cookie", "hello_retail_id=" + ID).statusCode());
            // a reloaded thank-you page submits the same order again
            assertEquals(200, shop.send("POST", "/checkout?order=1001", "Cookie", "hello_retail_id=" + ID).statusCode());

            collector.awaitCount(CONVERSION, 1);
            awaitNothingPending(shop);
            assertEquals(List.of("{\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + StandInCollector.WEBSITE_UUID
                            + "\",\"total\":499.30,\"orderNumber\":\"1001\",\"productNumbers\":[\"sh-101\",\"bg-201\"]}"),
                    collector.requests(CONVERSION).stream().map(StandInCollector.Received::body).toList());
            assertEquals(1, injected.metrics().conversions().duplicates());
        }
    }

    @Test
    void actuator_afterAPageViewAndAnOrder_showsTheMetersAndAnUpHealth() throws Exception {
        try (Shop shop = Shop.start(collector, outbox, "--management.endpoints.web.exposure.include=health,metrics",
                "--management.endpoint.health.show-details=always")) {
            shop.get("/p/sh-101");
            shop.send("POST", "/checkout?order=2001", "Cookie", "hello_retail_id=" + ID);
            collector.awaitCount(PAGEVIEW, 1);
            collector.awaitCount(CONVERSION, 1);
            awaitNothingPending(shop);

            assertEquals(1.0, meter(shop, "helloretail.page.views?tag=outcome:delivered"));
            assertEquals(1.0, meter(shop, "helloretail.page.views.tracked"));
            assertEquals(1.0, meter(shop, "helloretail.conversions?tag=outcome:delivered"));
            assertEquals(0.0, meter(shop, "helloretail.conversions.pending"));
            assertEquals(0.0, meter(shop, "helloretail.outbox.failures"));
            // bound though no cart was sent (an unbound meter is a 404 here)
            assertEquals(0.0, meter(shop, "helloretail.carts.tracked"));
            assertEquals(0.0, meter(shop, "helloretail.carts?tag=outcome:superseded"));
            assertEquals(0.0, meter(shop, "helloretail.conversions?tag=outcome:invalid"));
            assertEquals(0.0, meter(shop, "helloretail.conversions.in.memory"));
            assertEquals(0.0, meter(shop, "helloretail.page.views.without.visitor.id"));
            // one description for all outcomes of a name, as Prometheus keeps one per name
            String described = JSON.readTree(shop.actuator("metrics/helloretail.page.views").body())
                    .path("description").asText();
            assertEquals("page views by how they ended (tag outcome): delivered, notTracked (accepted as 'Not tracked"
                    + " for anonymous user'), rejected (refused by Hello Retail as invalid), dropped (not queued: queue"
                    + " full, closed, disabled), failed (given up after the last attempt), abandoned (undelivered when"
                    + " the tracker closed)", described);

            HttpResponse<String> health = shop.actuator("health");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode component = JSON.readTree(health.body()).path("components").path("helloRetail");
            assertEquals("UP", component.path("status").asText(), health.body());
            assertEquals(1, component.path("details").path("conversionsDelivered").asLong(), health.body());
            assertEquals("PT30M", component.path("details").path("downAfter").asText(), health.body());
        }
    }

    @Test
    void health_switchedOffByManagementProperty_isNotAComponent() throws Exception {
        try (Shop shop = Shop.start(collector, outbox, "--management.health.helloretail.enabled=false",
                "--management.endpoint.health.show-components=always")) {
            HttpResponse<String> health = shop.actuator("health");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode components = JSON.readTree(health.body()).path("components");
            assertTrue(components.has("diskSpace"), health.body());
            assertTrue(components.path("helloRetail").isMissingNode(), health.body());
        }
    }

    @Test
    void health_conversionsFailingLongerThanDownAfter_isDownUntilOneIsDelivered() throws Exception {
        // Hello Retail answers 503 for a while; short backoff (through a customizer) keeps retrying fast.
        collector.failNext(100, 503);
        try (Shop shop = Shop.startWith(new Class<?>[] {ShopApplication.class, FastRetries.class}, collector, outbox,
                "--management.endpoint.health.show-details=always", "--helloretail.health.down-after=1s")) {
            shop.send("POST", "/checkout?order=3001", "Cookie", "hello_retail_id=" + ID);

            HttpResponse<String> down = awaitHealth(shop, "DOWN");
            assertEquals(503, down.statusCode(), down.body());
            JsonNode details = JSON.readTree(down.body()).path("components").path("helloRetail").path("details");
            assertEquals(1, details.path("conversionsPending").asLong(), down.body());
            assertTrue(details.has("conversionsFailingSince"), down.body());

            collector.awaitCount(CONVERSION, 101);
            HttpResponse<String> up = awaitHealth(shop, "UP");
            assertEquals(200, up.statusCode(), up.body());
            assertEquals(1, shop.bean(HelloRetailTracker.class).metrics().conversions().delivered());
        }
    }

    @Test
    void close_requestInFlightWithGracefulShutdown_itsPageViewIsDeliveredBeforeTheTrackerCloses() throws Exception {
        Shop shop = Shop.start(collector, outbox, "--server.shutdown=graceful");
        HelloRetailTracker tracker = shop.bean(HelloRetailTracker.class);
        ShopController.SLOW_ENTERED.drainPermits();
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return shop.get("/slow?millis=1500");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(ShopController.SLOW_ENTERED.tryAcquire(20, java.util.concurrent.TimeUnit.SECONDS),
                "the request reached the controller");
        shop.close();

        assertEquals(200, slow.get().statusCode());
        assertEquals(List.of(pageView(shop.base() + "/slow?millis=1500", null, null)),
                collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
        assertEquals(1, tracker.metrics().pageViews().delivered());
        // closed with the context: it takes no more orders, and its JMX bean is gone
        assertThrows(IllegalStateException.class, () -> tracker.trackConversion(Conversion.builder()
                .orderNumber("late").total(1).build()));
        assertTrue(ManagementFactory.getPlatformMBeanServer().queryNames(
                new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,*"), null).isEmpty());
    }

    @Test
    void createTrackingUser_visitorWithoutId_getsOneAndItsThreadEndsWithTheContext() throws Exception {
        try (Shop shop = Shop.start(collector, outbox, "--helloretail.create-tracking-user=true")) {
            // the stock of ids is fetched in the background from the start
            collector.awaitCount(Endpoint.TRACKING_USER, 1);
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("helloretail4j-trackinguser")));
            HttpResponse<String> page = awaitCookie(shop);
            String id = page.headers().firstValue("Set-Cookie").orElseThrow().replaceFirst("^hello_retail_id=([0-9a-f]{24});.*", "$1");
            collector.awaitCount(PAGEVIEW, 1);
            assertEquals(List.of(pageView(shop.base() + "/", null, null).replace(ID, id)),
                    collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
        }
    }

    /** A first visit, no cookie; until the stock has an id, a page gets none and is not tracked. */
    private static HttpResponse<String> awaitCookie(Shop shop) throws Exception {
        return Await.until("a hello_retail_id cookie on a first visit", () -> shop.send("GET", "/"),
                page -> page.headers().firstValue("Set-Cookie").isPresent());
    }

    @Test
    void customizer_renamesTheTracker_threadsAndJmxBeanCarryTheName() throws Exception {
        try (Shop shop = Shop.startWith(new Class<?>[] {ShopApplication.class, FastRetries.class}, collector, outbox)) {
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(
                    new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\"shop-tracker\"")));
            shop.get("/");
            collector.awaitCount(PAGEVIEW, 1);
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("shop-tracker-pageview")));
            shop.context.close();
            Shop.assertNoThreadOfOurs("shop-tracker");
        }
    }

    @Test
    void filterRegistration_defaults_everyRequestAtTheDocumentedOrder() throws Exception {
        try (Shop shop = Shop.start(collector, outbox)) {
            FilterRegistrationBean<?> registration = (FilterRegistrationBean<?>) shop.context
                    .getBean(HelloRetailAutoConfiguration.PAGE_VIEW_FILTER_BEAN);
            assertEquals(List.of("/*"), List.copyOf(registration.getUrlPatterns()));
            assertEquals(HelloRetailAutoConfiguration.PAGE_VIEW_FILTER_ORDER, registration.getOrder());
        }
    }

    private static double meter(Shop shop, String query) throws Exception {
        HttpResponse<String> response = shop.actuator("metrics/" + query);
        assertEquals(200, response.statusCode(), query + ": " + response.body());
        return JSON.readTree(response.body()).path("measurements").path(0).path("value").asDouble();
    }

    private static HttpResponse<String> awaitHealth(Shop shop, String status) throws Exception {
        record Health(HttpResponse<String> response, String status) {
            @Override
            public String toString() {
                return response.body();
            }
        }
        return Await.until("helloRetail health " + status, () -> {
            HttpResponse<String> health = shop.actuator("health");
            return new Health(health, JSON.readTree(health.body()).path("components").path("helloRetail")
                    .path("status").asText());
        }, health -> status.equals(health.status())).response();
    }

    private static void awaitNothingPending(Shop shop) {
        HelloRetailTracker tracker = shop.bean(HelloRetailTracker.class);
        Await.until("nothing pending", tracker::metrics,
                m -> m.pageViews().pending() == 0 && m.conversions().pending() == 0);
    }
}
