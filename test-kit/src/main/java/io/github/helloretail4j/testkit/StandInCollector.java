package io.github.helloretail4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.helloretail4j.testkit.HelloRetailAnswers.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A stand-in for Hello Retail's collect API on a loopback port: it answers every request as
 * Hello Retail does ({@link HelloRetailAnswers}) and records it, so that a test can configure
 * its tracker with {@link #endpoint()} and then ask what the shop sent.
 *
 * <pre>{@code
 * try (StandInCollector helloRetail = StandInCollector.start()) {
 *     // configure the shop: websiteUuid StandInCollector.WEBSITE_UUID, endpoint helloRetail.endpoint()
 *     // ... let the shop take an order ...
 *     helloRetail.awaitConversion("A-1001").assertTotal("59.90");
 * }
 * }</pre>
 *
 * <p>The {@code await...} methods wait (at most {@link #timeout(Duration) the timeout}, 10
 * seconds unless set) because a tracker delivers on a thread of its own, after the request
 * that caused it has been answered. Their failures list what did arrive.
 *
 * <p>Tests of failure handling script the answers: {@link #answerNext}, {@link #failNext},
 * {@link #stall()}, {@link #latency(Duration)}.
 *
 * <p>It runs on the JDK's {@code com.sun.net.httpserver}, so it brings no servlet container
 * into a shop's test class path. Thread-safe.
 */
public final class StandInCollector implements AutoCloseable {

    /** The website this stand-in knows unless told others: configure the shop's tracker with it. */
    public static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    /** How long the {@code await...} methods wait unless {@link #timeout(Duration)} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * One request as the stand-in read it, and what it answered.
     *
     * @param at          when it arrived
     * @param method      the HTTP method
     * @param path        the path, e.g. {@code /serve/collect/conversion}
     * @param endpoint    the Hello Retail endpoint at that path, or null for an unknown path
     * @param contentType the request's content type, or null
     * @param body        the body as text (UTF-8)
     * @param status      the status answered
     * @param answer      the JSON answered
     */
    public record Received(Instant at, String method, String path, Endpoint endpoint, String contentType,
                           String body, int status, String answer) {

        /** The body as JSON, numbers as sent (a total of 10.50 stays 10.50). */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("the body of " + method + " " + path + " is not JSON: " + body, e);
            }
        }

        /**
         * Whether the stand-in accepted and recorded it as Hello Retail would: 200, success, and
         * not "Not tracked for anonymous user".
         */
        public boolean tracked() {
            return status == 200 && answer.contains("\"success\":true") && !answer.contains("Not tracked");
        }

        /**
         * The body with the customer's email masked ({@code k***@example.com}): what failure
         * messages and the runnable jar's log show, so that a test report or a console never holds
         * a customer's address, should real orders reach a stand-in.
         */
        public String maskedBody() {
            return mask(body);
        }

        @Override
        public String toString() {
            return method + " " + path + " " + maskedBody() + " -> " + status + " " + answer;
        }
    }

    private record Scripted(int status, String body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final HelloRetailAnswers answers;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Scripted> script = new ArrayDeque<>();
    private volatile Consumer<Received> listener = r -> { };
    private volatile CountDownLatch stall = new CountDownLatch(0);
    private volatile Duration latency = Duration.ZERO;
    private volatile Duration timeout = DEFAULT_TIMEOUT;

    private StandInCollector(int port, Set<String> websites) throws IOException {
        answers = new HelloRetailAnswers(websites);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        // a thread per request: a stalled request must not hold up the others
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "helloretail-standin-" + instance + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    /** A stand-in on a free loopback port that knows the website {@link #WEBSITE_UUID}. */
    public static StandInCollector start() {
        return start(0, Set.of(WEBSITE_UUID));
    }

    /**
     * A stand-in on the given loopback port (0: a free one) that knows these websites and answers
     * any other with {@code 400 "Website not found"}, as Hello Retail does.
     *
     * @throws UncheckedIOException when the port cannot be bound (in use, or not allowed)
     */
    public static StandInCollector start(int port, Set<String> websiteUuids) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (a free one) to 65535, not " + port);
        }
        if (websiteUuids.isEmpty()) {
            throw new IllegalArgumentException("websiteUuids: at least one website, or every request gets 400");
        }
        try {
            return new StandInCollector(port, websiteUuids);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL to configure as the tracker's endpoint: {@code http://127.0.0.1:<port>/serve/}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port() + "/serve/");
    }

    /** How long the {@code await...} methods wait from now on. */
    public StandInCollector timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /** Called with each request once it is answered, on the stand-in's thread (the runnable jar logs them). */
    public StandInCollector onRequest(Consumer<Received> listener) {
        this.listener = Objects.requireNonNull(listener);
        return this;
    }

    // ---- what was received

    /** Every request so far, in the order they were answered. */
    public synchronized List<Received> requests() {
        return List.copyOf(received);
    }

    /** The requests so far to one endpoint. */
    public List<Received> requests(Endpoint endpoint) {
        return requests().stream().filter(r -> r.endpoint() == endpoint).toList();
    }

    /** Forgets the requests so far and the scripted answers not yet given. */
    public synchronized void reset() {
        received.clear();
        script.clear();
    }

    /**
     * Waits until a request to {@code endpoint} arrived whose JSON {@code matches}, and returns the
     * first; fails after the timeout, naming {@code what} and listing what did arrive there.
     */
    public Received await(Endpoint endpoint, String what, Predicate<JsonNode> matches) {
        return Await.until(what + " at " + endpoint.path(), timeout, () -> new Seen(requests(endpoint)),
                seen -> seen.first(matches) != null).first(matches);
    }

    /** Waits until {@code count} requests to {@code endpoint} arrived; returns them all. */
    public List<Received> awaitCount(Endpoint endpoint, int count) {
        return Await.until(count + " requests at " + endpoint.path(), timeout, () -> new Seen(requests(endpoint)),
                seen -> seen.requests.size() >= count).requests;
    }

    /**
     * Waits for the conversion with this order number; the answer lets the test check its total,
     * lines and the rest.
     */
    public SentConversion awaitConversion(String orderNumber) {
        Objects.requireNonNull(orderNumber, "orderNumber");
        return new SentConversion(await(Endpoint.CONVERSION, "a conversion with orderNumber \"" + orderNumber + "\"",
                json -> orderNumber.equals(json.path("orderNumber").asText(null))));
    }

    /** Waits for a page view of this page ({@code location}, the URL the visitor saw). */
    public Received awaitPageView(String location) {
        Objects.requireNonNull(location, "location");
        return await(Endpoint.PAGE_VIEW, "a page view of \"" + location + "\"",
                json -> location.equals(json.path("location").asText(null)));
    }

    /**
     * Fails if a conversion with this order number arrived, now or within {@code quiet}: for "this
     * order must not be tracked (again)". It waits the whole of {@code quiet}, so keep it short.
     */
    public void assertNoConversion(String orderNumber, Duration quiet) {
        long end = System.nanoTime() + quiet.toNanos();
        do {
            for (Received r : requests(Endpoint.CONVERSION)) {
                if (orderNumber.equals(r.json().path("orderNumber").asText(null))) {
                    throw new AssertionError("expected no conversion with orderNumber \"" + orderNumber
                            + "\", but one arrived: " + r);
                }
            }
            pause(10);
        } while (System.nanoTime() - end < 0);
    }

    /** What arrived at one endpoint, as an await failure prints it. */
    private record Seen(List<Received> requests) {
        Received first(Predicate<JsonNode> matches) {
            for (Received r : requests) {
                JsonNode json = parse(r.body());
                if (json != null && matches.test(json)) {
                    return r;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            if (requests.isEmpty()) {
                return "nothing arrived there";
            }
            StringBuilder s = new StringBuilder(requests.size() + " arrived there:");
            for (Received r : requests) {
                s.append("\n  ").append(r);
            }
            return s.toString();
        }
    }

    static String mask(String body) {
        JsonNode json = parse(body);
        return json == null ? body : mask(json).toString();
    }

    static JsonNode mask(JsonNode json) {
        JsonNode email = json.get("email");
        if (!(json instanceof com.fasterxml.jackson.databind.node.ObjectNode object) || email == null
                || !email.isTextual()) {
            return json;
        }
        String address = email.asText();
        int at = address.indexOf('@');
        com.fasterxml.jackson.databind.node.ObjectNode copy = object.deepCopy();
        copy.put("email", at < 1 ? "***" : address.charAt(0) + "***" + address.substring(at));
        return copy;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- scripted answers

    /**
     * The next {@code times} requests get this answer instead of Hello Retail's (they are still
     * recorded): for a test of how the shop handles an outage or a rejection.
     */
    public synchronized StandInCollector answerNext(int times, int status, String body, Map<String, String> headers) {
        for (int i = 0; i < times; i++) {
            script.addLast(new Scripted(status, body, Map.copyOf(headers)));
        }
        return this;
    }

    /** The next {@code times} requests get {@code status} with Hello Retail's error body. */
    public StandInCollector failNext(int times, int status) {
        return answerNext(times, status, "{\"success\":false,\"message\":\"Internal error\"}", Map.of());
    }

    /** Requests from now on are held without an answer until {@link #release()} (or close). */
    public void stall() {
        stall = new CountDownLatch(1);
    }

    /** Answers the stalled requests and those to come. */
    public void release() {
        stall.countDown();
    }

    /** Every answer from now on waits this long: a collector across a slow network. */
    public StandInCollector latency(Duration latency) {
        this.latency = Objects.requireNonNull(latency);
        return this;
    }

    // ---- the transport

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Instant at = Instant.now();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(HelloRetailAnswers.MAX_BODY + 1);
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!stall.await(60, TimeUnit.SECONDS)) {
                throw new IOException("a stalled request was never released");
            }
            if (!latency.isZero()) {
                pause(latency.toMillis());
            }
            Scripted scripted;
            synchronized (this) {
                scripted = script.pollFirst();
            }
            HelloRetailAnswers.Answer contract = answers.answer(method, path, contentType, body);
            int status = scripted == null ? contract.status() : scripted.status();
            String answer = scripted == null ? contract.body() : scripted.body();
            Received r = new Received(at, method, path, contract.endpoint(), contentType,
                    new String(body, StandardCharsets.UTF_8), status, answer);
            synchronized (this) {
                received.add(r);
            }
            if (scripted != null) {
                scripted.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(out);
            }
            listener.accept(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening; stalled requests are released first. */
    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }

    @Override
    public String toString() {
        return "StandInCollector at " + endpoint();
    }
}
