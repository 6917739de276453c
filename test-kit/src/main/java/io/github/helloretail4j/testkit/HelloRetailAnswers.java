package io.github.helloretail4j.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What Hello Retail's collect API answers to a request, written once for every stand-in: this
 * kit's {@link StandInCollector} (the JDK's HTTP server), the library's own TLS and HTTP/2
 * collector for its tests (embedded Jetty) and the demo shop's servlet all hand it the method,
 * the path, the content type and the body bytes, and send back the status and JSON it gives. It
 * knows no transport, so the stand-ins cannot drift apart.
 *
 * <p>The rules, from Hello Retail's documentation of view and conversion tracking
 * (developer.helloretail.com, "Tracking") and its public API examples, checked in this order:
 *
 * <ol>
 *   <li>an unknown path: {@code 404 "Not found"};</li>
 *   <li>not {@code POST}: {@code 405 "Method not allowed"};</li>
 *   <li>a content type other than {@code application/json} or {@code text/plain}: {@code 400};</li>
 *   <li>a body over {@link #MAX_BODY} bytes: {@code 413 "Request body too large"} (the stand-ins'
 *       own bound, so that a runaway client cannot fill their memory; Hello Retail documents
 *       none);</li>
 *   <li>not a JSON object: {@code 400 "Invalid JSON"};</li>
 *   <li>no {@code websiteUuid}: {@code 400 "websiteUuid is required"}; one this stand-in does not
 *       know: {@code 400 "Website not found"};</li>
 *   <li>a {@code trackingUserId} that is not 24 lowercase hex characters: {@code 400 "Invalid
 *       trackingUserId: must be 24-character hex string"};</li>
 *   <li>per endpoint: a page view is tracked with or without id; a conversion needs a numeric
 *       {@code total}, an {@code orderNumber} and {@code urls}, {@code productNumbers} or
 *       {@code products} (its lines: each a {@code productNumber} or {@code url}, an integer
 *       {@code quantity} of at least 1 and a numeric {@code lineTotal} of zero or more); a cart
 *       needs {@code urls} or {@code productNumbers} (an empty list clears it); a conversion or
 *       cart without id, or with the opted-out id {@link #OPTED_OUT}, is {@code 200 "Not tracked
 *       for anonymous user"}; {@code trackingUser} creates a new id per call.</li>
 * </ol>
 */
public final class HelloRetailAnswers {

    /** The id Hello Retail's notes say to send for a visitor who declined tracking. */
    public static final String OPTED_OUT = "000000000000000000000000";
    /** The largest body a stand-in reads; a transport reads at most one byte more, to tell. */
    public static final int MAX_BODY = 1024 * 1024;

    /** Numbers as sent: a total of 10.50 stays 10.50 in what a stand-in records. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The endpoints, by their path below the host (the base URL is {@code .../serve/}). */
    public enum Endpoint {
        PAGE_VIEW("/serve/collect/pageview", "Page view tracked"),
        CONVERSION("/serve/collect/conversion", "Conversion tracked"),
        CART("/serve/collect/cart", "Cart tracked"),
        TRACKING_USER("/serve/trackingUser", null);

        private final String path;
        private final String tracked;

        Endpoint(String path, String tracked) {
            this.path = path;
            this.tracked = tracked;
        }

        public String path() {
            return path;
        }

        /** The endpoint at {@code path}, or null. */
        public static Endpoint of(String path) {
            for (Endpoint e : values()) {
                if (e.path.equals(path)) {
                    return e;
                }
            }
            return null;
        }
    }

    /**
     * An answer: the endpoint asked for (null for an unknown path), the status and JSON to send,
     * and the request body as read (null when it was not JSON or not read), numbers as sent.
     */
    public record Answer(Endpoint endpoint, int status, ObjectNode json, JsonNode request) {

        /** The JSON to send. */
        public String body() {
            return json.toString();
        }

        /** The answer's {@code message}, or null (a new tracking user's answer has none). */
        public String message() {
            JsonNode m = json.get("message");
            return m == null ? null : m.asText();
        }
    }

    private final Set<String> websites;
    private final Supplier<String> newIds;

    /** A stand-in that knows these websites and makes ids as Hello Retail does. */
    public HelloRetailAnswers(Set<String> websites) {
        this(websites, HelloRetailAnswers::newTrackingUserId);
    }

    /** As above, with the ids {@code trackingUser} hands out taken from {@code newIds}. */
    public HelloRetailAnswers(Set<String> websites, Supplier<String> newIds) {
        this.websites = Set.copyOf(websites);
        this.newIds = Objects.requireNonNull(newIds);
    }

    /**
     * The answer to one request. {@code path} is the request's path below the host, e.g. {@code
     * /serve/collect/pageview}; {@code contentType} may be null; {@code body} is what the
     * transport read, at most {@link #MAX_BODY} + 1 bytes.
     */
    public Answer answer(String method, String path, String contentType, byte[] body) {
        Endpoint endpoint = Endpoint.of(path);
        if (endpoint == null) {
            return fail(null, 404, "Not found", null);
        }
        if (!"POST".equals(method)) {
            return fail(endpoint, 405, "Method not allowed", null);
        }
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json") && !type.startsWith("text/plain")) {
            return fail(endpoint, 400, "Content-Type must be application/json or text/plain", null);
        }
        if (body.length > MAX_BODY) {
            return fail(endpoint, 413, "Request body too large", null);
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return fail(endpoint, 400, "Invalid JSON", null);
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail", e);
        }
        if (json == null || !json.isObject()) {
            return fail(endpoint, 400, "Invalid JSON", json);
        }
        return contract(endpoint, json);
    }

    /** Hello Retail's answer to a JSON object. */
    private Answer contract(Endpoint endpoint, JsonNode json) {
        JsonNode uuid = json.get("websiteUuid");
        if (uuid == null || !uuid.isTextual() || uuid.asText().isEmpty()) {
            return fail(endpoint, 400, "websiteUuid is required", json);
        }
        if (!websites.contains(uuid.asText())) {
            return fail(endpoint, 400, "Website not found", json);
        }
        JsonNode id = json.get("trackingUserId");
        if (id != null && !(id.isTextual() && id.asText().matches("[0-9a-f]{24}"))) {
            return fail(endpoint, 400, "Invalid trackingUserId: must be 24-character hex string", json);
        }
        boolean anonymous = id == null || OPTED_OUT.equals(id.asText());
        switch (endpoint) {
            case CONVERSION:
                if (!json.path("total").isNumber()) {
                    return fail(endpoint, 400, "total must be a number", json);
                }
                if (!json.path("orderNumber").isTextual()) {
                    return fail(endpoint, 400, "orderNumber is required", json);
                }
                if (json.has("products")) {
                    String problem = linesProblem(json.get("products"));
                    if (problem != null) {
                        return fail(endpoint, 400, problem, json);
                    }
                    if (!json.has("urls") && !json.has("productNumbers")) {
                        return ok(endpoint, anonymous ? "Not tracked for anonymous user" : endpoint.tracked, json);
                    }
                }
                return products(endpoint, json, anonymous);
            case CART:
                return products(endpoint, json, anonymous);
            case TRACKING_USER:
                return new Answer(endpoint, 200, JSON.createObjectNode().put("id", newIds.get()).put("success", true),
                        json);
            default: // the page view: tracked with or without id, the opted-out one too
                return ok(endpoint, endpoint.tracked, json);
        }
    }

    /** A conversion or cart: its products are required; without a usable id it is not tracked. */
    private static Answer products(Endpoint endpoint, JsonNode json, boolean anonymous) {
        if (!json.path("urls").isArray() && !json.path("productNumbers").isArray()) {
            return fail(endpoint, 400, "urls or productNumbers is required", json);
        }
        return ok(endpoint, anonymous ? "Not tracked for anonymous user" : endpoint.tracked, json);
    }

    /** What is wrong with a conversion's {@code products}, or null. */
    private static String linesProblem(JsonNode lines) {
        if (!lines.isArray() || lines.isEmpty()) {
            return "products must be a non-empty array";
        }
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            String at = "products[" + i + "]";
            if (!line.isObject()) {
                return at + " must be an object";
            }
            if (!line.path("productNumber").isTextual() && !line.path("url").isTextual()) {
                return at + ".productNumber or url is required";
            }
            if (!line.path("quantity").canConvertToInt() || !line.path("quantity").isIntegralNumber()
                    || line.path("quantity").intValue() < 1) {
                return at + ".quantity must be a whole number, at least 1";
            }
            if (!line.path("lineTotal").isNumber() || line.path("lineTotal").decimalValue().signum() < 0) {
                return at + ".lineTotal must be a number, zero or more";
            }
        }
        return null;
    }

    /** Like a MongoDB ObjectId, as Hello Retail's are: 4 bytes of seconds, 8 random bytes, in hex. */
    public static String newTrackingUserId() {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        return String.format("%08x", Instant.now().getEpochSecond() & 0xffffffffL) + HexFormat.of().formatHex(random);
    }

    private static Answer ok(Endpoint endpoint, String message, JsonNode request) {
        return new Answer(endpoint, 200, JSON.createObjectNode().put("success", true).put("message", message), request);
    }

    private static Answer fail(Endpoint endpoint, int status, String message, JsonNode request) {
        return new Answer(endpoint, status, JSON.createObjectNode().put("success", false).put("message", message),
                request);
    }
}
