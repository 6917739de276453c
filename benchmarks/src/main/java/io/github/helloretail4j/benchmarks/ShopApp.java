package io.github.helloretail4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.helloretail4j.TrackerMetrics;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.servlet.PageViewFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.matomo.java.tracking.MatomoRequest;
import org.matomo.java.tracking.MatomoTracker;
import org.matomo.java.tracking.TrackerConfiguration;
import org.matomo.java.tracking.servlet.MatomoTrackerFilter;

/**
 * The shop under load: embedded Jetty 12 (ee10) serving one small HTML product page on
 * {@code /products/*}, with one of three variants in front of it:
 *
 * <ul>
 *   <li>{@code none}: no filter;</li>
 *   <li>{@code helloretail}: {@link PageViewFilter}, configured as a shop would (context-params
 *       {@code helloretail.websiteUuid}, {@code helloretail.endpoint},
 *       {@code helloretail.outboxDirectory}, {@code helloretail.productNumberPattern}), tracker
 *       defaults otherwise (queue 10,000, at most 16 sender threads);</li>
 *   <li>{@code matomo}: Matomo's {@code MatomoTrackerFilter} (matomo-java-tracker-servlet-jakarta
 *       3.4.0) with a {@code MatomoTracker} whose API endpoint is the same sink, defaults
 *       otherwise (Java 11 HttpClient sender, thread pool of 2).</li>
 * </ul>
 *
 * <p>A second port (JDK {@code HttpServer}, outside the filters) answers {@code GET /stats}: the
 * JVM's CPU time, per-thread-group CPU time, heap, RSS, GC, pages served and, for
 * {@code helloretail}, the tracker's counters.
 *
 * <p>Usage: {@code ShopApp <none|helloretail|matomo> <port> <controlPort> <sinkPort> [outboxDir]}
 */
public final class ShopApp {

    public static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    /** Matomo only accepts the visitor IP its filter sends (cip) with a token; any 32 [a-z0-9] will do here. */
    static final String MATOMO_TOKEN = "0123456789abcdef0123456789abcdef";

    /** About 1.3 KB: a small product page. */
    static final byte[] PAGE = page();

    private final LongAdder served = new LongAdder();
    private ServletContext servletContext;
    private CountingMatomoTracker matomo;
    private final String variant;

    private ShopApp(String variant) {
        this.variant = variant;
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int port = Integer.parseInt(args[1]);
        int controlPort = Integer.parseInt(args[2]);
        int sinkPort = Integer.parseInt(args[3]);
        Path outbox = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("shop-outbox-");
        new ShopApp(variant).start(port, controlPort, sinkPort, outbox);
    }

