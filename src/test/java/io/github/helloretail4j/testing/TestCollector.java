package io.github.helloretail4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A stand-in for Hello Retail's collect API on a loopback port: it answers as
 * {@code ../shared/helloretail-api.md} documents (200 with "Page view tracked" / "Conversion
 * tracked" / "Not tracked for anonymous user", 400 with Hello Retail's messages) and records
 * every request. Tests script faults: answers with any status and headers, and stalls.
 */
public final class TestCollector implements AutoCloseable {

    public static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    public static final String OPTED_OUT = "000000000000000000000000";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * One request as the collector read it; {@code inFlight} is how many requests the collector
     * was working on when it arrived, itself included.
     */
    public record Received(String method, String path, String contentType, String body, int status,
                           long receivedNanos, List<String> headerNames, int inFlight) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** A scripted answer: status, body, extra headers. */
    public record Scripted(int status, String body, Map<String, String> headers) {
    }

    private final Server server;
    private final Set<String> websites = new CopyOnWriteArraySet<>(Set.of(WEBSITE_UUID));
    private final List<Received> received = new ArrayList<>();
    private final Deque<Scripted> script = new ArrayDeque<>();
    private final AtomicInteger trackingUsers = new AtomicInteger();
    private final AtomicInteger arrivals = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile CountDownLatch stall = new CountDownLatch(0);
    private volatile Duration latency = Duration.ZERO;

    private final boolean tls;

    private TestCollector(int port, Path keyStore, String password) {
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("test-collector");
        pool.setDaemon(true);
        server = new Server(pool);
        tls = keyStore != null;
        ServerConnector connector;
        if (tls) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(keyStore.toString());
            ssl.setKeyStorePassword(password);
            ssl.setKeyStoreType("PKCS12");
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(new HttpConfiguration()));
        } else {
            connector = new ServerConnector(server);
        }
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                serve(request, response, callback);
                return true;
            }
        });
    }

    /** A collector on a free loopback port. */
    public static TestCollector start() {
        return startOn(0);
    }

    /** A collector on the given loopback port, e.g. one that refused connections until now. */
    public static TestCollector startOn(int port) {
        return start(new TestCollector(port, null, null));
    }

    /** An https collector on a free loopback port, with the key and certificate in {@code keyStore}. */
    public static TestCollector startTls(Path keyStore, String password) {
        return start(new TestCollector(0, keyStore, password));
    }

    private static TestCollector start(TestCollector c) {
        try {
            c.server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test collector", e);
        }
        return c;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The base URL to configure as the tracker's endpoint. */
    public URI endpoint() {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port() + "/serve/");
    }

    /** The next {@code times} requests get this answer instead of the contract's. */
    public synchronized TestCollector answer(int times, int status, String body, Map<String, String> headers) {
        for (int i = 0; i < times; i++) {
            script.addLast(new Scripted(status, body, headers));
        }
        return this;
    }

    public TestCollector answer(int times, int status) {
        return answer(times, status, "{\"success\":false,\"message\":\"Internal error\"}", Map.of());
    }

    /** Requests from now on are held without an answer until {@link #release()}. */
    public void stall() {
        stall = new CountDownLatch(1);
    }

    public void release() {
        stall.countDown();
    }

    /** Every answer from now on waits this long: a collector across a wide-area network. */
    public TestCollector latency(Duration latency) {
        this.latency = latency;
        return this;
    }

    /** Forgets the requests seen so far and the scripted answers not yet given. */
    public synchronized void reset() {
        received.clear();
        script.clear();
    }

    /** Requests that arrived, answered or still stalled. */
    public int arrivals() {
        return arrivals.get();
    }

    public synchronized List<Received> requests() {
        return List.copyOf(received);
    }

    public List<Received> requests(String path) {
        return requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The bodies of requests the collector answered with 200, as JSON, for one endpoint. */
    public List<JsonNode> accepted(String path) {
        return requests().stream().filter(r -> r.path().equals(path) && r.status() == 200)
                .map(Received::json).toList();
    }

    /** Waits until {@code condition} holds for the recorded requests; fails after {@code timeout}. */
    public List<Received> await(Duration timeout, Predicate<List<Received>> condition) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!condition.test(received)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("collector did not see the expected requests within " + timeout
                            + "; it saw " + received.size() + ": " + received);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return List.copyOf(received);
        }
    }

    /** Waits until {@code count} requests for {@code path} were answered. */
    public List<Received> awaitRequests(String path, int count) {
        await(Duration.ofSeconds(20), all -> all.stream().filter(r -> r.path().equals(path)).count() >= count);
        return requests(path);
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        String body = Content.Source.asString(request, StandardCharsets.UTF_8);
        String path = request.getHttpURI().getPath();
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        long now = System.nanoTime();
        arrivals.incrementAndGet();
        int concurrent = inFlight.incrementAndGet();
        try {
            answer(request, response, callback, body, path, contentType, now, concurrent);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(Request request, Response response, Callback callback, String body, String path,
                        String contentType, long now, int concurrent) throws Exception {
        if (!stall.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("stalled request never released");
        }
        if (!latency.isZero()) {
            Thread.sleep(latency.toMillis());
        }
        Scripted answer;
        synchronized (this) {
            answer = script.pollFirst();
        }
        if (answer == null) {
            answer = contract(request.getMethod(), path, contentType, body);
        }
        for (Map.Entry<String, String> h : answer.headers().entrySet()) {
            response.getHeaders().put(h.getKey(), h.getValue());
        }
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        synchronized (this) {
            received.add(new Received(request.getMethod(), path, contentType, body, answer.status(), now,
                    request.getHeaders().getFieldNamesCollection().stream().sorted().toList(), concurrent));
            notifyAll();
        }
        Content.Sink.write(response, true, answer.body(), callback);
    }

    /** What Hello Retail answers, per the seeds and helloretail-api.md. */
    private Scripted contract(String method, String path, String contentType, String body) {
        if (!"POST".equals(method)) {
            return fail(405, "Method not allowed");
        }
        if (contentType == null || !(contentType.startsWith("application/json") || contentType.startsWith("text/plain"))) {
            return fail(400, "Content-Type must be application/json or text/plain");
        }
        JsonNode json;
        try {
            json = MAPPER.readTree(body);
        } catch (IOException e) {
            return fail(400, "Invalid JSON");
        }
        if (json == null || !json.isObject()) {
            return fail(400, "Invalid JSON");
        }
        JsonNode uuid = json.get("websiteUuid");
        if (uuid == null || !uuid.isTextual() || uuid.asText().isEmpty()) {
            return fail(400, "websiteUuid is required");
        }
        if (!websites.contains(uuid.asText())) {
            return fail(400, "Website not found");
        }
        JsonNode id = json.get("trackingUserId");
        if (id != null && !(id.isTextual() && id.asText().matches("[0-9a-f]{24}"))) {
            return fail(400, "Invalid trackingUserId: must be 24-character hex string");
        }
        boolean anonymous = id == null || OPTED_OUT.equals(id.asText());
        switch (path) {
            case "/serve/collect/pageview":
                return ok("Page view tracked");
            case "/serve/collect/conversion":
                if (!json.path("total").isNumber()) {
                    return fail(400, "total must be a number");
                }
                if (!json.path("orderNumber").isTextual()) {
                    return fail(400, "orderNumber is required");
                }
                if (!json.path("urls").isArray() && !json.path("productNumbers").isArray()) {
                    return fail(400, "urls or productNumbers is required");
                }
                return anonymous ? ok("Not tracked for anonymous user") : ok("Conversion tracked");
            case "/serve/trackingUser":
                String newId = String.format("%024x", 0xabc000000L + trackingUsers.incrementAndGet());
                ObjectNode answer = MAPPER.createObjectNode().put("id", newId).put("success", true);
                return new Scripted(200, answer.toString(), Map.of());
            default:
                return fail(404, "Not found");
        }
    }

    private static Scripted ok(String message) {
        return new Scripted(200, "{\"success\":true,\"message\":\"" + message + "\"}", Map.of());
    }

    private static Scripted fail(int status, String message) {
        return new Scripted(status, "{\"success\":false,\"message\":\"" + message + "\"}", Map.of());
    }

    @Override
    public void close() {
        release();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
