package io.github.helloretail4j.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * B7: the database outbox beside the file outbox. Conversions accepted per second (1, 4 and 16
 * threads calling {@code trackConversion}: the file outbox; the database outbox with auto-commit,
 * {@code trackConversion(conversion)}; and inside the caller's transaction, a connection from
 * the shop's pool, {@code trackConversion(connection, conversion)} and {@code commit()}), with
 * the collector down so that nothing is delivered meanwhile. Then conversions delivered per
 * second to a fast loopback collector from a backlog: the file outbox, and the database outbox
 * with 1 and with 3 nodes (three trackers with a pool each, as three JVMs would have).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.github.helloretail4j.benchmarks.B7DatabaseOutbox
 * <jdbc url> <user> <directory for the file outbox> [backlog]}; {@code run-b7.sh} starts a
 * throwaway PostgreSQL for it.
 */
public final class B7DatabaseOutbox {
    private static final String WEBSITE = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    private static final int[] THREADS = {1, 4, 16};
    private static final Duration WARM = Duration.ofSeconds(2);
    private static final Duration RUN = Duration.ofSeconds(5);

    private final String url;
    private final String user;
    private final Path files;
    private final List<AutoCloseable> pools = new ArrayList<>();
    private int tables;

    private B7DatabaseOutbox(String url, String user, Path files) {
        this.url = url;
        this.user = user;
        this.files = files;
    }

    public static void main(String[] args) throws Exception {
        B7DatabaseOutbox b = new B7DatabaseOutbox(args[0], args[1], Path.of(args[2]));
        int backlog = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        Files.createDirectories(b.files);
        try {
            b.accept();
            b.deliver(backlog);
        } finally {
            for (AutoCloseable p : b.pools) {
                p.close();
            }
        }
    }