    private void start(int port, int controlPort, int sinkPort, Path outbox) throws Exception {
        // Idle pool threads are kept, so that their CPU time is not lost from the per-group sums.
        QueuedThreadPool pool = new QueuedThreadPool(200, 8, 3_600_000);
        pool.setName("shop");
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new PageServlet(served)), "/*");
        switch (variant) {
            case "none" -> { }
            case "helloretail" -> {
                context.setInitParameter(PageViewFilter.PARAM_WEBSITE_UUID, WEBSITE_UUID);
                context.setInitParameter(PageViewFilter.PARAM_ENDPOINT, "http://127.0.0.1:" + sinkPort + "/serve/");
                context.setInitParameter(PageViewFilter.PARAM_OUTBOX_DIRECTORY, outbox.toAbsolutePath().toString());
                context.setInitParameter(PageViewFilter.PARAM_PRODUCT_NUMBER_PATTERN,
                        "/products/(?<productNumber>[^/]+)");
                FilterHolder filter = new FilterHolder(PageViewFilter.class);
                filter.setAsyncSupported(true);
                context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
            }
            case "matomo" -> {
                matomo = new CountingMatomoTracker(TrackerConfiguration.builder()
                        .apiEndpoint(URI.create("http://127.0.0.1:" + sinkPort + "/matomo.php"))
                        .defaultSiteId(1)
                        .defaultAuthToken(MATOMO_TOKEN)
                        .build());
                context.addFilter(new FilterHolder(new MatomoTrackerFilter(matomo)), "/*",
                        EnumSet.of(DispatcherType.REQUEST));
            }
            default -> throw new IllegalArgumentException("variant must be none, helloretail or matomo: " + variant);
        }
        server.setHandler(context);
        server.start();
        servletContext = context.getServletContext();

        HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", controlPort), 16);
        control.createContext("/", exchange -> {
            byte[] body = Harness.toJson(stats()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        control.start();
        System.out.println("shop " + variant + " listening on " + connector.getLocalPort() + ", control on "
                + control.getAddress().getPort());
        System.out.flush();
    }

    private Map<String, Object> stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("variant", variant);
        s.put("served", served.sum());
        s.put("processCpuNanos", Sink.processCpuNanos());
        s.putAll(threadCpu());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        s.put("heapUsed", heap.getUsed());
        s.put("heapCommitted", heap.getCommitted());
        s.put("heapAfterLastGc", heapAfterLastGc());
        s.put("rss", rss());
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += gc.getCollectionCount();
            gcMillis += gc.getCollectionTime();
        }
        s.put("gcCount", gcCount);
        s.put("gcMillis", gcMillis);
        s.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        if (variant.equals("helloretail")) {
            TrackerMetrics.Counts c = HelloRetailWeb.tracker(servletContext).metrics().pageViews();
            s.put("tracked", c.tracked());
            s.put("delivered", c.delivered());
            s.put("dropped", c.dropped());
            s.put("failed", c.failed());
            s.put("rejected", c.rejected());
            s.put("notTracked", c.notTracked());
            s.put("retries", c.retries());
            s.put("pending", c.pending());
        }
        if (matomo != null) {
            s.put("tracked", matomo.tracked.sum());
            s.put("delivered", matomo.ok.sum());
            s.put("failed", matomo.failed.sum());
            s.put("pending", matomo.tracked.sum() - matomo.ok.sum() - matomo.failed.sum());
            s.put("firstFailure", matomo.firstFailure.get());
        }
        return s;
    }

    /**
     * CPU time of the live threads by group: {@code requestThreads} (Jetty's "shop" pool: the
     * request threads and the selectors), {@code senderThreads} (helloretail4j's page view
     * senders, or Matomo's executor and its HttpClient's selector), {@code otherThreads}.
     * GC and JIT threads are not Java threads; they are in the process figure only.
     */
    static Map<String, Long> threadCpu() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        ThreadInfo[] infos = mx.getThreadInfo(ids);
        long[] cpu = mx.getThreadCpuTime(ids);
        long request = 0;
        long sender = 0;
        long other = 0;
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null || cpu[i] < 0) {
                continue;
            }
            String name = infos[i].getThreadName();
            if (name.startsWith("shop")) {
                request += cpu[i];
            } else if (name.startsWith("helloretail4j") || name.startsWith("MatomoJavaTracker")
                    || name.startsWith("HttpClient-")) {
                sender += cpu[i];
            } else {
                other += cpu[i];
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("requestThreadsCpuNanos", request);
        m.put("senderThreadsCpuNanos", sender);
        m.put("otherThreadsCpuNanos", other);
        return m;
    }

    /** The heap in use right after the latest collection (young or full): the live set then. */
    static long heapAfterLastGc() {
        long best = -1;
        long bestEnd = -1;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean g && g.getLastGcInfo() != null
                    && g.getLastGcInfo().getEndTime() > bestEnd) {
                bestEnd = g.getLastGcInfo().getEndTime();
                best = g.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> e.getKey().contains("Eden") || e.getKey().contains("Survivor")
                                || e.getKey().contains("Old") || e.getKey().contains("Tenured"))
                        .mapToLong(e -> e.getValue().getUsed()).sum();
            }
        }
        return best;
    }

    /** Resident set size of this process, from /proc/self/status (bytes); -1 where there is none. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static byte[] page() {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Trail shoe p-123 | Shop</title><link rel=\"stylesheet\" href=\"/css/site.css\">"
                + "<link rel=\"canonical\" href=\"https://shop.example/products/p-123\"></head>\n<body>"
                + "<header><a href=\"/\">Shop</a> <nav><a href=\"/women\">Women</a> <a href=\"/men\">Men</a>"
                + " <a href=\"/sale\">Sale</a></nav></header>\n<main><h1>Trail shoe</h1>"
                + "<p class=\"price\">EUR 119.95</p><ul class=\"sizes\">");
        for (int size = 36; size <= 46; size++) {
            b.append("<li><button name=\"size\" value=\"").append(size).append("\">").append(size).append("</button></li>");
        }
        b.append("</ul><p>A light trail running shoe with a grippy outsole and a breathable upper."
                + " Drop 6 mm, weight 280 g (size 42).</p><form method=\"post\" action=\"/cart\">"
                + "<input type=\"hidden\" name=\"product\" value=\"p-123\"><button>Add to cart</button></form></main>\n"
                + "<footer>&copy; Shop</footer><script src=\"/js/site.js\" defer></script></body></html>\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Matomo's tracker, counting how each {@code sendRequestAsync} of its filter ended (the filter
     * ignores the future it gets). Counting adds one completion stage per request; the request
     * itself is built and sent by Matomo's code unchanged.
     */
    static final class CountingMatomoTracker extends MatomoTracker {
        final LongAdder tracked = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicReference<String> firstFailure = new AtomicReference<>();

        CountingMatomoTracker(TrackerConfiguration configuration) {
            super(configuration);
        }

        @Override
        public CompletableFuture<MatomoRequest> sendRequestAsync(MatomoRequest request) {
            tracked.increment();
            CompletableFuture<MatomoRequest> f;
            try {
                f = super.sendRequestAsync(request);
            } catch (RuntimeException e) {
                fail(e);
                throw e;
            }
            f.whenComplete((r, e) -> {
                if (e == null) {
                    ok.increment();
                } else {
                    fail(e);
                }
            });
            return f;
        }

        private void fail(Throwable e) {
            failed.increment();
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            firstFailure.compareAndSet(null, e + " / root cause: " + root);
        }
    }

    /** The shop's own page: HTML with a Content-Length, so responses are not chunked. */
    static final class PageServlet extends HttpServlet {
        private final LongAdder served;

        PageServlet(LongAdder served) {
            this.served = served;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            served.increment();
            resp.setStatus(200);
            resp.setContentType("text/html;charset=utf-8");
            resp.setContentLength(PAGE.length);
            resp.getOutputStream().write(PAGE);
        }
    }
}
