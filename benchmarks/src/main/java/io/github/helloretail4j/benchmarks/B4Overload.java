package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.TrackerMetrics;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.HdrHistogram.Histogram;

/**
 * B4 overload: the collector (an in-process {@link Sink}) stalls — it reads each request and
 * holds the answer — while {@code threads} request threads track 1,000,000 page views at a
 * steady pace. The tracker has the default settings (queue of 10,000, at most 16 sender
 * threads, of which one runs while nothing is delivered, 10 s response timeout, 5 attempts). Then the collector answers again.
 *
 * <p>Every page view is a new object with its own strings, as the filter makes them, so that
 * the queue's memory is what a shop's would be. Reported:
 * <ul>
 *   <li>every 100,000 page views, with the request threads paused between two calls: the heap
 *       in use after {@code System.gc()} (the live set), the process RSS, queued, dropped;</li>
 *   <li>every 500 ms: heap used and committed, RSS (the "over time" view);</li>
 *   <li>each {@code trackPageView} call's duration (HdrHistogram, ns), and every time a request
 *       thread parked or blocked on a monitor <em>inside</em> {@code trackPageView}, from a JFR
 *       recording of {@code jdk.ThreadPark} and {@code jdk.JavaMonitorEnter} with no threshold
 *       (the pacing's own sleeps are outside the call and are not counted);</li>
 *   <li>after the collector resumes: time to the first delivery and until the queue is empty,
 *       and the final counters (tracked = delivered + dropped + failed + ...).</li>
 * </ul>
 *
 * <p>Usage (run with {@code -Xmx512m}): {@code B4Overload [views=1000000] [seconds=20] [threads=8]}
 */
