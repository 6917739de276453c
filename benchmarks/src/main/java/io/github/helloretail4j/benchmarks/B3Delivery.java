package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.PageView;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * B3 delivery throughput: page views per second that a tracker (default settings but at most
 * {@code senders} page view threads, each on one keep-alive connection; default: the library's
 * default) delivers to the loopback sink, next to what the same sink answers for the same
 * request (the same JSON body POSTed to the same path) from wrk with {@code senders} connections
 * (the tracker's most concurrency) and with 32 (the sink's capacity on this machine). The sink runs in a JVM of its own. Per tracker run: the sender threads' CPU time per
 * delivered page view, this JVM's CPU per page view (encoding, HTTP, GC, ...), and the sink's.
 * The three are alternated, several rounds.
 *
 * <p>The tracker's queue is filled with {@code backlog} page views first (a queue that large),
 * so that the senders never wait for work; the window starts 1 s later.
 *
 * <p>Usage: {@code B3Delivery [rounds=3] [seconds=10] [backlog=1000000] [senders=16] [logDir=target/b3]}
 */
public final class B3Delivery {

    record Round(int round, double trackerPerSecond, double senderCpuMicros, double trackerJvmCpuMicros,
                 double sinkCpuMicrosTracker, double wrkSamePerSecond, double sinkCpuMicrosWrkSame, double wrk32PerSecond,
                 double sinkCpuMicrosWrk32) {
    }

    static final PageView VIEW = PageView.builder()
            .trackingUserId("62a0317d17698aa57d369db9")
            .location("https://shop.example/products/p-123?color=red")
            .referrer("https://www.google.com/")
            .productNumber("p-123")
            .build();

    /** The body the tracker sends for {@link #VIEW}, field for field (TrackerDeliveryTest pins the encoding). */
    static byte[] body() {
        return ("{\"location\":\"" + VIEW.location() + "\",\"trackingUserId\":\""
                + VIEW.trackingUserId().orElseThrow() + "\",\"websiteUuid\":\"" + ShopApp.WEBSITE_UUID
                + "\",\"referrer\":\"" + VIEW.referrer().orElseThrow() + "\",\"productNumber\":\""
                + VIEW.productNumber().orElseThrow() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        int backlog = Integer.parseInt(a.getOrDefault("backlog", "1000000"));
        int senders = Integer.parseInt(a.getOrDefault("senders",
                String.valueOf(HelloRetailTracker.DEFAULT_MAX_REQUESTS_IN_FLIGHT)));
        Path logDir = Path.of(a.getOrDefault("logDir", "target/b3"));
        Files.createDirectories(logDir);

        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        int sinkPort = Harness.freePort();
        Process sink = Harness.startJvm(logDir.resolve("sink.log"), List.of("-Xmx1g"), Sink.class.getName(),
                String.valueOf(sinkPort));
        String sinkStats = "http://127.0.0.1:" + sinkPort + "/_stats";
        Harness.awaitUp(sinkStats, sink);
        URI endpoint = URI.create("http://127.0.0.1:" + sinkPort + "/serve/");

        byte[] body = body();
        Path lua = logDir.resolve("pageview.lua");
        Files.writeString(lua, "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.headers[\"User-Agent\"] = \"helloretail4j/dev\"\n"
                + "wrk.body = [[" + new String(body, StandardCharsets.UTF_8) + "]]\n");
        String wrkUrl = endpoint.resolve("collect/pageview").toString();
        System.out.println("# body (" + body.length + " bytes): " + new String(body, StandardCharsets.UTF_8));
        System.out.printf(Locale.ROOT, "# %d rounds; tracker (at most %d page view threads): %d s window over a backlog of"
                + " %,d; wrk -t1 -c%d and -t2 -c32, %d s each, POST %s with the same body%n", rounds, senders, seconds,
                backlog, senders, seconds, wrkUrl);

        try {
            // warm-up: JIT of the tracker, the sink and the JDK's sockets
            tracker(endpoint, sinkStats, 200_000, 5, senders);
            wrk(lua, wrkUrl, 2, 2, 3, sinkStats);
            List<Round> results = new ArrayList<>();
            System.out.println("round,tracker_per_s,sender_cpu_us_per_view,tracker_jvm_cpu_us_per_view,"
                    + "sink_cpu_us_per_req_tracker,wrk_same_c_per_s,sink_cpu_us_per_req_wrk_same_c,wrk_c32_per_s,sink_cpu_us_per_req_wrk_c32");
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(List.of("tracker", "wrkSame", "wrk32"));
                Collections.rotate(order, round);
                double[] t = null;
                double[] wSame = null;
                double[] w32 = null;
                for (String what : order) {
                    switch (what) {
                        case "tracker" -> t = tracker(endpoint, sinkStats, backlog, seconds, senders);
                        case "wrkSame" -> wSame = wrk(lua, wrkUrl, 1, senders, seconds, sinkStats);
                        default -> w32 = wrk(lua, wrkUrl, 2, 32, seconds, sinkStats);
                    }
                    Thread.sleep(1000);
                }
                Round r = new Round(round, t[0], t[1], t[2], t[3], wSame[0], wSame[1], w32[0], w32[1]);
                results.add(r);
                System.out.printf(Locale.ROOT, "%d,%.0f,%.2f,%.2f,%.2f,%.0f,%.2f,%.0f,%.2f%n", round, r.trackerPerSecond(),
                        r.senderCpuMicros(), r.trackerJvmCpuMicros(), r.sinkCpuMicrosTracker(), r.wrkSamePerSecond(),
                        r.sinkCpuMicrosWrkSame(), r.wrk32PerSecond(), r.sinkCpuMicrosWrk32());
            }
            System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
            System.out.println();
            System.out.println("## Summary: median [min–max] over rounds");
            System.out.println();
            System.out.println("| | page views (requests) per second | the tracker's rate as a share of this | sender threads' CPU µs per page view"
                    + " | tracker JVM CPU µs per page view | sink JVM CPU µs per request |");
            System.out.println("|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| tracker, at most %d page view threads | %s | — | %s | %s | %s |%n", senders,
                    Harness.spread(results.stream().map(Round::trackerPerSecond).toList(), "%,.0f"),
                    Harness.spread(results.stream().map(Round::senderCpuMicros).toList(), "%.1f"),
                    Harness.spread(results.stream().map(Round::trackerJvmCpuMicros).toList(), "%.1f"),
                    Harness.spread(results.stream().map(Round::sinkCpuMicrosTracker).toList(), "%.1f"));
            System.out.printf(Locale.ROOT, "| wrk -t1 -c%d (same concurrency) | %s | tracker = %s of it | — | — | %s |%n", senders,
                    Harness.spread(results.stream().map(Round::wrkSamePerSecond).toList(), "%,.0f"),
                    Harness.spread(results.stream().map(r -> 100 * r.trackerPerSecond() / r.wrkSamePerSecond()).toList(), "%.0f %%"),
                    Harness.spread(results.stream().map(Round::sinkCpuMicrosWrkSame).toList(), "%.1f"));
            System.out.printf(Locale.ROOT, "| wrk -t2 -c32 (sink's capacity) | %s | tracker = %s of it | — | — | %s |%n",
                    Harness.spread(results.stream().map(Round::wrk32PerSecond).toList(), "%,.0f"),
                    Harness.spread(results.stream().map(r -> 100 * r.trackerPerSecond() / r.wrk32PerSecond()).toList(), "%.0f %%"),
                    Harness.spread(results.stream().map(Round::sinkCpuMicrosWrk32).toList(), "%.1f"));
        } finally {
            sink.destroy();
        }
    }

