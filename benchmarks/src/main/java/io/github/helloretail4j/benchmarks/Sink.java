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
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
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
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("sink");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.consumeAll(request);
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
                + ",\"matomo\":" + matomo.sum() + ",\"held\":" + held.sum()
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
     * Runs the sink until killed. Usage: {@code Sink <port>}; prints {@code sink listening on <port>}
     * once it accepts connections.
     */
    public static void main(String[] args) throws Exception {
        Sink sink = new Sink(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println("sink listening on " + sink.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