public final class B4Overload {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        int views = Integer.parseInt(a.getOrDefault("views", "1000000"));
        double seconds = Double.parseDouble(a.getOrDefault("seconds", "20"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        int checkpoint = 100_000;

        System.out.println(Harness.machine() + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        System.out.printf(Locale.ROOT, "# %,d page views from %d request threads over %.0f s (%,.0f/s) while the collector"
                + " stalls; tracker defaults (queueSize 10,000, senderThreads 16, responseTimeout 10 s, maxAttempts 5)%n",
                views, threads, seconds, views / seconds);

        try (Sink sink = new Sink(0)) {
            HelloRetailTracker tracker = HelloRetailTracker.builder()
                    .websiteUuid(ShopApp.WEBSITE_UUID)
                    .endpoint(URI.create("http://127.0.0.1:" + sink.port() + "/serve/"))
                    .outboxDirectory(Files.createTempDirectory("b4-outbox-"))
                    .build();
            // Warm-up with the collector answering: threads started, JIT, connections open.
            for (int i = 0; i < 20_000; i++) {
                tracker.trackPageView(view(i));
                while (tracker.metrics().pageViews().pending() > 5_000) {
                    Thread.sleep(1);
                }
            }
            while (tracker.metrics().pageViews().pending() > 0) {
                Thread.sleep(10);
            }
            TrackerMetrics.Counts warm = tracker.metrics().pageViews();
            if (warm.delivered() != 20_000) {
                throw new IllegalStateException("warm-up: expected 20,000 delivered, got " + warm);
            }
            long[] base = liveHeapAndRss();
            System.out.printf(Locale.ROOT, "# before the stall (20,000 delivered, queue empty): live heap %.1f MB, RSS %.1f MB%n",
                    base[0] / 1e6, base[1] / 1e6);

            Recording jfr = new Recording();
            jfr.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace();
            jfr.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ZERO).withStackTrace();
            jfr.start();

            sink.stall();
            List<long[]> timeline = new ArrayList<>();
            long t0 = System.nanoTime();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    TrackerMetrics.Counts c = tracker.metrics().pageViews();
                    synchronized (timeline) {
                        timeline.add(new long[] {(System.nanoTime() - t0) / 1_000_000, c.tracked() - warm.tracked(),
                                c.dropped() - warm.dropped(),
                                c.pending(), heap.getUsed(), heap.getCommitted(), ShopApp.rss()});
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "b4-sampler");
            sampler.setDaemon(true);
            sampler.start();

            int perThread = views / threads;
            int segments = views / checkpoint;
            CyclicBarrier paused = new CyclicBarrier(threads + 1);
            CyclicBarrier resumed = new CyclicBarrier(threads + 1);
            List<Histogram> histograms = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            long periodNanos = (long) (seconds * 1e9 / perThread);
            for (int t = 0; t < threads; t++) {
                int id = t;
                Histogram h = new Histogram(60_000_000_000L, 3);
                histograms.add(h);
                Thread w = new Thread(() -> {
                    try {
                        int perSegment = perThread / segments;
                        long next = System.nanoTime();
                        for (int s = 0; s < segments; s++) {
                            for (int i = 0; i < perSegment; i++) {
                                PageView v = view(1_000_000 + id * perThread + s * perSegment + i);
                                long start = System.nanoTime();
                                tracker.trackPageView(v);
                                h.recordValue(System.nanoTime() - start);
                                next += periodNanos;
                                if ((i & 63) == 63) {
                                    long wait = next - System.nanoTime();
                                    if (wait > 0) {
                                        LockSupport.parkNanos(wait);
                                    }
                                }
                            }
                            paused.await();
                            resumed.await();
                            next = System.nanoTime();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "request-" + t);
                workers.add(w);
                w.start();
            }
            System.out.println("tracked,queued,dropped,delivered,live_heap_mb,rss_mb");
            for (int s = 1; s <= segments; s++) {
                paused.await();
                long[] m = liveHeapAndRss();
                TrackerMetrics.Counts c = tracker.metrics().pageViews();
                System.out.printf(Locale.ROOT, "%d,%d,%d,%d,%.1f,%.1f%n", c.tracked() - warm.tracked(), c.pending(),
                        c.dropped() - warm.dropped(), c.delivered() - warm.delivered(), m[0] / 1e6, m[1] / 1e6);
                resumed.await();
            }
            for (Thread w : workers) {
                w.join();
            }
            long trackedAt = System.nanoTime();
            jfr.stop();
            Path jfrFile = Files.createTempFile("b4-", ".jfr");
            jfr.dump(jfrFile);
            jfr.close();

            // The collector comes back.
            long deliveredBefore = tracker.metrics().pageViews().delivered();
            long resumedAt = System.nanoTime();
            sink.resume();
            long firstDelivery = -1;
            long drained = -1;
            long deadline = resumedAt + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                TrackerMetrics.Counts c = tracker.metrics().pageViews();
                if (firstDelivery < 0 && c.delivered() > deliveredBefore) {
                    firstDelivery = System.nanoTime();
                }
                if (c.pending() == 0) {
                    drained = System.nanoTime();
                    break;
                }
                Thread.sleep(5);
            }
            sampler.interrupt();
            sampler.join();
            TrackerMetrics.Counts end = tracker.metrics().pageViews();
            long[] after = liveHeapAndRss();
            tracker.close();

            System.out.println();
            System.out.println("## Over time (every 500 ms): ms,tracked,dropped,queued,heap_used_mb,heap_committed_mb,rss_mb");
            synchronized (timeline) {
                for (long[] r : timeline) {
                    System.out.printf(Locale.ROOT, "%d,%d,%d,%d,%.1f,%.1f,%.1f%n", r[0], r[1], r[2], r[3],
                            r[4] / 1e6, r[5] / 1e6, r[6] / 1e6);
                }
            }
            Histogram all = new Histogram(60_000_000_000L, 3);
            histograms.forEach(all::add);
            long[] waits = waitsInsideTrackPageView(jfrFile);
            System.out.println();
            System.out.printf(Locale.ROOT, "tracking %,d page views took %.1f s%n", views, (trackedAt - t0) / 1e9);
            System.out.printf(Locale.ROOT, "trackPageView call duration: p50 %.2f µs, p99 %.2f µs, p99.9 %.2f µs,"
                            + " p99.99 %.2f µs, max %.1f µs (%,d calls)%n",
                    all.getValueAtPercentile(50) / 1e3, all.getValueAtPercentile(99) / 1e3,
                    all.getValueAtPercentile(99.9) / 1e3, all.getValueAtPercentile(99.99) / 1e3,
                    all.getMaxValue() / 1e3, all.getTotalCount());
            System.out.printf(Locale.ROOT, "request threads inside trackPageView: parked %d times (%.3f ms in all, longest"
                    + " %.3f ms), blocked on a monitor %d times (%.3f ms in all); JFR file %s%n",
                    waits[0], waits[1] / 1e6, waits[2] / 1e6, waits[3], waits[4] / 1e6, jfrFile);
            System.out.printf(Locale.ROOT, "collector resumed: first delivery after %.0f ms, queue empty after %.0f ms%n",
                    firstDelivery < 0 ? Double.NaN : (firstDelivery - resumedAt) / 1e6,
                    drained < 0 ? Double.NaN : (drained - resumedAt) / 1e6);
            System.out.printf(Locale.ROOT, "final counters (warm-up's 20,000 included): %s; tracked - (delivered + dropped +"
                            + " failed + rejected + notTracked + abandoned) = %d%n", end,
                    end.tracked() - end.delivered() - end.dropped() - end.failed() - end.rejected() - end.notTracked()
                            - end.abandoned());
            System.out.printf(Locale.ROOT, "live heap after the queue drained: %.1f MB, RSS %.1f MB%n", after[0] / 1e6, after[1] / 1e6);
            System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
        }
    }

    /** A page view with its own strings, as the filter builds one per request. */
    static PageView view(int i) {
        return PageView.builder()
                .trackingUserId(String.format("%024x", 0x62a0317d17698aL + i))
                .location("https://shop.example/products/p-" + i + "?color=red")
                .referrer("https://www.google.com/search?q=shoes+" + i)
                .productNumber("p-" + i)
                .build();
    }

    /** {heap in use after System.gc(), RSS}. */
    static long[] liveHeapAndRss() {
        System.gc();
        return new long[] {ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), ShopApp.rss()};
    }

    /** {parks, park ns, longest park ns, monitor blocks, monitor ns} of request threads inside trackPageView. */
    static long[] waitsInsideTrackPageView(Path jfrFile) throws Exception {
        long[] r = new long[5];
        for (RecordedEvent e : RecordingFile.readAllEvents(jfrFile)) {
            if (e.getThread() == null || !e.getThread().getJavaName().startsWith("request-") || e.getStackTrace() == null) {
                continue;
            }
            boolean inside = false;
            for (RecordedFrame f : e.getStackTrace().getFrames()) {
                if (f.getMethod().getName().equals("trackPageView")) {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                continue;
            }
            long ns = e.getDuration().toNanos();
            if (e.getEventType().getName().equals("jdk.ThreadPark")) {
                r[0]++;
                r[1] += ns;
                r[2] = Math.max(r[2], ns);
            } else {
                r[3]++;
                r[4] += ns;
            }
        }
        return r;
    }
}