    /**
     * A new tracker with {@code backlog} page views queued; measures {@code seconds} from 1 s
     * after the start. Returns {per second, sender CPU µs/view, this JVM's CPU µs/view, sink CPU µs/view}.
     */
    static double[] tracker(URI endpoint, String sinkStats, int backlog, int seconds, int senders) throws Exception {
        Path outbox = Files.createTempDirectory("b3-outbox-");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (HelloRetailTracker tracker = HelloRetailTracker.builder()
                .websiteUuid(ShopApp.WEBSITE_UUID)
                .endpoint(endpoint)
                .name("b3")
                .queueSize(backlog)
                .maxRequestsInFlight(senders)
                .outboxDirectory(outbox)
                .closeTimeout(Duration.ZERO)
                .build()) {
            for (int i = 0; i < backlog; i++) {
                tracker.trackPageView(VIEW);
            }
            Thread.sleep(1000);
            long d0 = tracker.metrics().pageViews().delivered();
            long c0 = senderCpu(threads);
            long p0 = Sink.processCpuNanos();
            long s0 = Harness.num(Harness.get(sinkStats), "processCpuNanos");
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long d1 = tracker.metrics().pageViews().delivered();
            long c1 = senderCpu(threads);
            long p1 = Sink.processCpuNanos();
            long s1 = Harness.num(Harness.get(sinkStats), "processCpuNanos");
            long t1 = System.nanoTime();
            if (tracker.metrics().pageViews().pending() < 1000) {
                throw new IllegalStateException("the backlog ran out: raise backlog");
            }
            long n = Math.max(1, d1 - d0);
            return new double[] {n / ((t1 - t0) / 1e9), (c1 - c0) / 1e3 / n, (p1 - p0) / 1e3 / n, (s1 - s0) / 1e3 / n};
        }
    }

    private static long senderCpu(com.sun.management.ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            // every thread of the tracker: the page view thread and the client's I/O threads
            if (t.getName().startsWith("b3-")) {
                sum += mx.getThreadCpuTime(t.getId());
            }
        }
        return sum;
    }

    /** wrk with the page view POST; returns {requests per second, sink CPU µs/request}. */
    static double[] wrk(Path lua, String url, int threads, int connections, int seconds, String sinkStats) throws Exception {
        long s0 = Harness.num(Harness.get(sinkStats), "processCpuNanos");
        long n0 = Harness.num(Harness.get(sinkStats), "pageViews");
        Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "-s",
                lua.toString(), url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        long s1 = Harness.num(Harness.get(sinkStats), "processCpuNanos");
        long n1 = Harness.num(Harness.get(sinkStats), "pageViews");
        Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!m.find() || out.contains("Non-2xx")) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        return new double[] {Double.parseDouble(m.group(1)), (s1 - s0) / 1e3 / Math.max(1, n1 - n0)};
    }
}
