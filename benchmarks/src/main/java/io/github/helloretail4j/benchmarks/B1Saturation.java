package io.github.helloretail4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * B1 saturation: each variant's shop JVM driven closed-loop by {@code wrk -t2 -c32} (the
 * same browser request as B1Latency), alternated within each round, several rounds. Per run:
 * requests/s, page views delivered to the sink during the run and within {@code after} seconds
 * after it, and the shop JVM's heap sampled every second (used, in use after the latest GC,
 * committed, RSS).
 *
 * <p>Every run gets a new shop JVM, warmed for {@code warmup} seconds at 2,000 requests/s (a
 * rate every variant delivers in full, see B1Latency), so that no run inherits the previous
 * one's backlog: Matomo's sender keeps every undelivered request in flight, and a saturated
 * run leaves tens of thousands behind. The JVM is killed after its run, so that a JVM still
 * working off such a backlog cannot take CPU from the next run. A shop JVM that does not answer its stats within 10 s is
 * reported as unresponsive for that sample.
 *
 * <p>CPU: the shop JVM's CPU time per served request and per page view delivered (during the
 * run, and from the run's start to {@code after} s after it over those delivered by then, which
 * counts the backlog's delivery too), the sender threads' share of it, and each variant's CPU per
 * request as a multiple of a bare page's (no filter, same round).
 *
 * <p>{@code beforeJar=<another build's benchmarks.jar>} (or the environment's {@code BEFORE_JAR})
 * adds the variant {@code before}: ShopApp's helloretail from that jar, alternated with the others;
 * {@code helloretail} is this jar's build.
 *
 * <p>Usage: {@code B1Saturation [rounds=3] [seconds=15] [after=10] [warmup=10] [connections=32] [threads=2] [logDir=target/b1s] [beforeJar=] [variants=none,helloretail,before,matomo]}
 */
public final class B1Saturation {

    record Run(String variant, int round, double requestsPerSecond, long served, long deliveredDuring,
               long deliveredAfter5, long deliveredAfter, long dropped, long failed, long pendingEnd,
               String wrkLatency, List<Sample> samples, double cpuMicrosPerRequest, Object firstFailure,
               boolean unresponsive, Cpu cpu) {
    }

    /**
     * The shop JVM's CPU (µs) per served request on its request threads, per page view delivered
     * during the run (process CPU over the run), per page view delivered by +after (process CPU
     * from the run's start to then), and its sender threads' per page view delivered during the
     * run (over the run only: ShopApp sums the live threads, and a sender thread that ends when
     * the backlog is gone takes its CPU time with it). NaN where the JVM did not answer or nothing
     * was delivered.
     */
    record Cpu(double requestThreadsPerRequest, double perDeliveredDuring, double perDeliveredAfter,
               double senderThreadsPerDeliveredDuring) {
    }

