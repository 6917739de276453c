package io.github.helloretail4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A fast loopback collector for Hello Retail's and Matomo's tracking requests: reads the
 * request, counts it, answers as the real collector does.
 *
 * <ul>
 *   <li>{@code POST .../collect/pageview}: {@code 200 {"success":true,"message":"Page view tracked"}}</li>
 *   <li>{@code POST .../collect/conversion}: {@code 200 {"success":true,"message":"Conversion tracked"}}</li>
 *   <li>{@code GET|POST .../matomo.php}: {@code 200} and Matomo's 1x1 GIF, as Matomo answers a
 *       tracking request by default</li>
 * </ul>
 *
 * <p>{@link #stall()} makes it a hung collector: it reads each request but holds the answer until
 * {@link #resume()}. {@link #latency} makes it a distant one: every answer leaves that long after
 * the request was read, without holding a thread meanwhile. A request is counted when it is
 * answered.
 *
 * <p>Run on its own ({@link #main}) it also answers {@code GET /_stats} (its counters and its
 * JVM's CPU time, as JSON), so that the benchmarks can run it in a JVM of its own and read it
 * from another.
 */
public final class Sink implements AutoCloseable {
    private static final ByteBuffer PAGE_VIEW = ByteBuffer.wrap(
            "{\"success\":true,\"message\":\"Page view tracked\"}".getBytes(StandardCharsets.UTF_8));
    private static final ByteBuffer CONVERSION = ByteBuffer.wrap(
            "{\"success\":true,\"message\":\"Conversion tracked\"}".getBytes(StandardCharsets.UTF_8));
    /** The 43-byte transparent GIF that matomo.php answers with. */
    private static final ByteBuffer GIF = ByteBuffer.wrap(java.util.Base64.getDecoder()
            .decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));

    /** Hello Retail page views answered. */
    public final LongAdder pageViews = new LongAdder();
    /** Hello Retail conversions answered. */
    public final LongAdder conversions = new LongAdder();
    /** Matomo tracking requests answered. */
    public final LongAdder matomo = new LongAdder();
    /** Requests that came over HTTP/2. */
    public final LongAdder http2 = new LongAdder();
    /** Requests read while stalled, held without an answer. */
    public final LongAdder held = new LongAdder();

    private final Server server;
    private final Object stallLock = new Object();
    private boolean stalled;
    private final List<Runnable> waiting = new ArrayList<>();
    private volatile long latencyNanos;
    private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sink-latency");
        t.setDaemon(true);
        return t;
    });

    public Sink(int port) throws Exception {
        this(port, null);
    }

    /**
     * The sink on {@code port} (plain http), and, when {@code tls} is not null, on two more
     * ports with https: one with HTTP/1.1 only, one offering h2 and http/1.1 through ALPN.
     */
    public Sink(int port, Tls tls) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("sink");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        listen(connector, port);
        if (tls != null) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore());
            ssl.setKeyStorePassword(tls.password());
            ssl.setKeyStoreType("PKCS12");
            HttpConnectionFactory http11 = new HttpConnectionFactory(new HttpConfiguration());
            listen(new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), http11), tls.http11Port());
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol(http11.getProtocol());
            listen(new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                    new HTTP2ServerConnectionFactory(new HttpConfiguration()),
                    new HttpConnectionFactory(new HttpConfiguration())), tls.http2Port());
        }
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.consumeAll(request);
                if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2) {
                    http2.increment();
                }
                String path = request.getHttpURI().getPath();
                if (path.equals("/_stats")) {
                    return answerStats(response, callback);
                }
                Runnable answer;
                if (path.endsWith("/matomo.php") || path.endsWith("/piwik.php")) {
                    answer = () -> answer(response, callback, matomo, "image/gif", GIF);
                } else if (path.endsWith("/conversion")) {
                    answer = () -> answer(response, callback, conversions, "application/json", CONVERSION);
                } else {
                    answer = () -> answer(response, callback, pageViews, "application/json", PAGE_VIEW);
                }
                synchronized (stallLock) {
                    if (stalled) {
                        held.increment();
                        waiting.add(answer);
                        return true;
                    }
                }
                long latency = latencyNanos;
                if (latency > 0) {
                    delayed.schedule(answer, latency, TimeUnit.NANOSECONDS);
                } else {
                    answer.run();
                }
                return true;
            }
        });
        server.start();
    }

    /** The https listeners: a PKCS12 key store with the key and certificate for 127.0.0.1, and their ports. */
    public record Tls(String keyStore, String password, int http11Port, int http2Port) {
    }

    private void listen(ServerConnector connector, int port) {
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
    }

    private static void answer(Response response, Callback callback, LongAdder counter, String type, ByteBuffer body) {
        counter.increment();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, body.slice(), callback);
    }

    private boolean answerStats(Response response, Callback callback) {
        String body = stats();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    /** The counters and this JVM's CPU time, as one JSON object. */
    public String stats() {
        return "{\"pageViews\":" + pageViews.sum() + ",\"conversions\":" + conversions.sum()
                + ",\"matomo\":" + matomo.sum() + ",\"held\":" + held.sum() + ",\"http2\":" + http2.sum()
                + ",\"processCpuNanos\":" + processCpuNanos() + "}";
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Every answer from now on leaves this long after its request was read: a round trip. */
    public void latency(Duration latency) {
        latencyNanos = latency.toNanos();
    }

    /** From now on requests are read but not answered, like a hung collector. */
    public void stall() {
        synchronized (stallLock) {
            stalled = true;
        }
    }

    /** Answers the held requests and every later one at once. */
    public void resume() {
        List<Runnable> answers;
        synchronized (stallLock) {
            stalled = false;
            answers = new ArrayList<>(waiting);
            waiting.clear();
        }
        answers.forEach(Runnable::run);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        resume();
        delayed.shutdownNow();
        server.stop();
    }

    /**
     * Runs the sink until killed. Usage: {@code Sink <port> [<key store> <password> <https port,
     * HTTP/1.1> <https port, h2 and HTTP/1.1>]}; prints {@code sink listening on <port>}
     * once it accepts connections.
     */
    public static void main(String[] args) throws Exception {
        Tls tls = args.length >= 5
                ? new Tls(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4])) : null;
        Sink sink = new Sink(args.length > 0 ? Integer.parseInt(args[0]) : 0, tls);
        System.out.println("sink listening on " + sink.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
