package io.github.helloretail4j.demo.collector;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.helloretail4j.testkit.HelloRetailAnswers;
import jakarta.servlet.ServletContext;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the stand-in collector received: the newest {@value #CAPACITY} requests, answered or
 * refused, with their JSON bodies and the answers given; older ones are forgotten (the demo
 * may run for days), the totals are kept.
 */
public final class CollectorLog {

    public static final String ATTRIBUTE = CollectorLog.class.getName();
    public static final int CAPACITY = 1000;

    /** The endpoint a request was for. */
    public enum Kind {
        PAGE_VIEW, CONVERSION, CART, TRACKING_USER, OTHER;

        /** The kind of a request for {@code endpoint} (null: a path the stand-in does not know). */
        static Kind of(HelloRetailAnswers.Endpoint endpoint) {
            return endpoint == null ? OTHER : valueOf(endpoint.name());
        }
    }

    /** One request and the answer the stand-in gave. {@code body} is null when it was not JSON. */
    public record Received(long sequence, Instant at, Kind kind, String method, String path, int status,
                           String message, JsonNode body) {

        public boolean accepted() {
            return status >= 200 && status < 300;
        }

        /** A text field of the body, or null. */
        public String text(String field) {
            JsonNode n = body == null ? null : body.get(field);
            return n == null || n.isNull() ? null : n.asText();
        }

        /** A number field of the body exactly as sent ({@code 10.50} stays {@code 10.50}), or null. */
        public BigDecimal decimal(String field) {
            JsonNode n = body == null ? null : body.get(field);
            return n == null || !n.isNumber() ? null : n.decimalValue();
        }

        /** A conversion's lines ({@code products}) as {@code 2 × sh-101 = 199.90}; empty when it has none. */
        public List<String> lines() {
            JsonNode n = body == null ? null : body.get("products");
            List<String> lines = new ArrayList<>();
            if (n != null && n.isArray()) {
                n.forEach(l -> lines.add(l.path("quantity").asText() + " × "
                        + (l.hasNonNull("productNumber") ? l.get("productNumber").asText() : l.path("url").asText())
                        + " = " + (l.path("lineTotal").isNumber() ? l.get("lineTotal").decimalValue().toPlainString()
                                : l.path("lineTotal").asText())));
            }
            return lines;
        }

        /** An array field of the body as texts; empty when missing. */
        public List<String> list(String field) {
            JsonNode n = body == null ? null : body.get(field);
            List<String> values = new ArrayList<>();
            if (n != null && n.isArray()) {
                n.forEach(v -> values.add(v.asText()));
            }
            return values;
        }
    }

    private final ArrayDeque<Received> entries = new ArrayDeque<>();
    private final Map<Kind, Long> totals = new EnumMap<>(Kind.class);
    private long sequence;

    /** The application's log, created on first use. */
    public static CollectorLog of(ServletContext context) {
        synchronized (CollectorLog.class) {
            CollectorLog log = (CollectorLog) context.getAttribute(ATTRIBUTE);
            if (log == null) {
                log = new CollectorLog();
                context.setAttribute(ATTRIBUTE, log);
            }
            return log;
        }
    }

    synchronized Received add(Instant at, Kind kind, String method, String path, int status, String message,
                              JsonNode body) {
        Received r = new Received(++sequence, at, kind, method, path, status, message, body);
        entries.addLast(r);
        if (entries.size() > CAPACITY) {
            entries.removeFirst();
        }
        totals.merge(kind, 1L, Long::sum);
        return r;
    }

    /** The requests kept, oldest first. */
    public synchronized List<Received> all() {
        return List.copyOf(entries);
    }

    /** The requests kept for one endpoint, oldest first. */
    public synchronized List<Received> of(Kind kind) {
        return entries.stream().filter(r -> r.kind() == kind).toList();
    }

    /** How many requests for {@code kind} arrived since the start, forgotten ones included. */
    public synchronized long total(Kind kind) {
        return totals.getOrDefault(kind, 0L);
    }
}
