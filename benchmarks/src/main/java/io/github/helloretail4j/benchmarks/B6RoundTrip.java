package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.TrackerMetrics;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * B6 delivery to a distant collector. Hello Retail is a round trip across the internet away, and
 * its collect API takes one event per request, so what a tracker can deliver is bounded by how
 * many requests it keeps in flight: {@code senderThreads / round trip}. This measures it against
 * the loopback sink answering every request {@code rtt} ms after reading it (without holding a
 * thread, so the sink is never the limit), for trackers with at most {@code senders} page view
 * threads:
 *
 * <ul>
 *   <li><b>capacity</b>: a backlog of page views queued at once; page views delivered per second
 *       over {@code seconds}, from 2 s after the start (the threads have grown by then), and the
 *       most page view threads seen;</li>
 *   <li><b>shop load</b>: {@code rate} page views per second offered for {@code seconds}, as a
 *       busy shop's filter would; page views delivered per second during that time, the backlog
 *       left at its end, and the most page view threads seen.</li>
 * </ul>
 *
 * The variants are alternated, several rounds; medians and spread reported.
 *
 * <p>Usage: {@code B6RoundTrip [rounds=2] [rtts=10,50,100] [senders=2,16] [rate=200] [seconds=10]}
 */
public final class B6RoundTrip {

    record Result(int rttMillis, int senders, double capacityPerSecond, int capacityThreads,
                  double loadDeliveredPerSecond, long loadBacklog, long loadDropped, int loadThreads) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
        int[] rtts = ints(a.getOrDefault("rtts", "10,50,100"));
        int[] senders = ints(a.getOrDefault("senders", "2,16"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "200"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));

        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        System.out.printf(Locale.ROOT, "# %d rounds; round trips %s ms; at most %s page view threads; shop load %d page"
                + " views/s; %d s windows%n", rounds, Arrays.toString(rtts), Arrays.toString(senders), rate, seconds);
        try (Sink sink = new Sink(0)) {
            URI endpoint = URI.create("http://127.0.0.1:" + sink.port() + "/serve/");
            // warm-up: JIT of the tracker and the sink
            sink.latency(Duration.ofMillis(10));
            capacity(endpoint, 16, 50_000, 3);

            List<Result> results = new ArrayList<>();
            System.out.println("round,rtt_ms,senders,capacity_per_s,capacity_threads,load_delivered_per_s,"
                    + "load_backlog_at_end,load_dropped,load_threads");
            for (int round = 1; round <= rounds; round++) {
                for (int rtt : rtts) {
                    sink.latency(Duration.ofMillis(rtt));
                    List<Integer> order = new ArrayList<>(Arrays.stream(senders).boxed().toList());
                    Collections.rotate(order, round);
                    for (int n : order) {
                        // enough backlog that it cannot run out within the window
                        int backlog = (int) Math.min(500_000, 2L * n * 1000 / rtt * (seconds + 3));
                        double[] c = capacity(endpoint, n, backlog, seconds);
                        double[] l = load(endpoint, n, rate, seconds);
                        Result r = new Result(rtt, n, c[0], (int) c[1], l[0], (long) l[1], (long) l[2], (int) l[3]);
                        results.add(r);
                        System.out.printf(Locale.ROOT, "%d,%d,%d,%.1f,%d,%.1f,%d,%d,%d%n", round, rtt, n,
                                r.capacityPerSecond(), r.capacityThreads(), r.loadDeliveredPerSecond(), r.loadBacklog(),
                                r.loadDropped(), r.loadThreads());
                    }
                }
            }
            System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
            System.out.println();
            System.out.println("## Summary: median [min–max] over rounds");
            System.out.println();
            System.out.printf(Locale.ROOT, "| round trip | most page view threads | capacity, page views/s | senders ÷ round trip"
                    + " | threads seen | at %d page views/s offered: delivered/s | backlog after %d s | dropped | threads seen |%n",
                    rate, seconds);
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            Map<String, List<Result>> byVariant = new LinkedHashMap<>();
            for (int rtt : rtts) {
                for (int n : senders) {
                    byVariant.put(rtt + "/" + n, results.stream()
                            .filter(r -> r.rttMillis() == rtt && r.senders() == n).toList());
                }
            }
            byVariant.forEach((key, rs) -> {
                Result first = rs.get(0);
                System.out.printf(Locale.ROOT, "| %d ms | %d | %s | %,.0f | %s | %s | %s | %s | %s |%n",
                        first.rttMillis(), first.senders(),
                        Harness.spread(rs.stream().map(Result::capacityPerSecond).toList(), "%,.0f"),
                        first.senders() * 1000.0 / first.rttMillis(),
                        Harness.spread(rs.stream().map(r -> (double) r.capacityThreads()).toList(), "%.0f"),
                        Harness.spread(rs.stream().map(Result::loadDeliveredPerSecond).toList(), "%,.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadBacklog()).toList(), "%,.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadDropped()).toList(), "%,.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadThreads()).toList(), "%.0f"));
            });
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    }

    private static HelloRetailTracker tracker(URI endpoint, int senders, int queueSize) throws Exception {
        return HelloRetailTracker.builder()
                .websiteUuid(ShopApp.WEBSITE_UUID)
                .endpoint(endpoint)
                .name("b6")
                .senderThreads(senders)
                .queueSize(queueSize)
                .outboxDirectory(Files.createTempDirectory("b6-outbox-"))
                .closeTimeout(Duration.ZERO)
                .build();
    }

    /** {page views delivered per second over the window, most page view threads seen}. */
    static double[] capacity(URI endpoint, int senders, int backlog, int seconds) throws Exception {
        try (HelloRetailTracker tracker = tracker(endpoint, senders, backlog)) {
            for (int i = 0; i < backlog; i++) {
                tracker.trackPageView(B3Delivery.VIEW);
            }
            int threads = sampleThreads(2000, 0);
            long d0 = tracker.metrics().pageViews().delivered();
            long t0 = System.nanoTime();
            threads = sampleThreads(seconds * 1000L, threads);
            long d1 = tracker.metrics().pageViews().delivered();
            long t1 = System.nanoTime();
            if (tracker.metrics().pageViews().pending() == 0) {
                throw new IllegalStateException("the backlog ran out: the window measured idle time");
            }
            return new double[] {(d1 - d0) / ((t1 - t0) / 1e9), threads};
        }
    }

    /**
     * {page views delivered per second during the window, backlog at its end, dropped, most page
     * view threads seen}: {@code rate} page views a second offered in ticks of 10 ms.
     */
    static double[] load(URI endpoint, int senders, int rate, int seconds) throws Exception {
        try (HelloRetailTracker tracker = tracker(endpoint, senders, HelloRetailTracker.DEFAULT_QUEUE_SIZE)) {
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long offered = 0;
            int threads = 0;
            long tick = 0;
            while (System.nanoTime() < end) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                for (; offered < due; offered++) {
                    tracker.trackPageView(B3Delivery.VIEW);
                }
                if (++tick % 5 == 0) {
                    threads = Math.max(threads, pageViewThreads());
                }
                Thread.sleep(10);
            }
            TrackerMetrics.Counts c = tracker.metrics().pageViews();
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new double[] {c.delivered() / elapsed, c.pending(), c.dropped(), threads};
        }
    }

    /** Samples the page view thread count every 50 ms for {@code millis}; the most seen. */
    private static int sampleThreads(long millis, int most) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            most = Math.max(most, pageViewThreads());
            Thread.sleep(50);
        }
        return most;
    }

    private static int pageViewThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("b6-pageview") && t.isAlive()).count();
    }
}