    private HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPoolName(name);
        config.setMaximumPoolSize(20);
        HikariDataSource ds = new HikariDataSource(config);
        pools.add(ds);
        return ds;
    }

    private static URI refused() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/serve/");
        }
    }

    private static HelloRetailTracker.Builder tracker(URI endpoint, String name) {
        return HelloRetailTracker.builder().websiteUuid(WEBSITE).endpoint(endpoint).name(name)
                // a down collector is tried again only after 30 s: the accept phase measures adding alone
                .initialBackoff(Duration.ofSeconds(30)).maxBackoff(Duration.ofSeconds(30))
                .closeTimeout(Duration.ZERO);
    }

    private static Conversion conversion(String orderNumber) {
        return Conversion.builder().trackingUserId("62a0317d17698aa57d369db9").orderNumber(orderNumber)
                .total(new BigDecimal("499.32")).email("customer@example.com")
                .productNumbers(List.of("p-1234", "p-4567")).build();
    }

    private interface Call {
        void track(String orderNumber) throws Exception;
    }

    private void accept() throws Exception {
        URI down = refused();
        System.out.println("accept: calls returned per second, collector down (" + RUN.toSeconds() + " s after "
                + WARM.toSeconds() + " s of warm-up, a fresh outbox per cell)");
        System.out.printf("  %-44s %12s %12s %12s%n", "", "1 thread", "4 threads", "16 threads");
        StringBuilder file = new StringBuilder();
        StringBuilder auto = new StringBuilder();
        StringBuilder tx = new StringBuilder();
        for (int threads : THREADS) {
            Path dir = Files.createTempDirectory(files, "accept-" + threads + "-");
            try (HelloRetailTracker t = tracker(down, "file" + threads).outboxDirectory(dir).build()) {
                file.append(String.format(" %12.0f", rate(threads, order -> t.trackConversion(conversion(order)))));
            }
            HikariDataSource ds = pool("auto" + threads);
            try (HelloRetailTracker t = tracker(down, "auto" + threads).outboxDataSource(ds).outboxTable(table())
                    .build()) {
                auto.append(String.format(" %12.0f", rate(threads, order -> t.trackConversion(conversion(order)))));
            }
            HikariDataSource shop = pool("tx" + threads);
            try (HelloRetailTracker t = tracker(down, "tx" + threads).outboxDataSource(shop).outboxTable(table())
                    .build()) {
                tx.append(String.format(" %12.0f", rate(threads, order -> {
                    try (Connection c = shop.getConnection()) {
                        c.setAutoCommit(false);
                        t.trackConversion(c, conversion(order));
                        c.commit();
                    }
                })));
            }
        }
        System.out.printf("  %-44s%s%n", "file outbox (fdatasync, group commit)", file);
        System.out.printf("  %-44s%s%n", "database, trackConversion(conversion)", auto);
        System.out.printf("  %-44s%s%n", "database, in the shop's transaction + commit", tx);
    }

    private String table() {
        return "b7_" + (++tables);
    }

    private static double rate(int threads, Call call) throws Exception {
        run(threads, WARM, call, "warm");
        return run(threads, RUN, call, "run") / (double) RUN.toSeconds();
    }

    private static long run(int threads, Duration time, Call call, String prefix) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + time.toNanos();
        List<Thread> all = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String p = prefix + "-" + t + "-";
            Thread th = new Thread(() -> {
                int i = 0;
                try {
                    while (System.nanoTime() < end) {
                        call.track(p + i++);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) {
            th.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return done.get();
    }

    /** Fills an outbox with {@code n} conversions from 16 threads, the collector down. */
    private static void fill(HelloRetailTracker t, int n, String prefix) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Thread th = new Thread(() -> {
                int k;
                while ((k = next.getAndIncrement()) < n) {
                    t.trackConversion(conversion(prefix + k));
                }
            });
            th.start();
            fillers.add(th);
        }
        for (Thread th : fillers) {
            th.join();
        }
    }

    private void deliver(int backlog) throws Exception {
        System.out.printf("deliver: a backlog of %,d conversions to a loopback collector, until the last is"
                + " recorded as delivered%n", backlog);
        URI down = refused();
        Path dir = Files.createTempDirectory(files, "deliver-");
        try (HelloRetailTracker t = tracker(down, "fill").outboxDirectory(dir).build()) {
            fill(t, backlog, "f-");
        }
        try (Sink sink = new Sink(0)) {
            URI up = URI.create("http://127.0.0.1:" + sink.port() + "/serve/");
            long start = System.nanoTime();
            try (HelloRetailTracker t = tracker(up, "file").outboxDirectory(dir).build()) {
                while (t.metrics().conversions().delivered() < backlog) {
                    Thread.sleep(5);
                }
                report("file outbox, 1 node", backlog, start, sink);
            }
        }
        for (int nodes : new int[] {1, 3}) {
            String table = table();
            HikariDataSource fillPool = pool("fill" + nodes);
            try (HelloRetailTracker t = tracker(down, "fill" + nodes).outboxDataSource(fillPool).outboxTable(table)
                    .build()) {
                fill(t, backlog, "d" + nodes + "-");
            }
            HikariDataSource check = pool("check" + nodes);
            try (Sink sink = new Sink(0)) {
                URI up = URI.create("http://127.0.0.1:" + sink.port() + "/serve/");
                List<HelloRetailTracker> trackers = new ArrayList<>();
                long start = System.nanoTime();
                for (int n = 0; n < nodes; n++) {
                    trackers.add(tracker(up, "node" + nodes + "-" + n).outboxDataSource(pool("node" + nodes + "-" + n))
                            .outboxTable(table).build());
                }
                while (waiting(check, table) > 0) {
                    Thread.sleep(20);
                }
                report("database outbox, " + nodes + " node" + (nodes == 1 ? "" : "s"), backlog, start, sink);
                for (HelloRetailTracker t : trackers) {
                    t.close();
                }
            }
        }
    }

    private static long waiting(HikariDataSource ds, String table) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE state = 'pending'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void report(String what, int backlog, long start, Sink sink) {
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  %-28s %6.1f s  %,8.0f conversions/s  (collector received %,d)%n", what, seconds,
                backlog / seconds, sink.conversions.sum());
    }
}
