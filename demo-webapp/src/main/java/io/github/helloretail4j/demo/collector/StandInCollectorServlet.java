package io.github.helloretail4j.demo.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * A stand-in for Hello Retail's collect API, mapped at {@code /serve/*} inside the demo shop,
 * so that the demo runs with no account and no network: {@code POST /serve/collect/pageview},
 * {@code /serve/collect/conversion}, {@code /serve/collect/cart} and {@code /serve/trackingUser},
 * answered as {@code shared/helloretail-api.md} documents:
 *
 * <ul>
 *   <li>{@code 200 {"success":true,"message":"Page view tracked"}} (and "Conversion tracked",
 *       "Cart tracked");</li>
 *   <li>{@code 200 ... "Not tracked for anonymous user"} for a conversion or cart without
 *       {@code trackingUserId}, or with the opted-out id {@code 000000000000000000000000};</li>
 *   <li>{@code 400 {"success":false,"message":...}}: "websiteUuid is required", "Website not
 *       found" (any UUID but {@link #DEMO_WEBSITE_UUID}), "Invalid trackingUserId: must be
 *       24-character hex string", and the conversion's required fields;</li>
 *   <li>{@code /serve/trackingUser}: {@code {"id":"<24 hex>","success":true}}, a new id per
 *       call.</li>
 * </ul>
 *
 * Every request is kept in the {@link CollectorLog}, which {@code /collector} shows.
 */
public final class StandInCollectorServlet extends HttpServlet {

    /** The demo shop's website UUID (web.xml); the only website this stand-in knows. */
    public static final String DEMO_WEBSITE_UUID = "0d3a7c5e-5e11-4b0e-9f2a-3d3e70c0ffee";
    public static final String OPTED_OUT = "000000000000000000000000";
    private static final Set<String> WEBSITES = Set.of(DEMO_WEBSITE_UUID);
    private static final int MAX_BODY = 1024 * 1024;

    /** Numbers as sent: a total of 10.50 stays 10.50. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Answer(int status, ObjectNode body) {
        /** The message, or for a new tracking user its id. */
        String message() {
            return body.has("message") ? body.get("message").asText() : "id " + body.path("id").asText();
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Instant at = Instant.now();
        String pathInfo = request.getPathInfo() == null ? "" : request.getPathInfo();
        CollectorLog.Kind kind = CollectorLog.Kind.of(pathInfo);
        JsonNode body = null;
        Answer answer;
        if (!"POST".equals(request.getMethod())) {
            answer = fail(405, "Method not allowed");
        } else {
            String contentType = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
            byte[] bytes;
            try (InputStream in = request.getInputStream()) {
                bytes = in.readNBytes(MAX_BODY + 1);
            }
            if (!contentType.startsWith("application/json") && !contentType.startsWith("text/plain")) {
                answer = fail(400, "Content-Type must be application/json or text/plain");
            } else if (bytes.length > MAX_BODY) {
                answer = fail(413, "Request body too large");
            } else {
                try {
                    body = JSON.readTree(bytes);
                    answer = body != null && body.isObject() ? contract(kind, body) : fail(400, "Invalid JSON");
                } catch (JsonProcessingException e) {
                    answer = fail(400, "Invalid JSON");
                }
            }
        }
        CollectorLog.of(getServletContext()).add(at, kind, request.getMethod(), request.getServletPath() + pathInfo,
                answer.status(), answer.message(), body);
        response.setStatus(answer.status());
        response.setContentType("application/json;charset=UTF-8");
        response.getWriter().write(answer.body().toString());
    }

    /** Hello Retail's answer to a well-formed JSON object. */
    private static Answer contract(CollectorLog.Kind kind, JsonNode json) {
        JsonNode uuid = json.get("websiteUuid");
        if (uuid == null || !uuid.isTextual() || uuid.asText().isEmpty()) {
            return fail(400, "websiteUuid is required");
        }
        if (!WEBSITES.contains(uuid.asText())) {
            return fail(400, "Website not found");
        }
        JsonNode id = json.get("trackingUserId");
        if (id != null && !(id.isTextual() && id.asText().matches("[0-9a-f]{24}"))) {
            return fail(400, "Invalid trackingUserId: must be 24-character hex string");
        }
        boolean anonymous = id == null || OPTED_OUT.equals(id.asText());
        switch (kind) {
            case PAGE_VIEW:
                return ok("Page view tracked");
            case CONVERSION:
                if (!json.path("total").isNumber()) {
                    return fail(400, "total must be a number");
                }
                if (!json.path("orderNumber").isTextual()) {
                    return fail(400, "orderNumber is required");
                }
                if (!json.path("urls").isArray() && !json.path("productNumbers").isArray()) {
                    return fail(400, "urls or productNumbers is required");
                }
                return ok(anonymous ? "Not tracked for anonymous user" : "Conversion tracked");
            case CART:
                if (!json.path("urls").isArray() && !json.path("productNumbers").isArray()) {
                    return fail(400, "urls or productNumbers is required");
                }
                return ok(anonymous ? "Not tracked for anonymous user" : "Cart tracked");
            case TRACKING_USER:
                return new Answer(200, JSON.createObjectNode().put("id", newTrackingUserId()).put("success", true));
            default:
                return fail(404, "Not found");
        }
    }

    /** Like a MongoDB ObjectId: 4 bytes of seconds, 8 random bytes; 24 lowercase hex characters. */
    static String newTrackingUserId() {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        return String.format("%08x", Instant.now().getEpochSecond() & 0xffffffffL) + HexFormat.of().formatHex(random);
    }

    private static Answer ok(String message) {
        return new Answer(200, JSON.createObjectNode().put("success", true).put("message", message));
    }

    private static Answer fail(int status, String message) {
        return new Answer(status, JSON.createObjectNode().put("success", false).put("message", message));
    }
}
