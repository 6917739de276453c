package io.github.helloretail4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.HelloRetailAnswers.Answer;
import io.github.helloretail4j.testkit.HelloRetailAnswers.Endpoint;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hello Retail's answers as both stand-ins give them (from Hello Retail's documentation and its
 * public API examples): the exact status and JSON for each rule, and which rule wins when a
 * request breaks several.
 */
class HelloRetailAnswersTest {

    private static final String UUID = StandInCollector.WEBSITE_UUID;
    /** The seeds' example id: 24 lowercase hex characters. */
    private static final String ID = "62a0317d17698aa57d369db9";
    private static final String PAGEVIEW = Endpoint.PAGE_VIEW.path();
    private static final String CONVERSION = Endpoint.CONVERSION.path();
    private static final String TRACKING_USER = Endpoint.TRACKING_USER.path();
    private static final String OTHER = "00000000-0000-0000-0000-000000000000";
    private static final String JSON = "application/json";
    private static final String CART = "/serve/collect/cart";

    private final AtomicInteger ids = new AtomicInteger();
    /** Ids counted up, so that the trackingUser answer can be compared exactly. */
    private final HelloRetailAnswers answers =
            new HelloRetailAnswers(Set.of(UUID), () -> String.format("%024x", ids.incrementAndGet()));

    private static String ok(String message) {
        return "{\"success\":true,\"message\":\"" + message + "\"}";
    }

    private static String failed(String message) {
        return "{\"success\":false,\"message\":\"" + message + "\"}";
    }

