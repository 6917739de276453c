package io.github.helloretail4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.HelloRetailAnswers;
import io.github.helloretail4j.testkit.StandInCollector;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A stand-in for Hello Retail's collect API on a loopback port: it answers as {@link
 * HelloRetailAnswers} (the answers the test kit's {@link StandInCollector} and the demo's
 * stand-in give too) and records every request. Tests script faults: answers with any status and
 * headers, stalls and latency.
 *
 * <p>The library's own, beside the kit's: it runs on Jetty because the library's tests need what
 * the JDK's HTTP server cannot do (TLS with HTTP/2 through ALPN, the count of open connections,
 * the protocol and concurrency of each request). A shop's test needs none of that and uses the kit.
 */
public final class TestCollector implements AutoCloseable {

    /** The test website: the test kit's, so that a shop's test and the library's know the same one. */
    public static final String WEBSITE_UUID = StandInCollector.WEBSITE_UUID;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * One request as the collector read it; {@code inFlight} is how many requests the collector
     * was working on when it arrived, itself included.
     */
    public record Received(String method, String path, String contentType, String body, int status,
                           long receivedNanos, List<String> headerNames, int inFlight, String protocol) {
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
    private final HelloRetailAnswers answers = new HelloRetailAnswers(Set.of(WEBSITE_UUID));
    private final List<Received> received = new ArrayList<>();
    private final Deque<Scripted> script = new ArrayDeque<>();
    private final AtomicInteger arrivals = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile CountDownLatch stall = new CountDownLatch(0);
    /** Requests still answered before the stall holds the rest; {@link Integer#MAX_VALUE} when not stalling. */
    private final AtomicInteger beforeStall = new AtomicInteger(Integer.MAX_VALUE);
    private volatile Duration latency = Duration.ZERO;

    private final boolean tls;

    private final ServerConnector connector;

    private TestCollector(int port, Path keyStore, String password, boolean http2) {
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("test-collector");
        pool.setDaemon(true);
        server = new Server(pool);
        tls = keyStore != null;
        if (tls) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(keyStore.toString());
            ssl.setKeyStorePassword(password);
            ssl.setKeyStoreType("PKCS12");
            HttpConnectionFactory http11 = new HttpConnectionFactory(new HttpConfiguration());
            if (http2) {
                // h2 and http/1.1 offered through ALPN, as a collector behind a modern load balancer does
                ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
                alpn.setDefaultProtocol(http11.getProtocol());
                connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                        new HTTP2ServerConnectionFactory(new HttpConfiguration()), http11);
            } else {
                connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), http11);
            }
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
        return start(new TestCollector(port, null, null, false));
    }

    /** An https collector on a free loopback port, with the key and certificate in {@code keyStore}. */
    public static TestCollector startTls(Path keyStore, String password) {
        return start(new TestCollector(0, keyStore, password, false));
    }

    /** As {@link #startTls}, offering HTTP/2 as well as HTTP/1.1 through ALPN. */
    public static TestCollector startTlsWithHttp2(Path keyStore, String password) {
        return start(new TestCollector(0, keyStore, password, true));
    }

    /** Connections open to the collector now. */
    public int openConnections() {
        return connector.getConnectedEndPoints().size();
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
        stallAfter(0);
    }

    /**
     * The next {@code answered} requests are answered, those after them held until
     * {@link #release()}: a stall that catches clients in the middle of their work however fast
     * they are.
     */
    public void stallAfter(int answered) {
        stall = new CountDownLatch(1);
        beforeStall.set(answered);
    }

    public void release() {
        beforeStall.set(Integer.MAX_VALUE);
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
        return Await.until("the collector to see the expected requests", timeout, this::requests, condition);
    }

    /** Waits until {@code count} requests for {@code path} were answered. */
    public List<Received> awaitRequests(String path, int count) {
        return Await.until(count + " requests for " + path + " answered", () -> requests(path),
                r -> r.size() >= count);
    }

    /** How often each order number was accepted (answered 200) at {@code collect/conversion}. */
    public Map<String, Long> acceptedOrders() {
        return accepted(Fixtures.CONVERSION).stream()
                .collect(Collectors.groupingBy(j -> j.get("orderNumber").asText(), Collectors.counting()));
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(HelloRetailAnswers.MAX_BODY + 1);
        }
        String path = request.getHttpURI().getPath();
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        long now = System.nanoTime();
        arrivals.incrementAndGet();
        int concurrent = inFlight.incrementAndGet();
        boolean[] left = {false};
        try {
            answer(request, response, callback, bytes, path, contentType, now, concurrent, left);
        } finally {
            if (!left[0]) {
                inFlight.decrementAndGet();
            }
        }
    }

    private void answer(Request request, Response response, Callback callback, byte[] body, String path,
                        String contentType, long now, int concurrent, boolean[] left) throws Exception {
        CountDownLatch held = stall;
        if (beforeStall.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : n - 1) <= 0
                && !held.await(60, TimeUnit.SECONDS)) {
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
            HelloRetailAnswers.Answer contract = answers.answer(request.getMethod(), path, contentType, body);
            answer = new Scripted(contract.status(), contract.body(), Map.of());
        }
        for (Map.Entry<String, String> h : answer.headers().entrySet()) {
            response.getHeaders().put(h.getKey(), h.getValue());
        }
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        synchronized (this) {
            received.add(new Received(request.getMethod(), path, contentType, new String(body, StandardCharsets.UTF_8),
                    answer.status(), now,
                    request.getHeaders().getFieldNamesCollection().stream().sorted().toList(), concurrent,
                    request.getConnectionMetaData().getProtocol()));
        }
        // No longer in flight once the answer is on its way: the client may send its next request
        // as soon as it has read this one, before this thread would get to a finally block.
        inFlight.decrementAndGet();
        left[0] = true;
        Content.Sink.write(response, true, answer.body(), callback);
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
