package io.github.helloretail4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A conversion as the shop sent it to the stand-in, with assertions that say what differs:
 *
 * <pre>{@code
 * helloRetail.awaitConversion("A-1001")
 *         .assertTotal("59.90")
 *         .assertLines(Line.of("SKU-1", 2, "39.90"), Line.of("SKU-2", 1, "20.00"))
 *         .assertTracked();
 * }</pre>
 *
 * <p>Amounts are compared as numbers: {@code 59.9} and {@code 59.90} are the same total.
 */
public final class SentConversion {

    /**
     * One line of the order ({@code products[]} on the wire): a product by number or URL, how
     * many, and what the line cost in all.
     *
     * @param productNumber the product's number, or null when the line names a URL
     * @param url           the product's URL, or null when the line names a number
     * @param quantity      how many
     * @param lineTotal     the line's amount, quantity included
     */
    public record Line(String productNumber, String url, int quantity, BigDecimal lineTotal) {

        /** A line by product number; {@code lineTotal} as written, e.g. {@code "39.90"}. */
        public static Line of(String productNumber, int quantity, String lineTotal) {
            return new Line(Objects.requireNonNull(productNumber), null, quantity, new BigDecimal(lineTotal));
        }

        /** A line by product URL. */
        public static Line ofUrl(String url, int quantity, String lineTotal) {
            return new Line(null, Objects.requireNonNull(url), quantity, new BigDecimal(lineTotal));
        }

        boolean sameAs(Line other) {
            return Objects.equals(productNumber, other.productNumber) && Objects.equals(url, other.url)
                    && quantity == other.quantity && lineTotal.compareTo(other.lineTotal) == 0;
        }

        @Override
        public String toString() {
            return (productNumber != null ? productNumber : url) + " x" + quantity + " = " + lineTotal.toPlainString();
        }
    }

    private final StandInCollector.Received received;
    private final JsonNode json;

    SentConversion(StandInCollector.Received received) {
        this.received = received;
        this.json = received.json();
    }

    /** The request as received, with the stand-in's answer. */
    public StandInCollector.Received received() {
        return received;
    }

    /** The body as sent. */
    public JsonNode json() {
        return json;
    }

    public String orderNumber() {
        return json.path("orderNumber").asText(null);
    }

    /** The total as sent, or null if it was not a number. */
    public BigDecimal total() {
        return json.path("total").isNumber() ? json.path("total").decimalValue() : null;
    }

    /** The visitor's id, or null (an anonymous conversion). */
    public String trackingUserId() {
        return text("trackingUserId");
    }

    public String email() {
        return text("email");
    }

    public String customerId() {
        return text("customerId");
    }

    /** The lines ({@code products[]}), empty when the conversion named its products otherwise. */
    public List<Line> lines() {
        List<Line> lines = new ArrayList<>();
        for (JsonNode l : json.path("products")) {
            lines.add(new Line(l.path("productNumber").asText(null), l.path("url").asText(null),
                    l.path("quantity").asInt(), l.path("lineTotal").decimalValue()));
        }
        return lines;
    }

    /** The product numbers ({@code productNumbers[]}), empty when none were sent. */
    public List<String> productNumbers() {
        return strings("productNumbers");
    }

    /** The product URLs ({@code urls[]}), empty when none were sent. */
    public List<String> urls() {
        return strings("urls");
    }

    /** Fails unless the total sent equals {@code total} as a number ({@code "59.90"}). */
    public SentConversion assertTotal(String total) {
        BigDecimal expected = new BigDecimal(total);
        BigDecimal sent = total();
        if (sent == null || sent.compareTo(expected) != 0) {
            throw new AssertionError("conversion " + orderNumber() + ": expected total " + total + " but was "
                    + json.path("total") + "; sent: " + StandInCollector.mask(json));
        }
        return this;
    }

    /**
     * Fails unless the lines sent are exactly these, in this order: same product, quantity and
     * line total. The message lists the lines expected and sent.
     */
    public SentConversion assertLines(Line... expected) {
        List<Line> sent = lines();
        boolean same = sent.size() == expected.length;
        for (int i = 0; same && i < expected.length; i++) {
            same = expected[i].sameAs(sent.get(i));
        }
        if (!same) {
            throw new AssertionError("conversion " + orderNumber() + ": expected lines " + List.of(expected)
                    + " but the shop sent " + sent + "; sent: " + StandInCollector.mask(json));
        }
        return this;
    }

    /** Fails unless it was sent for this visitor ({@code trackingUserId}). */
    public SentConversion assertTrackingUserId(String id) {
        if (!Objects.equals(id, trackingUserId())) {
            throw new AssertionError("conversion " + orderNumber() + ": expected trackingUserId " + id + " but was "
                    + trackingUserId() + "; sent: " + StandInCollector.mask(json));
        }
        return this;
    }

    /**
     * Fails unless the stand-in recorded it as Hello Retail would ("Conversion tracked"): not
     * rejected, and not "Not tracked for anonymous user".
     */
    public SentConversion assertTracked() {
        if (!received.tracked()) {
            throw new AssertionError("conversion " + orderNumber() + " was not tracked: the answer was "
                    + received.status() + " " + received.answer() + "; sent: " + StandInCollector.mask(json));
        }
        return this;
    }

    private String text(String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private List<String> strings(String field) {
        List<String> values = new ArrayList<>();
        json.path(field).forEach(v -> values.add(v.asText()));
        return values;
    }

    @Override
    public String toString() {
        return "conversion " + StandInCollector.mask(json);
    }
}
