package io.github.helloretail4j.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.Cart;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.PageView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The request bodies of the collect API, with exactly the field names of Hello Retail's
 * pages and in their order. A field without a value is left out, never sent as null or "".
 * UTF-8, as JSON requires (RFC 8259).
 */
final class Json {

    /**
     * Jackson recycles its buffers in a ThreadLocal by default. Bodies are encoded on the shop's
     * threads (conversions) and container threads live on after a web application is
     * undeployed, so such a ThreadLocal would keep the application's class loader alive. This
     * factory recycles through a pool of its own instead.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build();
    /** For reading the collector's answers and writing dead letters; same pool, same reason. */
    public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Json() {
    }

    public static byte[] pageView(String websiteUuid, PageView view) {
        return write(g -> {
            g.writeStringField("location", view.location());
            optional(g, "trackingUserId", view.trackingUserId().orElse(null));
            g.writeStringField("websiteUuid", websiteUuid);
            optional(g, "referrer", view.referrer().orElse(null));
            // "If the url is identical to location then you don't have to pass it."
            String url = view.url().orElse(null);
            optional(g, "url", view.location().equals(url) ? null : url);
            optional(g, "productNumber", view.productNumber().orElse(null));
        });
    }

    public static byte[] conversion(String websiteUuid, Conversion conversion) {
        return write(g -> {
            optional(g, "trackingUserId", conversion.trackingUserId().orElse(null));
            g.writeStringField("websiteUuid", websiteUuid);
            g.writeFieldName("total");
            // Plain notation, so 1E+3 goes out as 1000 and 499.30 keeps its scale.
            g.writeNumber(conversion.total().toPlainString());
            g.writeStringField("orderNumber", conversion.orderNumber());
            optional(g, "email", conversion.email().orElse(null));
            optional(g, "customerId", conversion.customerId().orElse(null));
            array(g, "urls", conversion.urls());
            array(g, "productNumbers", conversion.productNumbers());
            lines(g, conversion.lines());
        });
    }

    /** Order lines as Hello Retail's {@code products}, in the field order of its example; none when empty. */
    private static void lines(JsonGenerator g, List<OrderLine> lines) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("products");
        for (OrderLine line : lines) {
            g.writeStartObject();
            optional(g, "productNumber", line.productNumber().orElse(null));
            optional(g, "url", line.url().orElse(null));
            g.writeNumberField("quantity", line.quantity());
            g.writeFieldName("lineTotal");
            g.writeNumber(line.lineTotal().toPlainString());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * A cart, in the field order of Hello Retail's example. An empty cart is the one exception to
     * leaving empty fields out: it goes as {@code "productNumbers": []}, which clears the cart.
     */
    static byte[] cart(String websiteUuid, Cart cart) {
        return write(g -> {
            optional(g, "trackingUserId", cart.trackingUserId().orElse(null));
            g.writeStringField("websiteUuid", websiteUuid);
            g.writeFieldName("total");
            g.writeNumber(cart.total().toPlainString());
            optional(g, "url", cart.url().orElse(null));
            if (cart.isEmpty()) {
                g.writeArrayFieldStart("productNumbers");
                g.writeEndArray();
            } else {
                array(g, "urls", cart.urls());
                array(g, "productNumbers", cart.productNumbers());
            }
            optional(g, "email", cart.email().orElse(null));
        });
    }

    public static byte[] trackingUserRequest(String websiteUuid) {
        return write(g -> g.writeStringField("websiteUuid", websiteUuid));
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void array(JsonGenerator g, String name, List<String> values) throws IOException {
        if (!values.isEmpty()) {
            g.writeArrayFieldStart(name);
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
    }
}