    private static String with(String fields) {
        return "{\"websiteUuid\":\"" + UUID + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    private Answer post(String path, String contentType, String body) {
        return answers.answer("POST", path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> rules() {
        String id = "\"trackingUserId\":\"" + ID + "\"";
        String optedOut = "\"trackingUserId\":\"" + HelloRetailAnswers.OPTED_OUT + "\"";
        String order = "\"total\":499.32,\"orderNumber\":\"110-2347\"";
        String invalidId = failed("Invalid trackingUserId: must be 24-character hex string");
        return Stream.of(
                // page views: tracked with an id, without one, and with the opted-out one
                Arguments.of(PAGEVIEW, with(id + ",\"location\":\"https://shop.example/\""), 200, ok("Page view tracked")),
                Arguments.of(PAGEVIEW, with("\"location\":\"https://shop.example/\""), 200, ok("Page view tracked")),
                Arguments.of(PAGEVIEW, with(optedOut), 200, ok("Page view tracked")),
                // conversions
                Arguments.of(CONVERSION, with(id + "," + order + ",\"productNumbers\":[\"p-1234\"]"), 200,
                        ok("Conversion tracked")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"urls\":[\"https://shop.example/p/1\"]"), 200,
                        ok("Conversion tracked")),
                Arguments.of(CONVERSION, with(order + ",\"productNumbers\":[\"p\"]"), 200,
                        ok("Not tracked for anonymous user")),
                Arguments.of(CONVERSION, with(optedOut + "," + order + ",\"productNumbers\":[\"p\"]"), 200,
                        ok("Not tracked for anonymous user")),
                Arguments.of(CONVERSION, with(id + ",\"total\":\"499.32\",\"orderNumber\":\"1\",\"urls\":[]"), 400,
                        failed("total must be a number")),
                // conversions with lines, as Hello Retail's examples send them
                Arguments.of(CONVERSION, with(id + "," + order + ",\"products\":[{\"productNumber\":\"p-1\",\"quantity\":1,"
                        + "\"lineTotal\":785.95},{\"url\":\"https://shop.example/p/2\",\"quantity\":2,\"lineTotal\":0}]"),
                        200, ok("Conversion tracked")),
                Arguments.of(CONVERSION, with(order + ",\"products\":[{\"productNumber\":\"p-1\",\"quantity\":1,"
                        + "\"lineTotal\":1}]"), 200, ok("Not tracked for anonymous user")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"products\":[]"), 400,
                        failed("products must be a non-empty array")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"products\":[{\"quantity\":1,\"lineTotal\":1}]"), 400,
                        failed("products[0].productNumber or url is required")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"products\":[{\"productNumber\":\"p\",\"quantity\":0,"
                        + "\"lineTotal\":1}]"), 400, failed("products[0].quantity must be a whole number, at least 1")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"products\":[{\"productNumber\":\"p\",\"quantity\":1.5,"
                        + "\"lineTotal\":1}]"), 400, failed("products[0].quantity must be a whole number, at least 1")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"products\":[{\"productNumber\":\"p\",\"quantity\":1,"
                        + "\"lineTotal\":-1}]"), 400, failed("products[0].lineTotal must be a number, zero or more")),
                Arguments.of(CONVERSION, with(id + ",\"orderNumber\":\"1\",\"urls\":[]"), 400,
                        failed("total must be a number")),
                Arguments.of(CONVERSION, with(id + ",\"total\":1,\"urls\":[]"), 400, failed("orderNumber is required")),
                Arguments.of(CONVERSION, with(id + ",\"total\":1,\"orderNumber\":7,\"urls\":[]"), 400,
                        failed("orderNumber is required")),
                Arguments.of(CONVERSION, with(id + "," + order), 400, failed("urls or productNumbers is required")),
                Arguments.of(CONVERSION, with(id + "," + order + ",\"productNumbers\":\"p\""), 400,
                        failed("urls or productNumbers is required")),
                // an anonymous conversion is still checked for its fields first
                Arguments.of(CONVERSION, with(order), 400, failed("urls or productNumbers is required")),
                // carts: always the whole cart, an empty list clears it
                Arguments.of(CART, with(id + ",\"total\":123.50,\"url\":\"https://shop.example/cart?restore=1\","
                        + "\"productNumbers\":[\"14814386553167\"]"), 200, ok("Cart tracked")),
                Arguments.of(CART, with(id + ",\"total\":0,\"productNumbers\":[]"), 200, ok("Cart tracked")),
                Arguments.of(CART, with("\"total\":5,\"urls\":[\"https://shop.example/p/1\"]"), 200,
                        ok("Not tracked for anonymous user")),
                Arguments.of(CART, with(optedOut + ",\"productNumbers\":[\"p\"]"), 200,
                        ok("Not tracked for anonymous user")),
                Arguments.of(CART, with(id + ",\"total\":5"), 400, failed("urls or productNumbers is required")),
                // the website, on every endpoint
                Arguments.of(PAGEVIEW, "{\"location\":\"https://shop.example/\"}", 400, failed("websiteUuid is required")),
                Arguments.of(TRACKING_USER, "{\"websiteUuid\":\"\"}", 400, failed("websiteUuid is required")),
                Arguments.of(CART, "{\"websiteUuid\":42,\"productNumbers\":[]}", 400, failed("websiteUuid is required")),
                Arguments.of(PAGEVIEW, "{\"websiteUuid\":\"" + OTHER + "\"}", 400, failed("Website not found")),
                Arguments.of(CONVERSION, "{\"websiteUuid\":\"" + OTHER + "\"," + order + ",\"urls\":[]}", 400,
                        failed("Website not found")),
                Arguments.of(CART, "{\"websiteUuid\":\"" + OTHER + "\",\"productNumbers\":[]}", 400,
                        failed("Website not found")),
                Arguments.of(TRACKING_USER, "{\"websiteUuid\":\"" + OTHER + "\"}", 400, failed("Website not found")),
                // the website is checked before the id
                Arguments.of(PAGEVIEW, "{\"websiteUuid\":\"" + OTHER + "\",\"trackingUserId\":\"x\"}", 400,
                        failed("Website not found")),
                // the id's format: 24 lowercase hex characters, on every endpoint
                Arguments.of(PAGEVIEW, with("\"trackingUserId\":\"62A0317D17698AA57D369DB9\""), 400, invalidId),
                Arguments.of(PAGEVIEW, with("\"trackingUserId\":\"62a0317d17698aa57d369db\""), 400, invalidId),
                Arguments.of(PAGEVIEW, with("\"trackingUserId\":\"62a0317d17698aa57d369db90\""), 400, invalidId),
                Arguments.of(CONVERSION, with("\"trackingUserId\":12," + order + ",\"urls\":[]"), 400, invalidId),
                Arguments.of(CART, with("\"trackingUserId\":null,\"productNumbers\":[]"), 400, invalidId),
                // what is not a JSON object
                Arguments.of(PAGEVIEW, "{nope", 400, failed("Invalid JSON")),
                Arguments.of(PAGEVIEW, "", 400, failed("Invalid JSON")),
                Arguments.of(PAGEVIEW, "[{\"websiteUuid\":\"" + UUID + "\"}]", 400, failed("Invalid JSON")),
                Arguments.of(CONVERSION, "null", 400, failed("Invalid JSON")));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("rules")
    void answer_eachDocumentedRule_givesExactStatusAndJson(String path, String body, int status, String json) {
        Answer a = post(path, JSON, body);
        assertEquals(status, a.status(), a.body());
        assertEquals(json, a.body());
        assertSame(Endpoint.of(path), a.endpoint());
    }

    @Test
    void answer_textPlainAndCharsetsAndCase_areAccepted() {
        String view = with("\"location\":\"https://shop.example/\"");
        for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/json; charset=utf-8",
                "Application/JSON")) {
            assertEquals(ok("Page view tracked"), post(PAGEVIEW, type, view).body(), type);
        }
    }

    @Test
    void answer_otherOrNoContentType_is400_beforeTheBodyIsRead() {
        String refused = failed("Content-Type must be application/json or text/plain");
        Answer form = post(PAGEVIEW, "application/x-www-form-urlencoded", "websiteUuid=" + UUID);
        assertEquals(400, form.status());
        assertEquals(refused, form.body());
        assertNull(form.request());
        Answer none = post(PAGEVIEW, null, with(""));
        assertEquals(400, none.status());
        assertEquals(refused, none.body());
    }

    @Test
    void answer_notPost_is405() {
        Answer get = answers.answer("GET", PAGEVIEW, null, new byte[0]);
        assertEquals(405, get.status());
        assertEquals(failed("Method not allowed"), get.body());
        assertEquals(Endpoint.PAGE_VIEW, get.endpoint());
    }

    @Test
    void answer_unknownPath_is404_whateverTheMethodOrBody() {
        for (String path : List.of("/serve/collect/nothing", "/collect/pageview", "/serve/collect/pageview/", "/")) {
            Answer a = post(path, JSON, with(""));
            assertEquals(404, a.status(), path);
            assertEquals(failed("Not found"), a.body(), path);
            assertNull(a.endpoint(), path);
        }
        assertEquals(404, answers.answer("GET", "/serve/nothing", null, new byte[0]).status());
    }

    @Test
    void answer_bodyOverTheBound_is413_andOneAtTheBoundIsRead() {
        String head = with("\"location\":\"https://shop.example/\"");
        // JSON padded with spaces to exactly MAX_BODY bytes: still read and tracked
        byte[] atBound = (head + " ".repeat(HelloRetailAnswers.MAX_BODY - head.length())).getBytes(StandardCharsets.UTF_8);
        assertEquals(HelloRetailAnswers.MAX_BODY, atBound.length);
        assertEquals(ok("Page view tracked"), answers.answer("POST", PAGEVIEW, JSON, atBound).body());
        // one byte more is what a transport that read MAX_BODY + 1 bytes hands over: refused
        // before it is parsed, even though it is invalid JSON
        byte[] over = new byte[HelloRetailAnswers.MAX_BODY + 1];
        Answer a = answers.answer("POST", CONVERSION, JSON, over);
        assertEquals(413, a.status());
        assertEquals(failed("Request body too large"), a.body());
    }

    @Test
    void answer_request_keepsTheNumbersAsSent() {
        Answer a = post(CONVERSION, JSON, with("\"trackingUserId\":\"" + ID + "\",\"total\":10.50,"
                + "\"orderNumber\":\"T-1\",\"productNumbers\":[\"sh-101\",\"bg-201\"]"));
        assertEquals("Conversion tracked", a.message());
        assertEquals("10.50", a.request().get("total").decimalValue().toPlainString());
        assertEquals("T-1", a.request().get("orderNumber").asText());
    }

    @Test
    void trackingUser_createsANewIdPerCall() {
        assertEquals("{\"id\":\"000000000000000000000001\",\"success\":true}",
                post(TRACKING_USER, JSON, with("")).body());
        Answer second = post(TRACKING_USER, "text/plain", with(""));
        assertEquals(200, second.status());
        assertEquals("{\"id\":\"000000000000000000000002\",\"success\":true}", second.body());
        assertNull(second.message());
    }

    @Test
    void newTrackingUserId_isAnObjectIdOfNow_neverTheOptedOutOne_andNeverRepeats() {
        long now = Instant.now().getEpochSecond();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = HelloRetailAnswers.newTrackingUserId();
            assertTrue(id.matches("[0-9a-f]{24}"), id);
            assertNotEquals(HelloRetailAnswers.OPTED_OUT, id);
            assertTrue(seen.add(id), "repeated: " + id);
            // the first 4 bytes are the time in seconds, as in Hello Retail's ids
            assertTrue(Math.abs(Long.parseLong(id.substring(0, 8), 16) - now) <= 5, id);
        }
    }

    @Test
    void defaultAnswers_giveTheirOwnIds() {
        HelloRetailAnswers real = new HelloRetailAnswers(Set.of(UUID));
        Answer a = real.answer("POST", TRACKING_USER, JSON, with("").getBytes(StandardCharsets.UTF_8));
        assertTrue(a.body().matches("\\{\"id\":\"[0-9a-f]{24}\",\"success\":true}"), a.body());
    }
}
