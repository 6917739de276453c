package io.github.helloretail4j.benchmarks;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The B1 set-up: one sink JVM and one shop JVM per variant, all started once and kept running
 * while the load generator (this JVM) alternates between them. Each shop JVM sends to the same
 * sink; only the variant under load sends anything, so the sink's counter for that variant's
 * requests is that variant's delivery.
 *
 * <p>With another build's benchmarks jar ({@code beforeJar=}), a fourth variant {@code before}
 * runs ShopApp's {@code helloretail} from that jar's class path: the two library builds side by
 * side, {@code helloretail} being the build of the jar this JVM runs. The sink and the other
 * variants run from this JVM's class path.
 */
final class Rig implements AutoCloseable {

    static final List<String> VARIANTS = List.of("none", "helloretail", "matomo");
    /** The variants with another build beside this one's. */
    static final List<String> VARIANTS_WITH_BEFORE = List.of("none", "helloretail", "before", "matomo");

    /** The request every B1 load sends: a browser asking for a product page, with both trackers' cookies. */
    static final String PATH = "/products/p-123?color=red";
    static final List<String> HEADERS = List.of(
            "Host: shop.example",
            "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                    + " Chrome/131.0.0.0 Safari/537.36",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language: en-US,en;q=0.9",
            "Referer: https://www.google.com/",
            "Cookie: hello_retail_id=62a0317d17698aa57d369db9; _pk_id.1.1fff=0123456789abcdef.1732300000.;"
                    + " _pk_ses.1.1fff=1",
            "Sec-Fetch-Dest: document",
            "Sec-Fetch-Mode: navigate");

    record App(String variant, int port, int controlPort, Process process) {
        String control() {
            return "http://127.0.0.1:" + controlPort + "/stats";
        }
    }

    final int sinkPort;
    private final Process sink;
    final Map<String, App> apps = new LinkedHashMap<>();
    /** The variants this rig runs, in the order the rounds alternate them. */
    final List<String> variants;
    /** Each variant's shop class path. */
    private final Map<String, String> classPaths;

    private Rig(int sinkPort, Process sink, Map<String, String> classPaths) {
        this.sinkPort = sinkPort;
        this.sink = sink;
        this.classPaths = classPaths;
        this.variants = List.copyOf(classPaths.keySet());
    }

    /** The ShopApp variant that {@code variant} runs: {@code before} is another build's {@code helloretail}. */
    static String shopVariant(String variant) {
        return variant.equals("before") ? "helloretail" : variant;
    }

    /** Whether {@code variant} runs helloretail4j (this build's or the other one's). */
    static boolean isHelloRetail(String variant) {
        return shopVariant(variant).equals("helloretail");
    }

    private Path logDir;
    private List<String> appJvmArgs;

    /** Stops {@code variant}'s shop JVM and starts a new one (new ports), primed with one request. */
    void restart(String variant) throws Exception {
        stop(variant);
        startApp(variant);
    }

    /**
     * Kills {@code variant}'s shop JVM and waits until it is gone, so that a JVM left with a
     * backlog (Matomo's, after saturation) cannot take CPU from the next run.
     */
    void stop(String variant) throws InterruptedException {
        Process p = apps.get(variant).process();
        p.destroyForcibly();
        p.waitFor();
    }

    private void startApp(String v) throws Exception {
        int port = Harness.freePort();
        int control = Harness.freePort();
        Process p = Harness.startJvmFrom(logDir.resolve("shop-" + v + ".log"), appJvmArgs, classPaths.get(v),
                ShopApp.class.getName(), shopVariant(v), String.valueOf(port), String.valueOf(control),
                String.valueOf(sinkPort), logDir.resolve("outbox-" + v).toAbsolutePath().toString());
        App app = new App(v, port, control, p);
        apps.put(v, app);
        Harness.awaitUp(app.control(), p);
        // One request before any load: Matomo's tracker creates its sender (an HttpClient and a
        // thread pool) on first use without synchronisation, so a concurrent first burst would
        // create one per request; a shop's first request would prime it the same way.
        new ConstantRateLoad("127.0.0.1", port, PATH, HEADERS).run(100, 1, 0.01);
    }

    static Rig start(Path logDir, List<String> appJvmArgs) throws Exception {
        return start(logDir, appJvmArgs, (Path) null);
    }

    /** The rig with {@link #VARIANTS}, and {@code before} from {@code beforeJar} unless it is null. */
    static Rig start(Path logDir, List<String> appJvmArgs, Path beforeJar) throws Exception {
        return start(logDir, appJvmArgs, beforeJar, null);
    }

    /**
     * As {@link #start(Path, List, Path)}, with only the variants named in {@code only} (null:
     * all): an experiment between two builds can leave Matomo's out, so that no third shop JVM
     * shares the machine with the two being compared.
     */
    static Rig start(Path logDir, List<String> appJvmArgs, Path beforeJar, List<String> only) throws Exception {
        String own = System.getProperty("java.class.path");
        Map<String, String> classPaths = new LinkedHashMap<>();
        List<String> all = beforeJar == null ? VARIANTS : VARIANTS_WITH_BEFORE;
        if (only != null && !all.containsAll(only)) {
            throw new IllegalArgumentException("variants=" + only + ": each must be one of " + all);
        }
        for (String v : all) {
            if (only != null && !only.contains(v)) {
                continue;
            }
            classPaths.put(v, v.equals("before") ? beforeJar.toAbsolutePath().toString() : own);
        }
        return start(logDir, appJvmArgs, classPaths);
    }

    /** The rig with the variants of {@code classPaths} (variant → its shop's class path), in its order. */
    static Rig start(Path logDir, List<String> appJvmArgs, Map<String, String> classPaths) throws Exception {
        int sinkPort = Harness.freePort();
        Process sink = Harness.startJvm(logDir.resolve("sink.log"), List.of("-Xmx1g"),
                Sink.class.getName(), String.valueOf(sinkPort));
        Rig rig = new Rig(sinkPort, sink, new LinkedHashMap<>(classPaths));
        rig.logDir = logDir;
        rig.appJvmArgs = appJvmArgs;
        Harness.awaitUp("http://127.0.0.1:" + sinkPort + "/_stats", sink);
        for (String v : rig.variants) {
            rig.startApp(v);
        }
        return rig;
    }

    Map<String, Object> sinkStats() {
        return Harness.get("http://127.0.0.1:" + sinkPort + "/_stats");
    }

    /** Tracking requests the sink answered for {@code variant} so far. */
    long delivered(String variant) {
        return switch (shopVariant(variant)) {
            case "helloretail" -> Harness.num(sinkStats(), "pageViews");
            case "matomo" -> Harness.num(sinkStats(), "matomo");
            default -> 0;
        };
    }

    Map<String, Object> stats(String variant) {
        return Harness.get(apps.get(variant).control());
    }

    /** Waits until the sink has {@code target} requests of {@code variant}, or {@code maxMillis} passed; returns the count. */
    long awaitDelivered(String variant, long target, long maxMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxMillis;
        long n = delivered(variant);
        while (n < target && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            n = delivered(variant);
        }
        return n;
    }

    @Override
    public void close() {
        for (App a : apps.values()) {
            a.process().destroy();
        }
        sink.destroy();
        // gone before this JVM goes on (or exits), so that no shop outlives the run
        for (Process p : apps.values().stream().map(App::process).toList()) {
            awaitGone(p);
        }
        awaitGone(sink);
    }

    private static void awaitGone(Process p) {
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
