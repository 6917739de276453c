package io.github.helloretail4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts JSON bodies to the collect API and classifies the answer, over httpclient5's
 * asynchronous client: one or two I/O reactor threads serve every connection, so that many
 * requests in flight (what a distant collector needs) cost sockets, not threads, and one wake-up
 * of such a thread handles every answer that has arrived. HTTP/2 is offered through ALPN on https and used
 * when the collector takes it; otherwise (and always on plain http) each keep-alive connection
 * carries one HTTP/1.1 request at a time.
 *
 * <p>Every request has a hard deadline (connect timeout + response timeout): the socket timeout
 * alone lets a collector that drips one byte at a time hold a request forever. A caller that
 * waits ({@link #post(String, byte[])}) enforces it itself; requests sent with a callback are
 * aborted by whoever calls {@link #abortOverdue()} (the page view thread does, each time it
 * looks at its queue). At most {@value #MAX_RESPONSE_BYTES} bytes of an answer are read; a
 * longer one is cut off with its connection rather than drained.
 *
 * <p>TLS: certificates and host names are always verified, against the JVM's trust store or an
 * explicitly given one. There is no way to trust everything.
 */
final class CollectorClient implements Closeable {

    /**
     * I/O threads: one per core, at most two. One serves any load a shop sends to a distant
     * collector; a second one keeps delivery's share of the CPU when the shop's own request
     * threads saturate a machine the collector shares (benchmarks/HISTORY.md, "two I/O threads").
     */
    static final int IO_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    /** The collector's answers are one short JSON object; more than this is not read. */
    static final int MAX_RESPONSE_BYTES = 16 * 1024;
    /**
     * At most this much of a close goes to letting the I/O threads close the connections
     * politely (FIN, TLS close_notify, HTTP/2 GOAWAY); an idle one takes a few milliseconds.
     */
    static final long GRACEFUL_CLOSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.delivery");
    private static final ContentType JSON = ContentType.create("application/json");
    private static final ObjectMapper MAPPER = Json.MAPPER;

    private final URI endpoint;
    private final HttpHost host;
    private final long deadlineNanos;
    private final String threadName;
    private final PoolingAsyncClientConnectionManager connections;
    private final CloseableHttpAsyncClient http;
    private final Map<String, String> paths = new ConcurrentHashMap<>();
    private final Map<Exchange, Boolean> inFlight = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param maxConnections most connections open at once (HTTP/1.1: one request in flight each)
     * @param trustStore the certificates to trust for https, or null for the JVM's own
     * @param name prefix of the I/O threads' names
     */
    CollectorClient(URI endpoint, Duration connectTimeout, Duration responseTimeout,
                    int maxConnections, String userAgent, KeyStore trustStore, String name) {
        this.endpoint = endpoint;
        this.host = HttpHost.create(endpoint);
        this.deadlineNanos = connectTimeout.plus(responseTimeout).toNanos();
        this.threadName = name + "-io-";
        ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create();
        if (trustStore == null) {
            tls.useSystemProperties();
        } else {
            tls.setSslContext(sslContext(trustStore));
        }
        this.connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setTlsStrategy(tls.buildAsync())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                // HTTP/2 (if the collector takes it): one connection, many streams
                .setMessageMultiplexing(true)
                .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.NEGOTIATE).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(responseTimeout))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .build();
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(connections)
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(IO_THREADS)
                        .setSoTimeout(Timeout.of(responseTimeout))
                        .setTcpNoDelay(true)
                        .build())
                .setH2Config(H2Config.custom().setPushEnabled(false).build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(connectTimeout))
                        .setResponseTimeout(Timeout.of(responseTimeout))
                        .build())
                .setThreadFactory(new Named())
                .setIoReactorExceptionCallback(this::ioThreadFailed)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableConnectionState()
                // (no disableContentCompression(): httpclient5 5.5, which Spring Boot 3.5 and 4.0
                // manage, does not have it on the async builder)
                .setUserAgent(userAgent)
                .build();
    }

    /** The I/O threads: daemons named after the tracker, with the library's class loader. */
    private final class Named implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, threadName + count.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(CollectorClient.class.getClassLoader());
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        }
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * POSTs {@code body} to {@code path} below the endpoint and hands the outcome to {@code then},
     * exactly once, on the I/O thread (or on the caller's, when the request cannot start).
     * Never throws for network trouble and never blocks.
     */
    void post(String path, byte[] body, Consumer<Outcome> then) {
        Exchange exchange = new Exchange(then);
        send(path, body, exchange);
    }

    /** As {@link #post(String, byte[], Consumer)}, waiting for the outcome, at most the hard deadline. */
    Outcome post(String path, byte[] body) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Exchange exchange = new Exchange(done::complete);
        send(path, body, exchange);
        return await(done, exchange);
    }

    private void send(String path, byte[] body, Exchange exchange) {
        try {
            start();
            BasicRequestProducer request = new BasicRequestProducer(Method.POST, host,
                    paths.computeIfAbsent(path, p -> endpoint.resolve(p).getRawPath()),
                    new SentMarker(new BasicAsyncEntityProducer(body, JSON), exchange));
            inFlight.put(exchange, Boolean.TRUE);
            exchange.future = http.execute(request, new CappedAnswer(), null, exchange);
        } catch (RuntimeException e) {
            // a client closed by close() refuses new requests with IllegalStateException
            exchange.failed(e);
        }
    }

    private Outcome await(CompletableFuture<Outcome> done, Exchange exchange) {
        try {
            return done.get(Math.max(0, exchange.deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.expire();
        } catch (InterruptedException e) {
            // not ours to swallow: the caller's loop sees it at its next pause
            Thread.currentThread().interrupt();
            exchange.abort("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("completed only normally", e);
        }
        return done.getNow(exchange.unanswered("no complete answer within " + deadlineMillis() + " ms"));
    }

    private long deadlineMillis() {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos);
    }

    /** Aborts the requests in flight past their hard deadline; their callers get a RETRY. */
    void abortOverdue() {
        if (inFlight.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Exchange e : inFlight.keySet()) {
            if (now - e.deadlineNanos >= 0) {
                e.expire();
            }
        }
    }

    /** Closes the connections that no request has used for {@code idle}. */
    void closeIdle(Duration idle) {
        if (started && !closed) {
            connections.closeIdle(TimeValue.of(idle));
        }
    }

    /** Threads start with the first request, not with the tracker. */
    private void start() {
        if (!started) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("closed");
                }
                if (!started) {
                    http.start();
                    started = true;
                }
            }
        }
    }

    /** One request: its deadline, and the one call of its outcome's consumer. */
    private final class Exchange implements FutureCallback<Answer> {
        final long deadlineNanos = System.nanoTime() + CollectorClient.this.deadlineNanos;
        private final Consumer<Outcome> then;
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile String abortReason;
        /**
         * True once the body began to go out: from then on, a request without an answer may
         * have reached the collector (and been recorded); before, it cannot have.
         */
        volatile boolean bodyStarted;
        volatile Future<Answer> future;
        /** The answer its outcome came from; null when it came from a failure or an abort. */
        volatile Answer answer;

        Exchange(Consumer<Outcome> then) {
            this.then = then;
        }

        void expire() {
            abort("no complete answer within " + deadlineMillis() + " ms");
        }

        void abort(String reason) {
            abortReason = reason;
            Future<Answer> f = future;
            if (f != null) {
                f.cancel(true); // calls cancelled(), which finishes it
            }
            finish(unanswered(reason), null);
        }

        @Override
        public void completed(Answer answer) {
            finish(classify(answer), answer);
        }

        @Override
        public void failed(Exception e) {
            String reason = abortReason;
            finish(unanswered(reason == null ? Messages.describe(e) : reason + " (" + Messages.describe(e) + ")"), null);
        }

        @Override
        public void cancelled() {
            String reason = abortReason;
            finish(unanswered(reason != null ? reason : closed ? "the tracker closed" : "cancelled by the HTTP client"),
                    null);
        }

        /** A retry without an answer; whether it may have arrived depends on whether the body went out. */
        Outcome unanswered(String message) {
            return new Outcome(Outcome.Type.RETRY, 0, message, null, bodyStarted);
        }

        private void finish(Outcome outcome, Answer from) {
            if (finished.compareAndSet(false, true)) {
                answer = from;
                inFlight.remove(this);
                then.accept(outcome);
            }
        }
    }

    /** The request body, telling its exchange when it begins to go out. */
    private static final class SentMarker implements AsyncEntityProducer {
        private final AsyncEntityProducer body;
        private final Exchange exchange;

        SentMarker(AsyncEntityProducer body, Exchange exchange) {
            this.body = body;
            this.exchange = exchange;
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            exchange.bodyStarted = true;
            body.produce(channel);
        }

        @Override
        public boolean isRepeatable() {
            return body.isRepeatable();
        }

        @Override
        public void failed(Exception cause) {
            body.failed(cause);
        }

        @Override
        public int available() {
            return body.available();
        }

        @Override
        public void releaseResources() {
            body.releaseResources();
        }

        @Override
        public long getContentLength() {
            return body.getContentLength();
        }

        @Override
        public String getContentType() {
            return body.getContentType();
        }

        @Override
        public String getContentEncoding() {
            return body.getContentEncoding();
        }

        @Override
        public boolean isChunked() {
            return body.isChunked();
        }

        @Override
        public java.util.Set<String> getTrailerNames() {
            return body.getTrailerNames();
        }
    }

    /** What the collector answered: the status, the two headers that matter, and the body's start. */
    record Answer(int status, String retryAfter, String location, byte[] body) {
    }

    /**
     * Reads at most {@link #MAX_RESPONSE_BYTES} of an answer. Beyond that it completes with what
     * it has and fails the exchange, so that the connection is closed instead of drained.
     */
    private static final class CappedAnswer implements AsyncResponseConsumer<Answer> {
        private HttpResponse response;
        private FutureCallback<Answer> result;
        private byte[] bytes = new byte[256];
        private int length;

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
                                    FutureCallback<Answer> result) {
            this.response = response;
            this.result = result;
            if (entity == null) {
                complete();
            }
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {
        }

        @Override
        public void updateCapacity(CapacityChannel channel) throws IOException {
            channel.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) throws IOException {
            int take = Math.min(src.remaining(), MAX_RESPONSE_BYTES - length);
            if (length + take > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(MAX_RESPONSE_BYTES, Math.max(bytes.length * 2, length + take)));
            }
            src.get(bytes, length, take);
            length += take;
            if (src.hasRemaining()) {
                complete();
                throw new IOException("answer longer than " + MAX_RESPONSE_BYTES + " bytes; not read further");
            }
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            complete();
        }

        private void complete() {
            FutureCallback<Answer> r = result;
            if (r != null) {
                result = null;
                r.completed(new Answer(response.getCode(), header(HttpHeaders.RETRY_AFTER),
                        header(HttpHeaders.LOCATION), Arrays.copyOf(bytes, length)));
            }
        }

        private String header(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? null : h.getValue();
        }

        @Override
        public void failed(Exception cause) {
            // the exchange's callback is told by the client
        }

        @Override
        public void releaseResources() {
        }
    }

    /**
     * Asks {@code trackingUser} for a new visitor id.
     *
     * @return the id, 24 lowercase hex characters
     * @throws IOException when the collector cannot be reached or answers anything but an id
     */
    String createTrackingUser(byte[] body) throws IOException {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Exchange exchange = new Exchange(done::complete);
        send("trackingUser", body, exchange);
        Outcome outcome = await(done, exchange);
        Answer answer = exchange.answer;
        if (answer == null) {
            throw new IOException(outcome.describe());
        }
        try {
            JsonNode id = answer.status() == 200 ? MAPPER.readTree(answer.body()).get("id") : null;
            if (id == null) {
                throw new IOException("trackingUser answered HTTP " + answer.status() + " without an id: "
                        + Messages.echo(message(answer.body())));
            }
            if (!Ids.isTrackingUserId(id.asText())) {
                throw new IOException("trackingUser answered an id that is not 24 lowercase hex characters: "
                        + Messages.echo(id.asText()));
            }
            return id.asText();
        } catch (RuntimeException e) {
            throw new IOException(Messages.describe(e), e);
        }
    }

    static Outcome classify(Answer answer) {
        int status = answer.status();
        byte[] bytes = answer.body();
        if (status >= 200 && status < 300) {
            // The one 2xx that matters is "Not tracked for anonymous user"; finding it needs no
            // JSON parser, which would cost more than the rest of the answer does.
            return indexOf(bytes, NOT_TRACKED_BYTES) >= 0
                    ? new Outcome(Outcome.Type.NOT_TRACKED, status, Outcome.NOT_TRACKED_MESSAGE, null)
                    : new Outcome(Outcome.Type.DELIVERED, status, "", null);
        }
        String message = message(bytes);
        if (status >= 500 || status == 408 || status == 425 || status == 429) {
            return new Outcome(Outcome.Type.RETRY, status, message,
                    RetryPolicy.parseRetryAfter(answer.retryAfter(), Instant.now()));
        }
        if (status >= 300 && status < 400) {
            message = "redirect to " + (answer.location() == null ? "nowhere" : Messages.echo(answer.location()))
                    + "; is helloretail.endpoint right?";
        }
        return new Outcome(Outcome.Type.REJECTED, status, message, null);
    }

    /**
     * The {@code message} of the collector's JSON answer, or the start of whatever else it
     * sent.
     */
    private static String message(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (IOException notJson) {
            // fall through: report the raw start of the body
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static final byte[] NOT_TRACKED_BYTES = Outcome.NOT_TRACKED_MESSAGE.getBytes(StandardCharsets.US_ASCII);

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static SSLContext sslContext(KeyStore trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trustStore cannot be used: " + e.getMessage(), e);
        }
    }

    /** Closes within 200 ms: in-flight requests are aborted, their callers get a RETRY. */
    @Override
    public void close() {
        close(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    }

    /**
     * Aborts the requests in flight and closes the connections, and waits for the I/O threads
     * until {@code deadlineNanos}.
     *
     * <p>The I/O threads are let end on their own before the client is closed. httpcore's
     * {@code close(IMMEDIATE)} closes each thread's selector from the calling thread; the I/O
     * thread, woken by it, then asks that closed selector for its channels and logs the
     * ClosedSelectorException at ERROR, with a null message (which JULI's formatters on Tomcat
     * cannot format). A thread that ends on its own closes its selector itself, after its
     * channels.
     */
    void close(long deadlineNanos) {
        synchronized (this) {
            closed = true;
        }
        abortInFlight();
        if (started) {
            shutDownIoThreads(deadlineNanos);
        }
        http.close(CloseMode.IMMEDIATE);
        // a request sent after the first abort, while this closed
        abortInFlight();
        List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        for (Thread t : all) {
            Threads.joinUntil(t, deadlineNanos);
        }
    }

    private void abortInFlight() {
        for (Exchange e : inFlight.keySet()) {
            e.abort("the tracker closed");
        }
    }

    /**
     * First politely: each I/O thread closes its idle connections and ends once it has none.
     * Then what is left is cut: httpclient does not cancel an aborted request on a reused
     * HTTP/1.1 connection (the exchange goes on until the collector answers), and a TLS or
     * HTTP/2 peer may not answer a close. With no connection left, the threads end at once.
     * Both waits return as soon as the threads have ended.
     */
    private void shutDownIoThreads(long deadlineNanos) {
        http.initiateShutdown();
        long now = System.nanoTime();
        awaitIoThreads(now + Math.min(GRACEFUL_CLOSE_NANOS, (deadlineNanos - now) / 2));
        connections.close(CloseMode.IMMEDIATE);
        awaitIoThreads(deadlineNanos);
    }

    private void awaitIoThreads(long untilNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime());
        // not 0: httpcore joins the threads with what is left, and join(0) waits forever
        if (millis > 0) {
            try {
                http.awaitShutdown(TimeValue.ofMilliseconds(millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What httpcore's I/O threads meet outside any request (a request's own failures go to its
     * callback). While closing, that is the teardown itself; httpcore's default would log it at
     * ERROR under its own logger, with the exception's message, often null.
     */
    private void ioThreadFailed(Exception e) {
        if (closed) {
            LOG.debug("an I/O thread of the Hello Retail client met {} while closing", Messages.describe(e), e);
        } else {
            LOG.warn("an I/O thread of the Hello Retail client met {}", Messages.describe(e), e);
        }
    }
}
