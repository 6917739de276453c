package io.github.helloretail4j.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import java.io.IOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * B10 conversions to a distant collector: B6's question for conversions. A backlog of
 * conversions waits in an outbox (written by this build's library with the collector
 * unreachable, as an outage leaves it); a tracker then opens on it, with default settings, and
 * delivers to the loopback sink answering every request {@code rtt} ms after reading it.
 * Reported: conversions delivered per second over {@code seconds} (from the tracker's start, so
 * the start-up is in it), per round trip, per outbox (the directory; with {@code jdbc=} also the
 * database, one node), per build.
 *
 * <p>{@code beforeJar=<another build's benchmarks.jar>} (or {@code BEFORE_JAR}) measures that
 * build's library beside this one's, alternated, loaded by a class loader of its own over its
 * jar and driven through the public API by reflection (as in {@link B6RoundTrip}). Both builds
 * read the same outbox formats (the log's version 1, the same table), so one backlog written by
 * this build serves both.
 *
 * <p>{@code nodes=3} opens three trackers on the database outbox's table, each with a pool of its
 * own, as three JVMs would (the directory outbox is one node's). {@code backlog=36000} fixes the
 * backlog (an hour's orders at 10 a second) and waits up to {@code seconds} for all of it, which
 * reports the time to deliver it.
 *
 * <p>Usage: {@code B10ConversionRoundTrip [rounds=1] [rtts=10,50,100] [seconds=10] [outboxes=file]
 * [jdbc=jdbc:postgresql://...] [user=] [nodes=1] [backlog=] [beforeJar=]}; {@code outboxes=file,db}
 * with {@code jdbc=}.
 */
public final class B10ConversionRoundTrip {

    /** A library build that opens a tracker on a waiting backlog. */
    interface Build {
        String name();

        /** A tracker on {@code dir} (or, when {@code ds} is set, on its {@code table}), delivering to {@code endpoint}. */
        Opened open(String name, URI endpoint, Path dir, DataSource ds, String table) throws Exception;
    }

    interface Opened extends AutoCloseable {
        long delivered();

        @Override
        void close();
    }

    static final class ThisBuild implements Build {
        @Override
        public String name() {
            return "helloretail";
        }

        @Override
        public Opened open(String name, URI endpoint, Path dir, DataSource ds, String table) {
            HelloRetailTracker.Builder b = HelloRetailTracker.builder().websiteUuid(ShopApp.WEBSITE_UUID)
                    .endpoint(endpoint).name(name).closeTimeout(Duration.ZERO);
            HelloRetailTracker t = (ds == null ? b.outboxDirectory(dir) : b.outboxDataSource(ds).outboxTable(table))
                    .build();
            return new Opened() {
                @Override
                public long delivered() {
                    return t.metrics().conversions().delivered();
                }

                @Override
                public void close() {
                    t.close();
                }
            };
        }
    }

    static final class OtherBuild implements Build {
        private final String name;
        private final AnotherBuild library;
        private final Method outboxDirectory;
        private final Method outboxDataSource;
        private final Method outboxTable;
        private final Method conversions;
        private final Method delivered;

        OtherBuild(String name, Path jar) throws Exception {
            this.name = name;
            library = new AnotherBuild("b10-" + name, jar);
            outboxDirectory = library.builderMethod("outboxDirectory", Path.class);
            outboxDataSource = library.builderMethod("outboxDataSource", DataSource.class);
            outboxTable = library.builderMethod("outboxTable", String.class);
            conversions = library.metricsType().getMethod("conversions");
            delivered = conversions.getReturnType().getMethod("delivered");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Opened open(String n, URI e, Path dir, DataSource ds, String table) {
            Object b = library.builder(n, e);
            if (ds == null) {
                AnotherBuild.call(outboxDirectory, b, dir);
            } else {
                AnotherBuild.call(outboxDataSource, b, ds);
                AnotherBuild.call(outboxTable, b, table);
            }
            Object t = library.build(b);
            return new Opened() {
                @Override
                public long delivered() {
                    return (Long) AnotherBuild.call(delivered, AnotherBuild.call(conversions, library.metrics(t)));
                }

                @Override
                public void close() {
                    library.close(t);
                }
            };
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "1"));
        int[] rtts = Harness.ints(a.getOrDefault("rtts", "10,50,100"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        int nodes = Integer.parseInt(a.getOrDefault("nodes", "1"));
        int fixedBacklog = Integer.parseInt(a.getOrDefault("backlog", "0"));
        List<String> outboxes = List.of(a.getOrDefault("outboxes", a.containsKey("jdbc") ? "file,db" : "file").split(","));
        Path beforeJar = Harness.beforeJar(a);
        List<Build> builds = new ArrayList<>(List.of(new ThisBuild()));
        if (beforeJar != null) {
            builds.add(new OtherBuild("before", beforeJar));
        }
        List<HikariDataSource> pools = new ArrayList<>();
        if (outboxes.contains("db")) {
            for (int n = 0; n < nodes; n++) {
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(a.get("jdbc"));
                config.setUsername(a.getOrDefault("user", "bench"));
                config.setPoolName("b10-node-" + n);
                config.setMaximumPoolSize(20);
                pools.add(new HikariDataSource(config));
            }
        }
        HikariDataSource ds = pools.isEmpty() ? null : pools.get(0);
        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        System.out.printf(Locale.ROOT, "# %d rounds; round trips %s ms; outboxes %s; %s; %s; default settings%n",
                rounds, Arrays.toString(rtts), outboxes,
                fixedBacklog > 0 ? "a backlog of " + fixedBacklog + ", at most " + seconds + " s" : seconds + " s windows",
                nodes + " node" + (nodes == 1 ? "" : "s") + " on the database outbox");
        System.out.println(Harness.builds(beforeJar));
        System.out.println("round,rtt_ms,outbox,nodes,variant,backlog,delivered,seconds,conversions_per_s");
        try (Sink sink = new Sink(0)) {
            URI endpoint = URI.create("http://127.0.0.1:" + sink.port() + "/serve/");
            int turn = 0;
            for (int round = 1; round <= rounds; round++) {
                for (int rtt : rtts) {
                    sink.latency(Duration.ofMillis(rtt));
                    for (String outbox : outboxes) {
                        List<Build> order = new ArrayList<>(builds);
                        Collections.rotate(order, turn++);
                        for (Build b : order) {
                            // more than the windows of 32 could deliver in the time: it never runs dry
                            int backlog = fixedBacklog > 0 ? fixedBacklog
                                    : (int) Math.min(60_000, 2L * 32 * 1000 / rtt * (seconds + 2) * nodes);
                            int run = RUNS.incrementAndGet();
                            Path dir = Files.createTempDirectory("b10-outbox-");
                            String table = "b10_" + ProcessHandle.current().pid() + "_" + run;
                            boolean db = outbox.equals("db");
                            fill(dir, db ? ds : null, table, backlog);
                            List<Opened> opened = new ArrayList<>();
                            long delivered;
                            long took;
                            try {
                                long start = System.nanoTime();
                                for (int n = 0; n < (db ? nodes : 1); n++) {
                                    opened.add(b.open("b10-" + b.name() + "-" + run + "-" + n, endpoint, dir,
                                            db ? pools.get(n) : null, table));
                                }
                                long end = start + Duration.ofSeconds(seconds).toNanos();
                                while (System.nanoTime() - end < 0 && delivered(opened) < backlog) {
                                    Thread.sleep(10);
                                }
                                delivered = delivered(opened);
                                took = System.nanoTime() - start;
                            } finally {
                                opened.forEach(Opened::close);
                            }
                            System.out.printf(Locale.ROOT, "%d,%d,%s,%d,%s,%d,%d,%.1f,%.1f%n", round, rtt, outbox,
                                    db ? nodes : 1, b.name(), backlog, delivered, took / 1e9, delivered * 1e9 / took);
                            deleteTree(dir);
                        }
                    }
                }
            }
        } finally {
            pools.forEach(HikariDataSource::close);
        }
        System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
    }

    private static long delivered(List<Opened> nodes) {
        return nodes.stream().mapToLong(Opened::delivered).sum();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes {@code count} conversions with the collector unreachable, from 16 threads, and closes. */
    private static void fill(Path dir, DataSource ds, String table, int count) throws Exception {
        URI refused;
        try (ServerSocket s = new ServerSocket(0)) {
            refused = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/serve/");
        }
        HelloRetailTracker.Builder b = HelloRetailTracker.builder().websiteUuid(ShopApp.WEBSITE_UUID).endpoint(refused)
                .name("b10-fill").closeTimeout(Duration.ZERO).initialBackoff(Duration.ofSeconds(30))
                .maxBackoff(Duration.ofSeconds(30));
        try (HelloRetailTracker t = (ds == null ? b.outboxDirectory(dir) : b.outboxDataSource(ds).outboxTable(table))
                .build()) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> done = new ArrayList<>();
                AtomicInteger next = new AtomicInteger();
                for (int i = 0; i < 16; i++) {
                    done.add(pool.submit(() -> {
                        int n;
                        while ((n = next.getAndIncrement()) < count) {
                            t.trackConversion(Conversion.builder().trackingUserId("62a0317d17698aa57d369db9")
                                    .orderNumber("b10-" + n).total(new BigDecimal("25.50"))
                                    .productNumbers(List.of("p-1")).build());
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
