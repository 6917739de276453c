package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.TrackerMetrics;
import java.lang.reflect.Method;
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
import java.util.concurrent.atomic.AtomicInteger;

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
 * The variants are alternated, several rounds; medians and spread reported. Besides the page view
 * threads, each measurement reports the peak number of live threads of the tracker: every thread
 * whose name starts with the tracker's name (each measurement's tracker has a name of its own, so
 * that threads of an earlier, closed one are not counted).
 *
 * <p>{@code beforeJar=<another build's benchmarks.jar>} (or the environment's {@code BEFORE_JAR})
 * measures that build's library beside this one's, alternated: variant {@code before}, loaded in
 * this JVM by a class loader of its own over that jar (the library and its dependencies from the
 * jar, nothing from this one's), driven through the library's public API by reflection;
 * {@code helloretail} is this jar's build. Both send to the same in-process sink.
 *
 * <p>Usage: {@code B6RoundTrip [rounds=2] [rtts=10,50,100] [senders=2,16] [rate=200] [seconds=10] [beforeJar=]}
 */
public final class B6RoundTrip {

    record Result(int rttMillis, int senders, double capacityPerSecond, int capacityThreads,
                  double loadDeliveredPerSecond, long loadBacklog, long loadDropped, int loadThreads,
                  String variant, int capacityTrackerThreads, int loadTrackerThreads) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
        int[] rtts = Harness.ints(a.getOrDefault("rtts", "10,50,100"));
        int[] senders = Harness.ints(a.getOrDefault("senders", "2,16"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "200"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        Path beforeJar = Harness.beforeJar(a);
        List<Build> builds = new ArrayList<>(List.of(new ThisBuild()));
        if (beforeJar != null) {
            builds.add(new OtherBuild("before", beforeJar));
        }

        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        System.out.printf(Locale.ROOT, "# %d rounds; round trips %s ms; at most %s page view threads; shop load %d page"
                + " views/s; %d s windows%n", rounds, Arrays.toString(rtts), Arrays.toString(senders), rate, seconds);
        System.out.println(Harness.builds(beforeJar));
        try (Sink sink = new Sink(0)) {
            URI endpoint = URI.create("http://127.0.0.1:" + sink.port() + "/serve/");
            // warm-up: JIT of the tracker (each build's) and the sink
            sink.latency(Duration.ofMillis(10));
            for (Build b : builds) {
                capacity(b, endpoint, 16, 50_000, 3);
            }

            List<Result> results = new ArrayList<>();
            System.out.println("round,rtt_ms,senders,capacity_per_s,capacity_threads,load_delivered_per_s,"
                    + "load_backlog_at_end,load_dropped,load_threads,variant,capacity_tracker_threads,load_tracker_threads");
            int turn = 0;
            for (int round = 1; round <= rounds; round++) {
                for (int rtt : rtts) {
                    sink.latency(Duration.ofMillis(rtt));
                    List<Integer> order = new ArrayList<>(Arrays.stream(senders).boxed().toList());
                    Collections.rotate(order, round);
                    for (int n : order) {
                        List<Build> buildOrder = new ArrayList<>(builds);
                        Collections.rotate(buildOrder, turn++);
                        for (Build b : buildOrder) {
                            // enough backlog that it cannot run out within the window
                            int backlog = (int) Math.min(500_000, 2L * n * 1000 / rtt * (seconds + 3));
                            double[] c = capacity(b, endpoint, n, backlog, seconds);
                            double[] l = load(b, endpoint, n, rate, seconds);
                            Result r = new Result(rtt, n, c[0], (int) c[1], l[0], (long) l[1], (long) l[2], (int) l[3],
                                    b.name(), (int) c[2], (int) l[4]);
                            results.add(r);
                            System.out.printf(Locale.ROOT, "%d,%d,%d,%.1f,%d,%.1f,%d,%d,%d,%s,%d,%d%n", round, rtt, n,
                                    r.capacityPerSecond(), r.capacityThreads(), r.loadDeliveredPerSecond(), r.loadBacklog(),
                                    r.loadDropped(), r.loadThreads(), r.variant(), r.capacityTrackerThreads(),
                                    r.loadTrackerThreads());
                        }
                    }
                }
            }
            System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
            System.out.println();
            System.out.println("## Summary: median [min–max] over rounds");
            System.out.println();
            System.out.printf(Locale.ROOT, "| round trip | most page view threads | capacity, page views/s | senders ÷ round trip"
                    + " | threads seen | at %d page views/s offered: delivered/s | backlog after %d s | dropped | threads seen"
                    + " | tracker's live threads, peak: capacity / at %d page views/s |%n", rate, seconds, rate);
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            Map<String, List<Result>> byVariant = new LinkedHashMap<>();
            for (int rtt : rtts) {
                for (int n : senders) {
                    for (Build b : builds) {
                        byVariant.put(rtt + "/" + n + "/" + b.name(), results.stream()
                                .filter(r -> r.rttMillis() == rtt && r.senders() == n && r.variant().equals(b.name())).toList());
                    }
                }
            }
            byVariant.forEach((key, rs) -> {
                Result first = rs.get(0);
                System.out.printf(Locale.ROOT, "| %d ms%s | %d | %s | %,.0f | %s | %s | %s | %s | %s | %s / %s |%n",
                        first.rttMillis(), builds.size() > 1 ? ", " + first.variant() : "", first.senders(),
                        Harness.spread(rs.stream().map(Result::capacityPerSecond).toList(), "%,.0f"),
                        first.senders() * 1000.0 / first.rttMillis(),
                        Harness.spread(rs.stream().map(r -> (double) r.capacityThreads()).toList(), "%.0f"),
                        Harness.spread(rs.stream().map(Result::loadDeliveredPerSecond).toList(), "%,.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadBacklog()).toList(), "%,.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadDropped()).toList(), "%,.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadThreads()).toList(), "%.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.capacityTrackerThreads()).toList(), "%.0f"),
                        Harness.spread(rs.stream().map(r -> (double) r.loadTrackerThreads()).toList(), "%.0f"));
            });
        }
    }

    /** A tracker under test: page views in, its page view counts out. */
    interface Tracked extends AutoCloseable {
        void trackPageView();

        long delivered();

        long pending();

        long dropped();

        @Override
        void close() throws Exception;
    }

    /** A library build: this jar's, or another jar's through a class loader of its own. */
    interface Build {
        String name();

        /** A tracker named {@code name} with at most {@code senders} page view threads and a queue of {@code queueSize}. */
        Tracked open(String name, URI endpoint, int senders, int queueSize) throws Exception;

        int defaultQueueSize();
    }

    /** This jar's library, called directly. */
    static final class ThisBuild implements Build {
        @Override
        public String name() {
            return "helloretail";
        }

        @Override
        public int defaultQueueSize() {
            return HelloRetailTracker.DEFAULT_QUEUE_SIZE;
        }

        @Override
        public Tracked open(String name, URI endpoint, int senders, int queueSize) throws Exception {
            HelloRetailTracker t = HelloRetailTracker.builder()
                    .websiteUuid(ShopApp.WEBSITE_UUID)
                    .endpoint(endpoint)
                    .name(name)
                    .senderThreads(senders)
                    .queueSize(queueSize)
                    .outboxDirectory(Files.createTempDirectory("b6-outbox-"))
                    .closeTimeout(Duration.ZERO)
                    .build();
            return new Tracked() {
                @Override
                public void trackPageView() {
                    t.trackPageView(B3Delivery.VIEW);
                }

                private TrackerMetrics.Counts counts() {
                    return t.metrics().pageViews();
                }

                @Override
                public long delivered() {
                    return counts().delivered();
                }

                @Override
                public long pending() {
                    return counts().pending();
                }

                @Override
                public long dropped() {
                    return counts().dropped();
                }

                @Override
                public void close() {
                    t.close();
                }
            };
        }
    }

    /** Another jar's library ({@link AnotherBuild}), with the same page view as {@link ThisBuild}. */
    static final class OtherBuild implements Build {
        private final String name;
        private final AnotherBuild library;
        private final Method senderThreads;
        private final Method queueSize;
        private final Method outboxDirectory;
        private final Method track;
        private final Method pageViews;
        private final Method delivered;
        private final Method pending;
        private final Method dropped;
        private final Object view;
        private final int defaultQueueSize;

        OtherBuild(String name, Path jar) throws Exception {
            this.name = name;
            library = new AnotherBuild("b6-" + name, jar);
            senderThreads = library.builderMethod("senderThreads", int.class);
            queueSize = library.builderMethod("queueSize", int.class);
            outboxDirectory = library.builderMethod("outboxDirectory", Path.class);
            Class<?> pageView = library.loader.loadClass(PageView.class.getName());
            track = library.tracker.getMethod("trackPageView", pageView);
            pageViews = library.metricsType().getMethod("pageViews");
            Class<?> counts = pageViews.getReturnType();
            delivered = counts.getMethod("delivered");
            pending = counts.getMethod("pending");
            dropped = counts.getMethod("dropped");
            defaultQueueSize = library.tracker.getField("DEFAULT_QUEUE_SIZE").getInt(null);
            // B3Delivery.VIEW, built by the other build's PageView
            Method viewBuilder = pageView.getMethod("builder");
            Class<?> vb = viewBuilder.getReturnType();
            Object v = viewBuilder.invoke(null);
            v = vb.getMethod("trackingUserId", String.class).invoke(v, B3Delivery.VIEW.trackingUserId().orElseThrow());
            v = vb.getMethod("location", String.class).invoke(v, B3Delivery.VIEW.location());
            v = vb.getMethod("referrer", String.class).invoke(v, B3Delivery.VIEW.referrer().orElseThrow());
            v = vb.getMethod("productNumber", String.class).invoke(v, B3Delivery.VIEW.productNumber().orElseThrow());
            view = vb.getMethod("build").invoke(v);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int defaultQueueSize() {
            return defaultQueueSize;
        }

        @Override
        public Tracked open(String trackerNameValue, URI endpointValue, int senders, int queue) throws Exception {
            Object b = library.builder(trackerNameValue, endpointValue);
            AnotherBuild.call(senderThreads, b, senders);
            AnotherBuild.call(queueSize, b, queue);
            AnotherBuild.call(outboxDirectory, b, Files.createTempDirectory("b6-outbox-"));
            Object t = library.build(b);
            return new Tracked() {
                @Override
                public void trackPageView() {
                    AnotherBuild.call(track, t, view);
                }

                private long count(Method m) {
                    return (Long) AnotherBuild.call(m, AnotherBuild.call(pageViews, library.metrics(t)));
                }

                @Override
                public long delivered() {
                    return count(delivered);
                }

                @Override
                public long pending() {
                    return count(pending);
                }

                @Override
                public long dropped() {
                    return count(dropped);
                }

                @Override
                public void close() {
                    library.close(t);
                }
            };
        }
    }

    private static final AtomicInteger TRACKERS = new AtomicInteger();

    /** A name no earlier tracker of this run had: {@code b6-<variant>-<n>}. */
    private static String trackerName(Build b) {
        return "b6-" + b.name() + "-" + TRACKERS.incrementAndGet();
    }

    /** {page views delivered per second over the window, most page view threads seen, most tracker threads seen}. */
    static double[] capacity(Build b, URI endpoint, int senders, int backlog, int seconds) throws Exception {
        String name = trackerName(b);
        try (Tracked tracker = b.open(name, endpoint, senders, backlog)) {
            for (int i = 0; i < backlog; i++) {
                tracker.trackPageView();
            }
            int[] threads = sampleThreads(name, 2000, new int[2]);
            long d0 = tracker.delivered();
            long t0 = System.nanoTime();
            threads = sampleThreads(name, seconds * 1000L, threads);
            long d1 = tracker.delivered();
            long t1 = System.nanoTime();
            if (tracker.pending() == 0) {
                throw new IllegalStateException("the backlog ran out: the window measured idle time");
            }
            return new double[] {(d1 - d0) / ((t1 - t0) / 1e9), threads[0], threads[1]};
        }
    }

    /**
     * {page views delivered per second during the window, backlog at its end, dropped, most page
     * view threads seen, most tracker threads seen}: {@code rate} page views a second offered in
     * ticks of 10 ms.
     */
    static double[] load(Build b, URI endpoint, int senders, int rate, int seconds) throws Exception {
        String name = trackerName(b);
        try (Tracked tracker = b.open(name, endpoint, senders, b.defaultQueueSize())) {
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long offered = 0;
            int[] threads = new int[2];
            long tick = 0;
            while (System.nanoTime() < end) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                for (; offered < due; offered++) {
                    tracker.trackPageView();
                }
                if (++tick % 5 == 0) {
                    threads = most(name, threads);
                }
                Thread.sleep(10);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long delivered = tracker.delivered();
            return new double[] {delivered / elapsed, tracker.pending(), tracker.dropped(), threads[0], threads[1]};
        }
    }

    /** Samples the thread counts every 50 ms for {@code millis}; the most seen, {page view threads, tracker threads}. */
    private static int[] sampleThreads(String name, long millis, int[] most) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            most = most(name, most);
            Thread.sleep(50);
        }
        return most;
    }

    /**
     * {page view threads, every thread of the tracker}: the live threads named
     * {@code <name>-pageview...}, and those whose name is {@code name} or starts with {@code name-}
     * (the tracker names its threads {@code <name>-pageview}, {@code <name>-io-N}, {@code <name>-conversion},
     * {@code <name>-cart}; before the asynchronous delivery {@code <name>-pageview-N} and {@code <name>-watchdog}); at least {@code most}.
     */
    private static int[] most(String name, int[] most) {
        int pageView = 0;
        int all = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (!t.isAlive() || !(n.equals(name) || n.startsWith(name + "-"))) {
                continue;
            }
            all++;
            if (n.startsWith(name + "-pageview")) {
                pageView++;
            }
        }
        return new int[] {Math.max(most[0], pageView), Math.max(most[1], all)};
    }
}
