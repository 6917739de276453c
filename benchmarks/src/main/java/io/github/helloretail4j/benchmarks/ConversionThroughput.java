package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * B5: conversions durably accepted per second (every {@code trackConversion} returns after its
 * record is fsynced; concurrent calls share an fsync), and the time to replay 100,000
 * conversions left in the outbox by an earlier run into a loopback collector.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.github.helloretail4j.benchmarks.ConversionThroughput <directory on the disk to measure>}
 */
public final class ConversionThroughput {

    private static final int BACKLOG = 100_000;

    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "target/conversion-bench");
        Files.createDirectories(base);
        int refusedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            refusedPort = s.getLocalPort();
        }
        URI down = URI.create("http://127.0.0.1:" + refusedPort + "/serve/");

        System.out.println("accept: trackConversion calls returned per second (collector down, so the outbox only grows)");
        for (int threads : new int[] {1, 4, 16, 64}) {
            Path dir = Files.createTempDirectory(base, "accept-" + threads + "-");
            try (HelloRetailTracker tracker = tracker(down, dir)) {
                accept(tracker, threads, Duration.ofSeconds(2), "warm" + threads);
                long n = accept(tracker, threads, Duration.ofSeconds(5), "run" + threads);
                System.out.printf("  %2d threads: %,8.0f conversions/s%n", threads, n / 5.0);
            }
        }

        Path dir = Files.createTempDirectory(base, "replay-");
        try (HelloRetailTracker tracker = tracker(down, dir)) {
            AtomicInteger next = new AtomicInteger();
            List<Thread> fillers = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                Thread th = new Thread(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < BACKLOG) {
                        tracker.trackConversion(conversion("replay-" + i));
                    }
                });
                th.start();
                fillers.add(th);
            }
            for (Thread th : fillers) {
                th.join();
            }
        }
        long size = Files.size(dir.resolve("outbox.log"));
        try (Sink sink = new Sink(0)) {
            URI up = URI.create("http://127.0.0.1:" + sink.port() + "/serve/");
            long start = System.nanoTime();
            try (HelloRetailTracker tracker = tracker(up, dir)) {
                long opened = System.nanoTime();
                while (tracker.metrics().conversions().delivered() < BACKLOG) {
                    Thread.sleep(5);
                }
                long end = System.nanoTime();
                System.out.printf("replay: %,d waiting conversions (outbox.log %,d bytes): read back in %d ms,"
                                + " all delivered %.1f s after start (%,.0f conversions/s); collector received %,d%n",
                        BACKLOG, size, (opened - start) / 1_000_000, (end - start) / 1e9,
                        BACKLOG / ((end - start) / 1e9), sink.conversions.sum());
            }
        }
    }

    private static HelloRetailTracker tracker(URI endpoint, Path dir) {
        return HelloRetailTracker.builder()
                .websiteUuid("4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf")
                .endpoint(endpoint)
                .outboxDirectory(dir)
                .initialBackoff(Duration.ofSeconds(30))
                .maxBackoff(Duration.ofSeconds(30))
                .closeTimeout(Duration.ZERO)
                .build();
    }

    private static Conversion conversion(String orderNumber) {
        return Conversion.builder()
                .trackingUserId("62a0317d17698aa57d369db9")
                .orderNumber(orderNumber)
                .total(new BigDecimal("499.32"))
                .email("customer@example.com")
                .productNumbers(List.of("p-1234", "p-4567"))
                .build();
    }

    /** Calls trackConversion from {@code threads} threads for {@code time}; returns how many returned. */
    private static long accept(HelloRetailTracker tracker, int threads, Duration time, String prefix) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + time.toNanos();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String p = prefix + "-" + t + "-";
            Thread th = new Thread(() -> {
                int i = 0;
                while (System.nanoTime() < end) {
                    tracker.trackConversion(conversion(p + i++));
                    done.incrementAndGet();
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) {
            th.join();
        }
        return done.get();
    }
}
