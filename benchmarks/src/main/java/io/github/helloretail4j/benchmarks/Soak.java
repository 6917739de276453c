package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.TrackerMetrics;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.servlet.PageViewFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Soak: minutes of mixed load through {@link PageViewFilter} (page views, and orders submitted
 * with {@code trackConversion}) while the collector fails in cycles — answers, then 500s, then
 * stalls, then 503 with Retry-After — and finally recovers. Prints heap after GC, threads, page
 * views dropped and delivered, and conversions acknowledged vs delivered, which must be equal;
 * exits 1 when they are not.
 *
 * <p>Usage: {@code java -Xmx512m -cp benchmarks/target/benchmarks.jar
 * io.github.helloretail4j.benchmarks.Soak [minutes=10] [pages/s=300] [orders/s=5]}
 */
public final class Soak {

    private static final String WEBSITE = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36";
    private static final long START = System.nanoTime();

    /** The collector's mood, by the second of each minute. */
    enum Mood { OK, FAIL_500, STALL, BUSY_503 }

    static volatile boolean recovered;

    static Mood mood() {
        if (recovered) {
            return Mood.OK;
        }
        long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - START) % 60;
        return s < 35 ? Mood.OK : s < 45 ? Mood.FAIL_500 : s < 52 ? Mood.STALL : Mood.BUSY_503;
    }

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int pageRate = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int orderRate = args.length > 2 ? Integer.parseInt(args[2]) : 5;

        Set<String> ordersReceived = ConcurrentHashMap.newKeySet();
        AtomicLong pageViewsReceived = new AtomicLong();
        Server collector = collector(ordersReceived, pageViewsReceived);
        int collectorPort = ((ServerConnector) collector.getConnectors()[0]).getLocalPort();

        Path outbox = Files.createTempDirectory("soak-outbox");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Server shop = shop(collectorPort, outbox, acknowledged);
        int shopPort = ((ServerConnector) shop.getConnectors()[0]).getLocalPort();
        HelloRetailTracker tracker = HelloRetailWeb.tracker(
                ((ServletContextHandler) shop.getHandler()).getServletContext());

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
        AtomicLong orderSeq = new AtomicLong();
        AtomicLong shopErrors = new AtomicLong();
        load.scheduleAtFixedRate(() -> send(client, HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + shopPort + "/products/p-" + (System.nanoTime() % 50)))
                .header("User-Agent", UA).header("Cookie", "hello_retail_id=62a0317d17698aa57d369db9")
                .header("Referer", "https://www.google.com/").GET().build(), shopErrors),
                0, 1_000_000 / pageRate, TimeUnit.MICROSECONDS);
        load.scheduleAtFixedRate(() -> send(client, HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + shopPort + "/order?n=soak-" + orderSeq.incrementAndGet()))
                .header("User-Agent", UA).header("Cookie", "hello_retail_id=62a0317d17698aa57d369db9")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), shopErrors),
                0, 1_000_000 / orderRate, TimeUnit.MICROSECONDS);

        System.out.printf("soak: %d min, %d pages/s, %d orders/s; collector cycle per minute: 35 s OK, 10 s 500,"
                + " 7 s stall, 8 s 503 Retry-After%n", minutes, pageRate, orderRate);
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        while (System.nanoTime() < end) {
            Thread.sleep(30_000);
            report("running", tracker, acknowledged, ordersReceived, pageViewsReceived, shopErrors);
        }
        load.shutdownNow();
        load.awaitTermination(10, TimeUnit.SECONDS);
        recovered = true;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while ((tracker.metrics().conversions().pending() > 0 || tracker.metrics().pageViews().pending() > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        boolean ok = report("recovered", tracker, acknowledged, ordersReceived, pageViewsReceived, shopErrors);
        shop.stop();
        collector.stop();
        System.out.println(ok ? "PASS: every acknowledged conversion was delivered"
                : "FAIL: acknowledged and delivered conversions differ");
        System.exit(ok ? 0 : 1);
    }

    private static void send(HttpClient client, HttpRequest request, AtomicLong errors) {
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() >= 500) {
                errors.incrementAndGet();
            }
        });
    }

    private static boolean report(String phase, HelloRetailTracker tracker, Set<String> acknowledged,
                                  Set<String> ordersReceived, AtomicLong pageViewsReceived, AtomicLong shopErrors) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long ours = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("helloretail4j")).count();
        TrackerMetrics.Counts v = tracker.metrics().pageViews();
        TrackerMetrics.Counts c = tracker.metrics().conversions();
        long delivered = acknowledged.stream().filter(ordersReceived::contains).count();
        System.out.printf("%-9s t=%4ds mood=%-8s heap after GC %5.1f MB, threads %d (library %d) | page views tracked %d,"
                        + " delivered %d, dropped %d, failed %d, pending %d, collector got %d | conversions acknowledged %d,"
                        + " delivered %d, pending %d, duplicates at collector %d | shop 5xx/errors %d%n",
                phase, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - START), mood(), heap / 1e6, threads, ours,
                v.tracked(), v.delivered(), v.dropped(), v.failed(), v.pending(), pageViewsReceived.get(),
                acknowledged.size(), delivered, c.pending(), c.delivered() - ordersReceived.size(), shopErrors.get());
        return delivered == acknowledged.size() && ordersReceived.containsAll(acknowledged);
    }

    private static Server collector(Set<String> orders, AtomicLong pageViews) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                Mood mood = mood();
                if (mood == Mood.STALL) {
                    Thread.sleep(3000);
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                if (mood == Mood.FAIL_500) {
                    response.setStatus(500);
                    Content.Sink.write(response, true, "{\"success\":false,\"message\":\"soak failure\"}", callback);
                    return true;
                }
                if (mood == Mood.BUSY_503) {
                    response.setStatus(503);
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "2");
                    Content.Sink.write(response, true, "{\"success\":false,\"message\":\"busy\"}", callback);
                    return true;
                }
                if (request.getHttpURI().getPath().endsWith("/conversion")) {
                    int i = body.indexOf("\"orderNumber\":\"");
                    orders.add(body.substring(i + 15, body.indexOf('"', i + 15)));
                } else {
                    pageViews.incrementAndGet();
                }
                response.setStatus(200);
                Content.Sink.write(response, true, "{\"success\":true,\"message\":\"tracked\"}", callback);
                return true;
            }
        });
        server.start();
        return server;
    }

    private static Server shop(int collectorPort, Path outbox, Set<String> acknowledged) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.setInitParameter("helloretail.websiteUuid", WEBSITE);
        context.setInitParameter("helloretail.endpoint", "http://127.0.0.1:" + collectorPort + "/serve/");
        context.setInitParameter("helloretail.outboxDirectory", outbox.toString());
        context.setInitParameter("helloretail.productNumberPattern", "/products/(?<productNumber>[^/]+)");
        context.addFilter(PageViewFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("text/html;charset=UTF-8");
                resp.getWriter().write("<!doctype html><title>product</title><h1>" + req.getRequestURI() + "</h1>");
            }

            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                String order = req.getParameter("n");
                HelloRetailWeb.tracker(req.getServletContext()).trackConversion(Conversion.builder()
                        .trackingUserId(HelloRetailWeb.trackingUserId(req).orElse(null))
                        .orderNumber(order).total(new BigDecimal("49.95")).email("soak@example.com")
                        .productNumbers(List.of("p-1", "p-2")).build());
                acknowledged.add(order); // trackConversion returned: the order is on disk
                resp.setContentType("text/html");
                resp.getWriter().write("<p>thanks");
            }
        }, "/");
        server.setHandler(context);
        server.start();
        return server;
    }
}