    record Sample(double t, long served, long delivered, long heapUsed, long heapAfterGc, long heapCommitted, long rss,
                  long threads) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "15"));
        int after = Integer.parseInt(a.getOrDefault("after", "10"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "10"));
        int connections = Integer.parseInt(a.getOrDefault("connections", "32"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        Path logDir = Path.of(a.getOrDefault("logDir", "target/b1s"));
        Path beforeJar = Harness.beforeJar(a);

        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        System.out.printf(Locale.ROOT, "# wrk -t%d -c%d -d%ds, %d rounds, %d s observed after each run, warm-up %d s%n",
                threads, connections, seconds, rounds, after, warmup);
        System.out.println(Harness.builds(beforeJar));
        List<Run> runs = new ArrayList<>();
        List<String> variants;
        try (Rig rig = Rig.start(logDir, List.of("-Xmx1g"), beforeJar, Harness.variants(a))) {
            variants = rig.variants;
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(rig.variants);
                Collections.rotate(order, round);
                for (String v : order) {
                    rig.restart(v);
                    ConstantRateLoad warm = new ConstantRateLoad("127.0.0.1", rig.apps.get(v).port(), Rig.PATH, Rig.HEADERS);
                    long before = rig.delivered(v);
                    ConstantRateLoad.Result w = warm.run(2000, 16, warmup);
                    long warmDelivered = rig.awaitDelivered(v, before + w.sent(), 10_000) - before;
                    System.out.printf(Locale.ROOT, "# %s round %d: new JVM, warm-up %d requests at 2,000/s, %d delivered, p99 %.1f ms%n",
                            v, round, w.sent(), warmDelivered, w.latency().getValueAtPercentile(99) / 1e6);
                    Run r = run(rig, v, round, threads, connections, seconds, after);
                    rig.stop(v);
                    runs.add(r);
                    System.out.printf(Locale.ROOT, "run %s round %d: %.0f requests/s, %d served, delivered %d during"
                                    + " (%.1f %%), %d by +5 s, %d by +%d s (%.1f %%), dropped %d, failed %d, still pending %d,"
                                    + " CPU %.1f µs/request, wrk latency %s%s%n",
                            v, round, r.requestsPerSecond(), r.served(), r.deliveredDuring(),
                            pct(r.deliveredDuring(), r.served()), r.deliveredAfter5(), r.deliveredAfter(), after,
                            pct(r.deliveredAfter(), r.served()), r.dropped(), r.failed(), r.pendingEnd(),
                            r.cpuMicrosPerRequest(), r.wrkLatency(),
                            r.firstFailure() == null ? "" : "; first failure: " + r.firstFailure());
                    System.out.printf(Locale.ROOT, "  cpu %s round %d: shop JVM %.1f µs/request (request threads %.1f);"
                                    + " %.1f µs per page view delivered during the run, of which sender threads %.1f;"
                                    + " %.1f µs per page view delivered by +%d s (CPU to +%d s)%n",
                            v, round, r.cpuMicrosPerRequest(), r.cpu().requestThreadsPerRequest(),
                            r.cpu().perDeliveredDuring(), r.cpu().senderThreadsPerDeliveredDuring(),
                            r.cpu().perDeliveredAfter(), after, after);                    System.out.println("  t_s,served,delivered,heap_used_mb,heap_after_gc_mb,heap_committed_mb,rss_mb,threads");
                    for (Sample s : r.samples()) {
                        System.out.printf(Locale.ROOT, "  %.1f,%d,%d,%.1f,%.1f,%.1f,%.1f,%d%n", s.t(), s.served(),
                                s.delivered(), s.heapUsed() / 1e6, s.heapAfterGc() / 1e6, s.heapCommitted() / 1e6,
                                s.rss() / 1e6, s.threads());
                    }
                }
            }
        }
        System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
        summary(runs, seconds, after, variants);
    }

    private static double pct(long part, long whole) {
        return 100.0 * part / Math.max(1, whole);
    }

    static Run run(Rig rig, String v, int round, int threads, int connections, int seconds, int after) throws Exception {
        Rig.App app = rig.apps.get(v);
        List<String> cmd = wrkCommand(threads, connections, seconds, app.port());
        long k0 = rig.delivered(v);
        Map<String, Object> s0 = rig.stats(v);
        long t0 = System.nanoTime();
        Process wrk = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Sample> samples = new ArrayList<>();
        while (wrk.isAlive()) {
            samples.add(sample(rig, v, t0, s0, k0));
            Thread.sleep(1000);
        }
        Map<String, Object> s1 = patientStats(rig, v);
        long k1 = rig.delivered(v);
        String out0 = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        long wrkRequests = (long) parse(out0, "([0-9]+) requests in");
        // A shop JVM that no longer answers (Matomo's, deep in GC with its backlog) has served
        // what wrk got answers for.
        long served = s1 == null ? wrkRequests : Harness.num(s1, "served") - Harness.num(s0, "served");
        long k5 = k1;
        for (int i = 1; i <= after; i++) {
            Thread.sleep(1000);
            Sample s = sample(rig, v, t0, s0, k0);
            samples.add(s);
            if (i == 5) {
                k5 = s.delivered() + k0;
            }
        }
        long kEnd = rig.delivered(v);
        Map<String, Object> s2 = patientStats(rig, v);
        String out = out0;
        double rps = parse(out, "Requests/sec:\\s+([0-9.]+)");
        if (Double.isNaN(rps)) {
            throw new IOException("wrk failed: " + out);
        }
        String latency = String.format(Locale.ROOT, "p50 %s, p99 %s", group(out, "\\s50%\\s+(\\S+)"), group(out, "\\s99%\\s+(\\S+)"));
        if (out.contains("Non-2xx") || out.contains("Socket errors")) {
            latency += "; wrk: " + out.lines().filter(l -> l.contains("Non-2xx") || l.contains("Socket errors"))
                    .map(String::strip).toList();
        }
        boolean unresponsive = s1 == null || s2 == null;
        boolean tracks = !v.equals("none");
        Cpu cpu = new Cpu(
                s1 == null ? Double.NaN : delta(s0, s1, "requestThreadsCpuNanos") / 1e3 / Math.max(1, served),
                s1 == null || !tracks || k1 == k0 ? Double.NaN : delta(s0, s1, "processCpuNanos") / 1e3 / (k1 - k0),
                s2 == null || !tracks || kEnd == k0 ? Double.NaN : delta(s0, s2, "processCpuNanos") / 1e3 / (kEnd - k0),
                s1 == null || !tracks || k1 == k0 ? Double.NaN : delta(s0, s1, "senderThreadsCpuNanos") / 1e3 / (k1 - k0));
        return new Run(v, round, rps, served, k1 - k0, k5 - k0, kEnd - k0,
                s2 == null ? -1 : Harness.num(s2, "dropped") - Harness.num(s0, "dropped"),
                s2 == null ? -1 : Harness.num(s2, "failed") - Harness.num(s0, "failed"),
                s2 == null ? -1 : Harness.num(s2, "pending"), latency, samples,
                s1 == null ? Double.NaN
                        : (Harness.num(s1, "processCpuNanos") - Harness.num(s0, "processCpuNanos")) / 1e3 / Math.max(1, served),
                s2 == null ? "the shop JVM stopped answering its stats (served = wrk's count)" : s2.get("firstFailure"),
                unresponsive, cpu);
    }

    private static long delta(Map<String, Object> from, Map<String, Object> to, String key) {
        return Harness.num(to, key) - Harness.num(from, key);
    }

    /** wrk with the browser request of every B1 load (Rig.HEADERS), against {@code port}. */
    static List<String> wrkCommand(int threads, int connections, int seconds, int port) {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--latency", "--timeout", "10s"));
        for (String h : Rig.HEADERS) {
            if (!h.startsWith("Host:")) {
                cmd.add("-H");
                cmd.add(h);
            }
        }
        cmd.add("http://127.0.0.1:" + port + Rig.PATH);
        return cmd;
    }

    private static Sample sample(Rig rig, String v, long t0, Map<String, Object> s0, long k0) {
        Map<String, Object> s;
        try {
            s = rig.stats(v);
        } catch (java.io.UncheckedIOException e) {
            System.out.printf(Locale.ROOT, "  # %.1f s: shop JVM did not answer its stats within 10 s%n", (System.nanoTime() - t0) / 1e9);
            return new Sample((System.nanoTime() - t0) / 1e9, -1, rig.delivered(v) - k0, -1, -1, -1, -1, -1);
        }
        return new Sample((System.nanoTime() - t0) / 1e9, Harness.num(s, "served") - Harness.num(s0, "served"),
                rig.delivered(v) - k0, Harness.num(s, "heapUsed"), Harness.num(s, "heapAfterLastGc"),
                Harness.num(s, "heapCommitted"), Harness.num(s, "rss"), Harness.num(s, "threads"));
    }

    /** The shop's stats, tried 3 times (10 s each); null when the JVM no longer answers. */
    private static Map<String, Object> patientStats(Rig rig, String v) {
        for (int i = 0; i < 3; i++) {
            try {
                return rig.stats(v);
            } catch (java.io.UncheckedIOException e) {
                System.out.println("  # shop JVM did not answer its stats within 10 s");
            }
        }
        return null;
    }

    private static double parse(String out, String regex) {
        String g = group(out, regex);
        return g == null ? Double.NaN : Double.parseDouble(g);
    }

    static String group(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? m.group(1) : null;
    }

    static void summary(List<Run> runs, int seconds, int after, List<String> variants) {
        System.out.println();
        System.out.println("## Summary: median [min–max] over rounds");
        System.out.println();
        System.out.println("| variant | requests/s | page views delivered/s during the run | delivered during the run"
                + " | delivered by +5 s | delivered by +" + after + " s | dropped (queue full) | failed | shop JVM CPU µs/request"
                + " | heap in use after GC, max per run, MB | RSS max per run, MB | samples the shop JVM did not answer |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String v : variants) {
            List<Run> rs = runs.stream().filter(r -> r.variant().equals(v)).toList();
            if (rs.isEmpty()) {
                continue;
            }
            long unresponsive = rs.stream().flatMap(r -> r.samples().stream()).filter(x -> x.heapUsed() < 0).count();
            long samples = rs.stream().mapToLong(r -> r.samples().size()).sum();
            boolean tracks = !v.equals("none");
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d of %d |%n", v,
                    Harness.spread(rs.stream().map(Run::requestsPerSecond).toList(), "%,.0f"),
                    tracks ? Harness.spread(rs.stream().map(r -> r.deliveredDuring() / (double) seconds).toList(), "%,.0f") : "—",
                    tracks ? Harness.spread(rs.stream().map(r -> pct(r.deliveredDuring(), r.served())).toList(), "%.1f %%") : "—",
                    tracks ? Harness.spread(rs.stream().map(r -> pct(r.deliveredAfter5(), r.served())).toList(), "%.1f %%") : "—",
                    tracks ? Harness.spread(rs.stream().map(r -> pct(r.deliveredAfter(), r.served())).toList(), "%.1f %%") : "—",
                    Rig.isHelloRetail(v) ? Harness.spread(rs.stream().map(r -> (double) r.dropped()).toList(), "%,.0f") : "—",
                    tracks ? Harness.spread(rs.stream().filter(r -> r.failed() >= 0).map(r -> (double) r.failed()).toList(), "%,.0f")
                            + (rs.stream().anyMatch(Run::unresponsive) ? " (" + rs.stream().filter(Run::unresponsive).count()
                            + " runs: JVM unresponsive)" : "") : "—",
                    Harness.spread(rs.stream().map(Run::cpuMicrosPerRequest).filter(x -> !x.isNaN()).toList(), "%.1f"),
                    Harness.spread(rs.stream().map(r -> r.samples().stream().mapToLong(Sample::heapAfterGc).max().orElse(0) / 1e6).toList(), "%.0f"),
                    Harness.spread(rs.stream().map(r -> r.samples().stream().mapToLong(Sample::rss).max().orElse(0) / 1e6).toList(), "%.0f"),
                    unresponsive, samples);
        }
        cpuSummary(runs, after, variants);
    }

    /**
     * The shop JVM's CPU per served request and per delivered page view, and per request as a
     * multiple of a bare page's: the variant's CPU per request over no filter's in the same round.
     */
    static void cpuSummary(List<Run> runs, int after, List<String> variants) {
        System.out.println();
        System.out.println("### Shop JVM CPU per served request and per delivered page view: median [min–max] over rounds");
        System.out.println();
        System.out.println("| variant | shop JVM CPU µs/request | of which request threads | shop CPU per delivered page view,"
                + " µs (during the run) | of which sender threads | shop CPU per delivered page view, µs (run + " + after
                + " s after, over those delivered by then) | CPU per request ÷ bare page's (no filter, same round)"
                + " | CPU per request − bare page's, µs |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        Map<Integer, Double> bare = new java.util.HashMap<>();
        runs.stream().filter(r -> r.variant().equals("none") && !Double.isNaN(r.cpuMicrosPerRequest()))
                .forEach(r -> bare.put(r.round(), r.cpuMicrosPerRequest()));
        for (String v : variants) {
            List<Run> rs = runs.stream().filter(r -> r.variant().equals(v)).toList();
            if (rs.isEmpty()) {
                continue;
            }
            List<Run> paired = rs.stream().filter(r -> bare.containsKey(r.round()) && !Double.isNaN(r.cpuMicrosPerRequest())).toList();
            boolean tracks = !v.equals("none");
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", v,
                    spreadOf(rs, Run::cpuMicrosPerRequest),
                    spreadOf(rs, r -> r.cpu().requestThreadsPerRequest()),
                    tracks ? spreadOf(rs, r -> r.cpu().perDeliveredDuring()) : "—",
                    tracks ? spreadOf(rs, r -> r.cpu().senderThreadsPerDeliveredDuring()) : "—",
                    tracks ? spreadOf(rs, r -> r.cpu().perDeliveredAfter()) : "—",
                    paired.isEmpty() ? "—" : Harness.spread(paired.stream()
                            .map(r -> r.cpuMicrosPerRequest() / bare.get(r.round())).toList(), "%.2f"),
                    paired.isEmpty() ? "—" : Harness.spread(paired.stream()
                            .map(r -> r.cpuMicrosPerRequest() - bare.get(r.round())).toList(), "%+.1f"));
        }
    }

    private static String spreadOf(List<Run> rs, java.util.function.ToDoubleFunction<Run> f) {
        List<Double> xs = rs.stream().map(f::applyAsDouble).filter(x -> !x.isNaN()).toList();
        return xs.isEmpty() ? "—" : Harness.spread(xs, "%.1f");
    }
}
