package io.github.helloretail4j.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * B1 latency at shop load: the shop (embedded Jetty, one HTML page) with no filter, with
 * {@code PageViewFilter} and with Matomo's filter, each in its own JVM, all sending to one sink
 * JVM, under constant offered rates from this JVM ({@link ConstantRateLoad}: open loop,
 * latency from the intended send time). The variants are alternated within each round (the
 * order rotates from round to round), several rounds, and per variant and rate it reports the
 * median and the range over rounds of p50, p99, p99.9, the shop JVM's CPU per request and the
 * share of page views delivered, the p99 difference to no filter paired by round, and the
 * percentiles of all rounds pooled.
 *
 * <p>Each variant's JVM is warmed up first, {@code warmup} s at the highest rate; the p99 of that
 * warm-up (a cold JVM's, the tracker starting its threads and connections) is reported per variant.
 *
 * <p>{@code beforeJar=<another build's benchmarks.jar>} (or the environment's {@code BEFORE_JAR})
 * adds the variant {@code before}: ShopApp's helloretail from that jar, alternated with the others;
 * {@code helloretail} is this jar's build.
 *
 * <p>Usage: {@code B1Latency [rates=500,2000] [rounds=4] [seconds=10] [warmup=60] [connections=16] [logDir=target/b1] [beforeJar=] [variants=none,helloretail,before,matomo]}
 */
public final class B1Latency {

    record Row(String variant, double rate, int round, ConstantRateLoad.Result load, long served,
               double cpuMicrosPerRequest, double requestCpuMicros, double senderCpuMicros, long delivered,
               long dropped, long gcCount) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        List<Double> rates = new ArrayList<>();
        for (String r : a.getOrDefault("rates", "500,2000").split(",")) {
            rates.add(Double.parseDouble(r));
        }
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "4"));
        double seconds = Double.parseDouble(a.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(a.getOrDefault("warmup", "60"));
        int connections = Integer.parseInt(a.getOrDefault("connections", "16"));
        Path logDir = Path.of(a.getOrDefault("logDir", "target/b1"));
        Path beforeJar = Harness.beforeJar(a);

        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        System.out.printf(Locale.ROOT, "# rates %s req/s, %d rounds of %.0f s per variant and rate, %d connections,"
                + " warm-up %.0f s per variant%n", rates, rounds, seconds, connections, warmup);
        System.out.println(Harness.builds(beforeJar));
        List<Row> rows = new ArrayList<>();
        List<String> variants;
        Map<String, ConstantRateLoad.Result> warmups = new LinkedHashMap<>();
        try (Rig rig = Rig.start(logDir, List.of("-Xmx1g"), beforeJar, Harness.variants(a))) {
            variants = rig.variants;
            for (String v : rig.variants) {
                ConstantRateLoad load = new ConstantRateLoad("127.0.0.1", rig.apps.get(v).port(), Rig.PATH, Rig.HEADERS);
                long before = rig.delivered(v);
                ConstantRateLoad.Result r = load.run(Collections.max(rates), connections, warmup);
                rig.awaitDelivered(v, before + r.sent(), 10_000);
                warmups.put(v, r);
                System.out.printf(Locale.ROOT, "# warm-up %s: %d requests, p99 %.3f ms%n", v, r.sent(),
                        r.latency().getValueAtPercentile(99) / 1e6);
            }
            System.out.println("variant,rate,round,requests,errors,non200,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,"
                    + "service_p50_ms,service_p99_ms,cpu_us_per_req,request_threads_cpu_us,sender_threads_cpu_us,"
                    + "delivered,delivered_pct,dropped,gc_count");
            for (int round = 1; round <= rounds; round++) {
                for (int ri = 0; ri < rates.size(); ri++) {
                    List<String> order = new ArrayList<>(rig.variants);
                    Collections.rotate(order, round + ri);
                    for (String v : order) {
                        Row row = segment(rig, v, rates.get(ri), round, connections, seconds);
                        rows.add(row);
                        print(row);
                        Thread.sleep(1000);
                    }
                }
            }
        }
        System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
        summary(rows, rates, variants);
        System.out.printf(Locale.ROOT, "%n### Warm-up: %.0f s at %.0f requests/s into a new JVM%n%n", warmup, Collections.max(rates));
        System.out.println("| variant | requests | p50 ms | p99 ms | p99.9 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|");
        warmups.forEach((v, r) -> System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.3f | %.3f | %.1f |%n", v, r.sent(),
                ms(r.latency(), 50), ms(r.latency(), 99), ms(r.latency(), 99.9), r.latency().getMaxValue() / 1e6));
    }

    static Row segment(Rig rig, String v, double rate, int round, int connections, double seconds) throws Exception {
        ConstantRateLoad load = new ConstantRateLoad("127.0.0.1", rig.apps.get(v).port(), Rig.PATH, Rig.HEADERS);
        long k0 = rig.delivered(v);
        Map<String, Object> s0 = rig.stats(v);
        ConstantRateLoad.Result r = load.run(rate, connections, seconds);
        Map<String, Object> s1 = rig.stats(v);
        long served = Harness.num(s1, "served") - Harness.num(s0, "served");
        long k1 = v.equals("none") ? k0 : rig.awaitDelivered(v, k0 + served, 10_000);
        double perReq = 1e-3 / Math.max(1, served);
        return new Row(v, rate, round, r, served,
                (Harness.num(s1, "processCpuNanos") - Harness.num(s0, "processCpuNanos")) * perReq,
                (Harness.num(s1, "requestThreadsCpuNanos") - Harness.num(s0, "requestThreadsCpuNanos")) * perReq,
                (Harness.num(s1, "senderThreadsCpuNanos") - Harness.num(s0, "senderThreadsCpuNanos")) * perReq,
                k1 - k0, Harness.num(s1, "dropped") - Harness.num(s0, "dropped"),
                Harness.num(s1, "gcCount") - Harness.num(s0, "gcCount"));
    }

    private static double ms(Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1e6;
    }

    static void print(Row r) {
        Histogram h = r.load().latency();
        System.out.printf(Locale.ROOT, "%s,%.0f,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f,%d,%.2f,%d,%d%n",
                r.variant(), r.rate(), r.round(), r.load().sent(), r.load().errors(), r.load().non200(),
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6,
                ms(r.load().service(), 50), ms(r.load().service(), 99),
                r.cpuMicrosPerRequest(), r.requestCpuMicros(), r.senderCpuMicros(),
                r.delivered(), r.variant().equals("none") ? 0.0 : 100.0 * r.delivered() / Math.max(1, r.served()),
                r.dropped(), r.gcCount());
    }

    static void summary(List<Row> rows, List<Double> rates, List<String> variants) {
        System.out.println();
        System.out.println("## Summary: median [min–max] over rounds; 'pooled' = all rounds' samples in one histogram");
        for (double rate : rates) {
            System.out.printf(Locale.ROOT, "%n### %.0f requests/s%n%n", rate);
            System.out.println("| variant | p50 ms | p99 ms | p99.9 ms | pooled p50 / p99 / p99.9 / max ms"
                    + " | p99 − no filter, ms (paired by round) | shop JVM CPU µs/request | of which request threads"
                    + " | of which sender threads | page views delivered |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            Map<Integer, Double> noneP99 = new LinkedHashMap<>();
            for (Row r : rows) {
                if (r.rate() == rate && r.variant().equals("none")) {
                    noneP99.put(r.round(), ms(r.load().latency(), 99));
                }
            }
            for (String v : variants) {
                List<Row> rs = rows.stream().filter(r -> r.rate() == rate && r.variant().equals(v)).toList();
                Histogram pooled = ConstantRateLoad.newHistogram();
                long served = 0;
                long delivered = 0;
                long errors = 0;
                for (Row r : rs) {
                    pooled.add(r.load().latency());
                    served += r.served();
                    delivered += r.delivered();
                    errors += r.load().errors() + r.load().non200();
                }
                List<Double> diff = rs.stream().filter(r -> noneP99.containsKey(r.round()))
                        .map(r -> ms(r.load().latency(), 99) - noneP99.get(r.round())).toList();
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.3f / %.3f / %.3f / %.1f | %s | %s | %s | %s | %s |%n",
                        v,
                        Harness.spread(rs.stream().map(r -> ms(r.load().latency(), 50)).toList(), "%.3f"),
                        Harness.spread(rs.stream().map(r -> ms(r.load().latency(), 99)).toList(), "%.3f"),
                        Harness.spread(rs.stream().map(r -> ms(r.load().latency(), 99.9)).toList(), "%.3f"),
                        ms(pooled, 50), ms(pooled, 99), ms(pooled, 99.9), pooled.getMaxValue() / 1e6,
                        v.equals("none") ? "—" : Harness.spread(diff, "%+.3f"),
                        Harness.spread(rs.stream().map(Row::cpuMicrosPerRequest).toList(), "%.1f"),
                        Harness.spread(rs.stream().map(Row::requestCpuMicros).toList(), "%.1f"),
                        Harness.spread(rs.stream().map(Row::senderCpuMicros).toList(), "%.1f"),
                        v.equals("none") ? "—" : String.format(Locale.ROOT, "%,d of %,d (%.2f %%)%s", delivered, served,
                                100.0 * delivered / Math.max(1, served), errors > 0 ? "; " + errors + " request errors" : ""));
            }
        }
    }
}
