package io.github.helloretail4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.demo.collector.CollectorLog;
import io.github.helloretail4j.demo.collector.CollectorLog.Kind;
import io.github.helloretail4j.demo.collector.StandInCollectorServlet;
import io.github.helloretail4j.servlet.PageViewFilter;
import io.github.helloretail4j.testkit.HelloRetailAnswers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in servlet over real HTTP inside the demo: each endpoint is reached at its path below
 * {@code /serve/}, method, content type and body reach Hello Retail's answers (whose every rule
 * {@code HelloRetailAnswersTest} checks in the library's build), their status and JSON come
 * back as sent, and the {@link CollectorLog} keeps each request with its answer.
 */
class StandInCollectorTest {

    /** A visitor id as Hello Retail hands them out: 24 lowercase hex characters. */
    private static final String ID = "62a0317d17698aa57d369db9";

    private static final String UUID = StandInCollectorServlet.DEMO_WEBSITE_UUID;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static DemoServer server;

    @BeforeAll
    static void start() throws Exception {
        server = DemoServer.start(0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.standInEndpoint().resolve(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return post(path, "application/json", body);
    }

    private static void assertAnswer(int status, String body, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(JSON.readTree(body), JSON.readTree(response.body()));
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    /**
     * The newest request for {@code kind} the stand-in logged. By kind: the filter's id fetcher
     * may ask for tracking users at any time.
     */
    private static CollectorLog.Received last(Kind kind) {
        List<CollectorLog.Received> all = CollectorLog.of(server.servletContext()).of(kind);
        return all.get(all.size() - 1);
    }

    @Test
    void defaultConfiguration_sendsToTheStandInWithTheDemoWebsite() {
        assertEquals(server.standInEndpoint(), server.tracker().endpoint());
        assertEquals(UUID, server.tracker().websiteUuid());
        assertEquals(UUID, server.servletContext().getInitParameter(PageViewFilter.PARAM_WEBSITE_UUID),
                "web.xml's website UUID is the one the stand-in knows");
    }

    @Test
    void pageView_valid_isTracked_andLogged() throws Exception {
        assertAnswer(200, "{\"success\":true,\"message\":\"Page view tracked\"}", post("collect/pageview",
                "{\"websiteUuid\":\"" + UUID + "\",\"trackingUserId\":\"" + ID + "\",\"location\":\"http://127.0.0.1/x\"}"));
        CollectorLog.Received r = last(Kind.PAGE_VIEW);
        assertEquals("POST", r.method());
        assertEquals("/serve/collect/pageview", r.path());
        assertEquals("Page view tracked", r.message());
        assertEquals("http://127.0.0.1/x", r.text("location"));
    }

    @Test
    void pageView_textPlain_isAccepted() throws Exception {
        assertAnswer(200, "{\"success\":true,\"message\":\"Page view tracked\"}", post("collect/pageview",
                "text/plain;charset=UTF-8", "{\"websiteUuid\":\"" + UUID + "\",\"location\":\"http://127.0.0.1/x\"}"));
    }

    @Test
    void otherWebsite_is400WebsiteNotFound_andLoggedWithItsBody() throws Exception {
        assertAnswer(400, "{\"success\":false,\"message\":\"Website not found\"}", post("collect/conversion",
                "{\"websiteUuid\":\"4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf\",\"orderNumber\":\"W-1\",\"total\":1,"
                        + "\"productNumbers\":[\"a\"]}"));
        CollectorLog.Received r = last(Kind.CONVERSION);
        assertEquals(400, r.status());
        assertEquals("Website not found", r.message());
        assertEquals("W-1", r.text("orderNumber"));
    }

    @Test
    void conversion_withId_isTracked_andKeptExactlyAsSent() throws Exception {
        assertAnswer(200, "{\"success\":true,\"message\":\"Conversion tracked\"}", post("collect/conversion",
                "{\"websiteUuid\":\"" + UUID + "\",\"trackingUserId\":\"" + ID + "\",\"orderNumber\":\"T-1\","
                        + "\"total\":10.50,\"productNumbers\":[\"sh-101\",\"bg-201\"]}"));
        CollectorLog.Received r = CollectorLog.of(server.servletContext()).of(Kind.CONVERSION).stream()
                .filter(c -> "T-1".equals(c.text("orderNumber"))).findFirst().orElseThrow();
        assertEquals("10.50", r.decimal("total").toPlainString());
        assertEquals(List.of("sh-101", "bg-201"), r.list("productNumbers"));
        assertEquals("Conversion tracked", r.message());
    }

    @Test
    void conversion_optedOut_isNotTrackedForAnonymousUser() throws Exception {
        assertAnswer(200, "{\"success\":true,\"message\":\"Not tracked for anonymous user\"}", post("collect/conversion",
                "{\"websiteUuid\":\"" + UUID + "\",\"trackingUserId\":\"" + StandInCollectorServlet.OPTED_OUT
                        + "\",\"orderNumber\":\"T-3\",\"total\":1,\"productNumbers\":[\"a\"]}"));
    }

    @Test
    void cart_isTracked_andLoggedAsACart() throws Exception {
        assertAnswer(200, "{\"success\":true,\"message\":\"Cart tracked\"}", post("collect/cart",
                "{\"websiteUuid\":\"" + UUID + "\",\"trackingUserId\":\"" + ID + "\",\"total\":5,\"productNumbers\":[]}"));
        assertEquals(ID, last(Kind.CART).text("trackingUserId"));
    }

    @Test
    void trackingUser_createsANewIdPerCall_andLogsIt() throws Exception {
        HttpResponse<String> first = post("trackingUser", "{\"websiteUuid\":\"" + UUID + "\"}");
        HttpResponse<String> second = post("trackingUser", "{\"websiteUuid\":\"" + UUID + "\"}");
        assertEquals(200, first.statusCode());
        JsonNode a = JSON.readTree(first.body());
        JsonNode b = JSON.readTree(second.body());
        assertTrue(a.path("success").asBoolean(), first.body());
        assertTrue(a.path("id").asText().matches("[0-9a-f]{24}"), first.body());
        assertEquals(2, a.size(), first.body());
        assertNotEquals(a.path("id").asText(), b.path("id").asText());
        assertTrue(CollectorLog.of(server.servletContext()).of(Kind.TRACKING_USER).stream()
                .anyMatch(r -> r.message().equals("id " + b.path("id").asText())), "the new id is logged");
    }

    @Test
    void bodyOverTheBound_is413_overHttp() throws Exception {
        // valid JSON but for its size: the servlet stops reading one byte past the bound
        String body = "{\"websiteUuid\":\"" + UUID + "\",\"location\":\"http://127.0.0.1/"
                + "x".repeat(HelloRetailAnswers.MAX_BODY) + "\"}";
        assertAnswer(413, "{\"success\":false,\"message\":\"Request body too large\"}", post("collect/pageview", body));
        assertEquals(413, last(Kind.PAGE_VIEW).status());
        assertNull(last(Kind.PAGE_VIEW).body(), "an unread body is not logged");
    }

    @Test
    void methodPathAndContentType_reachTheAnswers() throws Exception {
        assertAnswer(400, "{\"success\":false,\"message\":\"Content-Type must be application/json or text/plain\"}",
                post("collect/pageview", "application/x-www-form-urlencoded", "websiteUuid=" + UUID));
        assertAnswer(400, "{\"success\":false,\"message\":\"Invalid JSON\"}", post("collect/pageview", "{nope"));
        assertAnswer(404, "{\"success\":false,\"message\":\"Not found\"}",
                post("collect/nothing", "{\"websiteUuid\":\"" + UUID + "\"}"));
        assertEquals("/serve/collect/nothing", last(Kind.OTHER).path());
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(server.standInEndpoint().resolve("collect/pageview"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertAnswer(405, "{\"success\":false,\"message\":\"Method not allowed\"}", get);
        assertEquals("GET", last(Kind.PAGE_VIEW).method());
    }

    @Test
    void collectorJson_listsWhatWasReceived() throws Exception {
        post("collect/pageview", "{\"websiteUuid\":\"" + UUID + "\",\"location\":\"http://127.0.0.1/json-probe\"}");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "collector/events.json"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        assertEquals(server.standInEndpoint().toString(), json.path("endpoint").asText());
        assertTrue(r.body().contains("http://127.0.0.1/json-probe"), r.body());
        assertTrue(json.path("metrics").path("pageViews").has("delivered"), r.body());
    }
}
