package io.github.helloretail4j.benchmarks;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.VirtualMachine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A CPU profile of one shop JVM under load, with async-profiler, and where its CPU goes per
 * delivered page view.
 *
 * <p>A sink JVM (this jar's) and one shop JVM ({@code ShopApp <variant>} from {@code jar=}, any
 * build's benchmarks jar; default this one's) are started; the shop is warmed up {@code warmup} s
 * at {@code rate} requests/s ({@link ConstantRateLoad}); then the profiler is loaded into the shop
 * JVM through the attach API ({@code VirtualMachine.loadAgentPath}, what {@code jcmd <pid>
 * JVMTI.agent_load} does) with {@code start,event=cpu,interval=...,threads}, the measured load runs
 * ({@code mode=saturation}: {@code wrk -t2 -c32} for {@code seconds} s with the browser request
 * of {@link Rig#HEADERS}; {@code mode=rate}: {@code rate} requests/s for {@code seconds} s), and
 * a second {@code loadAgentPath} with {@code stop,file=...,collapsed} ends the profile and writes
 * it. Only the measured load is profiled: the warm-up runs before the agent is loaded. When perf
 * events are refused (the agent fails to start, or says so in its log), the profile is taken with
 * {@code event=itimer} instead (no kernel frames then); the summary says which event was used.
 *
 * <p>Writes the collapsed stacks, gzip'd, to {@code <out>/<label>-<mode>.collapsed.gz} and a
 * summary to {@code <out>/<label>-<mode>.txt} (and stdout): requests served and page views
 * delivered during the window (the shop's /stats, the sink's /_stats), the shop JVM's CPU over it
 * (its own figure and /proc/&lt;pid&gt;/stat) per delivered page view and per served request, the
 * samples by thread group, the tracker threads' samples by category of frame, and their top self
 * frames; µs of CPU per delivered page view = samples × interval ÷ delivered.
 *
 * <p>{@code analyze=<file.collapsed[.gz]> served=N delivered=N interval=ns} only summarises an
 * existing profile.
 *
 * <p>Usage: {@code Profile lib=<libasyncProfiler.so> [mode=saturation|rate] [jar=<benchmarks.jar>]
 * [variant=helloretail] [label=profile] [warmup=15] [seconds=20] [rate=2000] [connections=16]
 * [wrkThreads=2] [wrkConnections=32] [interval=1000000] [event=cpu] [out=results/profiles]
 * [logDir=target/profile] [tracker=<thread name prefixes, comma-separated>]}
 */
public final class Profile {

    private Profile() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        if (a.containsKey("analyze")) {
            Window w = new Window(a.getOrDefault("label", "profile"), a.getOrDefault("mode", "?"),
                    Long.parseLong(a.getOrDefault("served", "0")), Long.parseLong(a.getOrDefault("delivered", "0")),
                    a.getOrDefault("event", "?"), Long.parseLong(a.getOrDefault("interval", "1000000")));
            System.out.print(Summary.of(read(Path.of(a.get("analyze"))), w, trackerPrefixes(a, a.getOrDefault("variant", "helloretail"))).text());
            return;
        }
        String mode = a.getOrDefault("mode", "saturation");
        if (!mode.equals("saturation") && !mode.equals("rate")) {
            throw new IllegalArgumentException("mode is saturation or rate: " + mode);
        }
        String variant = a.getOrDefault("variant", "helloretail");
        Path lib = Path.of(required(a, "lib")).toAbsolutePath();
        String ownJar = System.getProperty("java.class.path");
        Path jar = Path.of(a.getOrDefault("jar", ownJar.split(java.io.File.pathSeparator)[0])).toAbsolutePath();
        String label = a.getOrDefault("label", "profile");
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "15"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "2000"));
        int connections = Integer.parseInt(a.getOrDefault("connections", "16"));
        int wrkThreads = Integer.parseInt(a.getOrDefault("wrkThreads", "2"));
        int wrkConnections = Integer.parseInt(a.getOrDefault("wrkConnections", "32"));
        long interval = Long.parseLong(a.getOrDefault("interval", "1000000"));
        String event = a.getOrDefault("event", "cpu");
        Path out = Path.of(a.getOrDefault("out", "results/profiles")).toAbsolutePath();
        Path logDir = Path.of(a.getOrDefault("logDir", "target/profile")).toAbsolutePath();
        Files.createDirectories(out);
        Files.createDirectories(logDir);
        String name = label + "-" + mode;
        Path raw = logDir.resolve(name + ".collapsed");
        Path agentLog = logDir.resolve(name + ".agent.log");
        Files.deleteIfExists(raw);
        Files.deleteIfExists(agentLog);

        StringBuilder head = new StringBuilder();
        String command = System.getenv("PROFILE_COMMAND");
        head.append("# command: ").append(command != null ? command
                : "java -cp " + ownJar + " " + Profile.class.getName() + " " + String.join(" ", args)).append('\n');
        String header = System.getenv("PROFILE_HEADER");   // run-profile.sh: the build steps, the environment
        if (header != null && !header.isBlank()) {
            head.append(header.strip()).append('\n');
        }
        head.append(Harness.machine()).append('\n');
        head.append("# other java/mvn processes at start: ").append(Harness.otherJavaProcesses()).append('\n');
        head.append("# shop: ShopApp ").append(variant).append(" from ").append(Harness.describe(jar)).append('\n');
        head.append("# sink and load generator: ").append(Harness.describe(Path.of(ownJar.split(java.io.File.pathSeparator)[0]).toAbsolutePath()))
                .append('\n');
        head.append(String.format(Locale.ROOT, "# warm-up %d s at %.0f req/s (%d connections, not profiled); then %s for %d s,"
                        + " profiled: %s%n", warmup, rate, connections, mode, seconds,
                mode.equals("saturation") ? "wrk -t" + wrkThreads + " -c" + wrkConnections + " -d" + seconds + "s (Rig.HEADERS)"
                        : String.format(Locale.ROOT, "%.0f req/s over %d connections (ConstantRateLoad)", rate, connections)));
        System.out.print(head);

        Map<String, String> classPaths = new LinkedHashMap<>();
        classPaths.put(variant, jar.toString());
        Window w;
        List<String> notes = new ArrayList<>();
        try (Rig rig = Rig.start(logDir, List.of("-Xmx1g"), classPaths)) {
            Rig.App app = rig.apps.get(variant);
            long pid = app.process().pid();
            ConstantRateLoad load = new ConstantRateLoad("127.0.0.1", app.port(), Rig.PATH, Rig.HEADERS);
            long before = rig.delivered(variant);
            ConstantRateLoad.Result warm = load.run(rate, connections, warmup);
            long warmDelivered = variant.equals("none") ? 0
                    : rig.awaitDelivered(variant, before + warm.sent(), 10_000) - before;
            notes.add(String.format(Locale.ROOT, "warm-up: %d requests, p99 %.1f ms, %d page views delivered",
                    warm.sent(), warm.latency().getValueAtPercentile(99) / 1e6, warmDelivered));
            Thread.sleep(1000);

            VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
            String used;
            try {
                used = startProfiler(vm, lib, event, interval, agentLog, notes);
                Map<String, Object> s0 = rig.stats(variant);
                long k0 = rig.delivered(variant);
                long p0 = procCpuNanos(pid);
                long t0 = System.nanoTime();
                String loadResult;
                if (mode.equals("saturation")) {
                    Process wrk = new ProcessBuilder(B1Saturation.wrkCommand(wrkThreads, wrkConnections, seconds, app.port()))
                            .redirectErrorStream(true).start();
                    String o = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    wrk.waitFor();
                    loadResult = String.format(Locale.ROOT, "wrk: %s requests/s, latency p50 %s, p99 %s%s",
                            B1Saturation.group(o, "Requests/sec:\\s+([0-9.]+)"), B1Saturation.group(o, "\\s50%\\s+(\\S+)"),
                            B1Saturation.group(o, "\\s99%\\s+(\\S+)"),
                            o.contains("Non-2xx") || o.contains("Socket errors") ? "; " + o.lines()
                                    .filter(l -> l.contains("Non-2xx") || l.contains("Socket errors")).map(String::strip).toList() : "");
                } else {
                    ConstantRateLoad.Result r = load.run(rate, connections, seconds);
                    loadResult = String.format(Locale.ROOT, "ConstantRateLoad: %d requests, %d errors, %d non-200, latency p50 %.3f ms,"
                                    + " p99 %.3f ms, p99.9 %.3f ms", r.sent(), r.errors(), r.non200(),
                            r.latency().getValueAtPercentile(50) / 1e6, r.latency().getValueAtPercentile(99) / 1e6,
                            r.latency().getValueAtPercentile(99.9) / 1e6);
                }
                Map<String, Object> s1 = rig.stats(variant);
                long k1 = rig.delivered(variant);
                long p1 = procCpuNanos(pid);
                long t1 = System.nanoTime();
                vm.loadAgentPath(lib.toString(), "stop,file=" + raw + ",collapsed,log=" + agentLog);
                long k2 = variant.equals("none") ? k1 : rig.awaitDelivered(variant, k0 + delta(s0, s1, "served"), 10_000);
                w = new Window(label, mode, delta(s0, s1, "served"), k1 - k0, used, interval);
                w.seconds = (t1 - t0) / 1e9;
                w.load = loadResult;
                w.processCpuNanos = delta(s0, s1, "processCpuNanos");
                w.procStatCpuNanos = p0 < 0 || p1 < 0 ? -1 : p1 - p0;
                w.requestThreadsCpuNanos = delta(s0, s1, "requestThreadsCpuNanos");
                w.senderThreadsCpuNanos = delta(s0, s1, "senderThreadsCpuNanos");
                w.otherThreadsCpuNanos = delta(s0, s1, "otherThreadsCpuNanos");
                w.tracked = delta(s0, s1, "tracked");
                w.trackerDelivered = delta(s0, s1, "delivered");
                w.dropped = delta(s0, s1, "dropped");
                w.failed = delta(s0, s1, "failed");
                w.pendingAtEnd = Harness.num(s1, "pending");
                w.deliveredWithin10sAfter = k2 - k0;
                w.gcCount = delta(s0, s1, "gcCount");
                w.gcMillis = delta(s0, s1, "gcMillis");
            } finally {
                vm.detach();
            }
        }
        if (Files.exists(agentLog)) {
            for (String line : Files.readAllLines(agentLog)) {
                if (!line.isBlank()) {
                    notes.add("agent: " + line.strip());
                }
            }
        }
        w.notes = notes;
        Map<String, Long> stacks = read(raw);
        Summary summary = Summary.of(stacks, w, trackerPrefixes(a, variant));
        String text = head + summary.text();
        Path gz = out.resolve(name + ".collapsed.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(raw, o);
        }
        Files.writeString(out.resolve(name + ".txt"), text + "# raw collapsed stacks: " + out.relativize(gz)
                + " (zcat; one line per stack: [thread tid=N];root;...;leaf count)\n");
        System.out.print(summary.text());
        System.out.println("# wrote " + out.resolve(name + ".txt") + " and " + gz);
    }

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + "= is required");
        }
        return v;
    }

    private static long delta(Map<String, Object> from, Map<String, Object> to, String key) {
        return Harness.num(to, key) - Harness.num(from, key);
    }

    /** The tracker's thread name prefixes: {@code tracker=} or the variant's. */
    static List<String> trackerPrefixes(Map<String, String> a, String variant) {
        String given = a.get("tracker");
        if (given != null) {
            return List.of(given.split(","));
        }
        return Rig.shopVariant(variant).equals("matomo") ? List.of("MatomoJavaTracker", "HttpClient-")
                : List.of("helloretail4j");
    }

    /**
     * Loads the agent with {@code start}; with {@code event=cpu} falls back to {@code itimer}
     * when the agent refuses to start or its log says perf events are unavailable. Returns the
     * event used.
     */
    private static String startProfiler(VirtualMachine vm, Path lib, String event, long interval, Path agentLog,
                                        List<String> notes) throws Exception {
        String opts = ",interval=" + interval + ",threads,log=" + agentLog;
        try {
            vm.loadAgentPath(lib.toString(), "start,event=" + event + opts);
            String log = Files.exists(agentLog) ? Files.readString(agentLog) : "";
            if (!event.equals("cpu") || !(log.contains("perf_event") || log.contains("ctimer"))) {
                return event;
            }
            notes.add("perf events refused (agent log: " + log.strip().replace('\n', ' ') + "); restarted with event=itimer");
            vm.loadAgentPath(lib.toString(), "stop,log=" + agentLog);
        } catch (AgentInitializationException e) {
            if (!event.equals("cpu")) {
                throw e;
            }
            notes.add("event=cpu refused by the agent (" + e.getMessage() + ", return value " + e.returnValue()
                    + "); started with event=itimer");
        }
        vm.loadAgentPath(lib.toString(), "start,event=itimer" + opts);
        return "itimer (perf events refused; no kernel frames)";
    }

    /** utime + stime of {@code pid} from /proc/&lt;pid&gt;/stat, in ns; -1 where there is none. */
    static long procCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
            return ticks * (1_000_000_000L / clockTicks());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clockTicks = 0;

    private static synchronized long clockTicks() {
        if (clockTicks == 0) {
            clockTicks = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                if (p.waitFor() == 0) {
                    clockTicks = Long.parseLong(o);
                }
            } catch (IOException | RuntimeException e) {
                // 100, Linux's USER_HZ
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return clockTicks;
    }

    /** The collapsed stacks of {@code file} (gzip'd when its name ends with .gz): stack → samples. */
    static Map<String, Long> read(Path file) throws IOException {
        Map<String, Long> m = new HashMap<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                int sp = line.lastIndexOf(' ');
                if (sp <= 0) {
                    continue;
                }
                m.merge(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).strip()), Long::sum);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return m;
    }

    /** What was measured while the profiler ran. */
    static final class Window {
        final String label;
        final String mode;
        final long served;
        final long delivered;
        final String event;
        final long intervalNanos;
        double seconds = Double.NaN;
        String load = "";
        long processCpuNanos = -1;
        long procStatCpuNanos = -1;
        long requestThreadsCpuNanos = -1;
        long senderThreadsCpuNanos = -1;
        long otherThreadsCpuNanos = -1;
        long tracked = -1;
        long trackerDelivered = -1;
        long dropped = -1;
        long failed = -1;
        long pendingAtEnd = -1;
        long deliveredWithin10sAfter = -1;
        long gcCount = -1;
        long gcMillis = -1;
        List<String> notes = List.of();

        Window(String label, String mode, long served, long delivered, String event, long intervalNanos) {
            this.label = label;
            this.mode = mode;
            this.served = served;
            this.delivered = delivered;
            this.event = event;
            this.intervalNanos = intervalNanos;
        }
    }

    /** The thread groups of a shop JVM's samples. */
    enum Group {
        REQUEST("request threads (Jetty pool: reading, parsing, filter, servlet, writing)"),
        SELECTOR("selector/acceptor (Jetty pool threads selecting or accepting, not serving)"),
        SENDER("page-view sender threads"),
        WATCHDOG("watchdog"),
        TRACKER_OTHER("other tracker threads"),
        JIT("JIT compiler"),
        GC("GC"),
        VM("other VM threads"),
        OTHER("other Java threads (control port, Jetty scheduler, ...)");

        final String title;

        Group(String title) {
            this.title = title;
        }

        boolean tracker() {
            return this == SENDER || this == WATCHDOG || this == TRACKER_OTHER;
        }
    }

    /** Categories of a sample's frames. */
    enum Category {
        K_FUTEX("kernel: futex/scheduling"),
        K_EPOLL("kernel: epoll/poll"),
        K_SEND("kernel: socket write/send"),
        K_RECV("kernel: socket read/recv"),
        K_OTHER("kernel: other"),
        HTTPCLIENT("httpclient5/httpcore5"),
        JSON("Jackson/JSON"),
        OURS("io.github.helloretail4j (ours)"),
        LOCKS("JDK locks/parking"),
        OTHER("other (JDK, JVM, libc)");

        final String title;

        Category(String title) {
            this.title = title;
        }

        boolean kernel() {
            return name().startsWith("K_");
        }
    }

    /** The parsed profile: samples by group, by category, self frames. */
    static final class Summary {
        final Window w;
        final EnumMap<Group, Long> byGroup = new EnumMap<>(Group.class);
        /** tracker group → category → samples, attributed to the innermost frame of a known category. */
        final EnumMap<Group, EnumMap<Category, Long>> attributed = new EnumMap<>(Group.class);
        /** the same, by the leaf frame's own category. */
        final EnumMap<Group, EnumMap<Category, Long>> self = new EnumMap<>(Group.class);
        final Map<String, Long> trackerSelfFrames = new HashMap<>();
        final Map<String, Long> trackerKernelOther = new HashMap<>();
        /** tracker threads' kernel samples by the innermost Java frame above the kernel (who made the system call). */
        final Map<String, Long> trackerKernelCallers = new HashMap<>();
        /** request threads' samples under a frame of ours, by category (attributed). */
        final EnumMap<Category, Long> requestOursByCategory = zeros();
        final Map<String, Long> requestOursInclusive = new HashMap<>();
        final Map<String, Long> threadNames = new HashMap<>();
        long total;
        long requestWithOurFrame;
        long kernelSamples;

        private Summary(Window w) {
            this.w = w;
        }

        static Summary of(Map<String, Long> stacks, Window w, List<String> trackerPrefixes) {
            Summary s = new Summary(w);
            for (Group g : Group.values()) {
                s.byGroup.put(g, 0L);
                s.attributed.put(g, zeros());
                s.self.put(g, zeros());
            }
            stacks.forEach((stack, n) -> s.add(stack.split(";"), n, trackerPrefixes));
            return s;
        }

        private static EnumMap<Category, Long> zeros() {
            EnumMap<Category, Long> m = new EnumMap<>(Category.class);
            for (Category c : Category.values()) {
                m.put(c, 0L);
            }
            return m;
        }

        private void add(String[] frames, long n, List<String> trackerPrefixes) {
            String thread = frames[0].startsWith("[") ? threadName(frames[0]) : "";
            int first = frames[0].startsWith("[") ? 1 : 0;
            Group g = group(thread, frames, first, trackerPrefixes);
            total += n;
            byGroup.merge(g, n, Long::sum);
            threadNames.merge(g.name() + " " + thread.replaceAll("[0-9]+$", "N"), n, Long::sum);
            String leaf = frames[frames.length - 1];
            if (leaf.endsWith("_[k]")) {
                kernelSamples += n;
            }
            Category attr = attributedCategory(frames, first);
            attributed.get(g).merge(attr, n, Long::sum);
            self.get(g).merge(selfCategory(frames, first), n, Long::sum);
            if (g.tracker()) {
                trackerSelfFrames.merge(leaf.replace("_[k]", " [kernel]"), n, Long::sum);
                if (attr == Category.K_OTHER) {
                    trackerKernelOther.merge(syscall(frames, first), n, Long::sum);
                }
                if (attr.kernel()) {
                    String caller = "(no Java frame)";
                    for (int i = frames.length - 1; i >= first; i--) {
                        if (!frames[i].endsWith("_[k]") && frames[i].contains("/")) {
                            caller = frames[i];
                            break;
                        }
                    }
                    trackerKernelCallers.merge(attr.title.substring("kernel: ".length()) + " ← " + caller, n, Long::sum);
                }
            }
            if (g == Group.REQUEST) {
                for (int i = frames.length - 1; i >= first; i--) {
                    if (isShop(frames[i])) {
                        break;   // the shop's page, inside the filter's chain.doFilter: not the filter's cost
                    }
                    if (isOurs(frames[i])) {
                        requestWithOurFrame += n;
                        requestOursByCategory.merge(attr, n, Long::sum);
                        requestOursInclusive.merge(frames[i], n, Long::sum);
                        break;
                    }
                }
            }
        }

        /** "[name tid=N]" → name; "[tid=N]" → "". */
        static String threadName(String f) {
            String s = f.substring(1, f.length() - 1);
            int tid = s.lastIndexOf("tid=");
            return (tid < 0 ? s : s.substring(0, tid)).strip();
        }

        static boolean any(String[] frames, int first, String... parts) {
            for (int i = first; i < frames.length; i++) {
                for (String p : parts) {
                    if (frames[i].contains(p)) {
                        return true;
                    }
                }
            }
            return false;
        }

        static Group group(String thread, String[] frames, int first, List<String> trackerPrefixes) {
            for (String p : trackerPrefixes) {
                if (thread.startsWith(p)) {
                    if (thread.contains("-pageview") || thread.startsWith("MatomoJavaTracker")) {
                        return Group.SENDER;
                    }
                    return thread.contains("-watchdog") ? Group.WATCHDOG : Group.TRACKER_OTHER;
                }
            }
            if (thread.startsWith("shop")) {
                if (any(frames, first, "AbstractConnector$Acceptor")) {
                    return Group.SELECTOR;
                }
                if (any(frames, first, "HttpConnection.onFillable", "HttpConnection$", "org/eclipse/jetty/server/Server.handle",
                        "ServletChannel", "HttpChannelState")) {
                    return Group.REQUEST;
                }
                return any(frames, first, "ManagedSelector") ? Group.SELECTOR : Group.REQUEST;
            }
            if (thread.contains("CompilerThre") || any(frames, first, "CompileBroker::")) {
                return Group.JIT;
            }
            if (thread.startsWith("GC Thread") || thread.startsWith("G1 ") || thread.startsWith("ZGC")
                    || thread.startsWith("Shenandoah") || any(frames, first, "G1ConcurrentRefineThread", "ConcurrentGCThread::",
                    "GangWorker::", "WorkerThread::run", "VM_G1Collect", "VM_CollectFor", "G1CollectedHeap::")) {
                return Group.GC;
            }
            boolean java = false;
            for (int i = first; i < frames.length; i++) {
                if (frames[i].contains("/") && !frames[i].endsWith("_[k]")) {
                    java = true;
                    break;
                }
            }
            if (any(frames, first, "org/apache/hc/")) {
                return Group.TRACKER_OTHER;   // the HTTP client's own threads, whatever their name
            }
            if (thread.isEmpty() || thread.startsWith("VM ") || thread.equals("Service Thread")
                    || thread.startsWith("Monitor Deflati") || thread.startsWith("Sweeper") || thread.startsWith("Signal Dispatch")
                    || thread.equals("Reference Handler") || thread.equals("Finalizer") || thread.equals("Common-Cleaner")
                    || thread.equals("Attach Listener") || thread.equals("Notification Thread") || !java) {
                return Group.VM;
            }
            return Group.OTHER;
        }

        /**
         * The filter chain going on to the shop's servlet, or the servlet itself: a frame of ours
         * above it (PageViewFilter.doFilter) does not make the page's own work ours.
         */
        static boolean isShop(String f) {
            return f.startsWith("io/github/helloretail4j/benchmarks/") || f.contains("ServletHandler$ChainEnd.doFilter")
                    || f.contains("ServletHandler$Chain.doFilter") || f.contains("/ServletHolder.handle")
                    || f.startsWith("jakarta/servlet/http/HttpServlet.service") || f.startsWith("javax/servlet/http/HttpServlet.service");
        }

        static boolean isOurs(String f) {
            return f.startsWith("io/github/helloretail4j/") && !f.startsWith("io/github/helloretail4j/benchmarks/");
        }

        static Category javaCategory(String f) {
            if (f.startsWith("org/apache/hc/")) {
                return Category.HTTPCLIENT;
            }
            if (f.startsWith("com/fasterxml/jackson/")) {
                return Category.JSON;
            }
            if (isOurs(f)) {
                return Category.OURS;
            }
            if (f.startsWith("java/util/concurrent/locks/") || f.startsWith("jdk/internal/misc/Unsafe.park")
                    || f.startsWith("java/lang/Object.wait") || f.startsWith("java/lang/Thread.sleep")
                    || f.startsWith("Parker::") || f.startsWith("ObjectMonitor::") || f.startsWith("ObjectSynchronizer::")
                    || f.startsWith("SharedRuntime::complete_monitor") || f.startsWith("Unsafe_Park")
                    || f.startsWith("JVM_MonitorWait")) {
                return Category.LOCKS;
            }
            return null;
        }

        /**
         * A kernel leaf by its syscall; else the innermost frame of a known category, up to the
         * shop's servlet (see {@link #isShop}); else other.
         */
        static Category attributedCategory(String[] frames, int first) {
            Category k = kernel(frames, first);
            if (k != null) {
                return k;
            }
            for (int i = frames.length - 1; i >= first; i--) {
                if (isShop(frames[i])) {
                    return Category.OTHER;
                }
                Category c = javaCategory(frames[i]);
                if (c != null) {
                    return c;
                }
            }
            return Category.OTHER;
        }

        /** A kernel leaf by its syscall; else the leaf frame's own category; else other. */
        static Category selfCategory(String[] frames, int first) {
            Category k = kernel(frames, first);
            if (k != null) {
                return k;
            }
            Category c = javaCategory(frames[frames.length - 1]);
            return c == null ? Category.OTHER : c;
        }

        /** For a sample whose leaf is a kernel frame: what the kernel was doing; else null. */
        static Category kernel(String[] frames, int first) {
            if (!frames[frames.length - 1].endsWith("_[k]")) {
                return null;
            }
            int k = frames.length - 1;
            while (k > first && frames[k - 1].endsWith("_[k]")) {
                k--;
            }
            String[] kf = java.util.Arrays.copyOfRange(frames, k, frames.length);
            if (any(kf, 0, "tcp_sendmsg", "sock_sendmsg", "__sys_sendto", "__sys_sendmsg", "sock_write_iter", "inet_sendmsg")) {
                return Category.K_SEND;
            }
            if (any(kf, 0, "tcp_recvmsg", "sock_recvmsg", "__sys_recvfrom", "__sys_recvmsg", "sock_read_iter", "inet_recvmsg")) {
                return Category.K_RECV;
            }
            // read(2)/write(2) on a socket whose leaf is still in the VFS layer (vfs_read, fdget, ...):
            // the Java frames above tell it is a socket
            String[] user = java.util.Arrays.copyOfRange(frames, first, k);
            boolean socket = any(user, 0, "SocketDispatcher.", "NioSocketImpl.", "SocketChannelImpl.", "IOUtil.", "SocketInputStream",
                    "SocketOutputStream");
            if (socket && any(kf, 0, "ksys_read", "vfs_read", "sys_read", "do_iter_readv", "sys_readv")) {
                return Category.K_RECV;
            }
            if (socket && any(kf, 0, "ksys_write", "vfs_write", "sys_write", "do_iter_writev", "sys_writev")) {
                return Category.K_SEND;
            }
            if (any(kf, 0, "epoll", "ep_poll", "do_sys_poll", "do_select", "sys_poll", "sys_ppoll")) {
                return Category.K_EPOLL;
            }
            if (any(kf, 0, "futex", "sched_yield", "nanosleep", "schedule", "finish_task_switch", "try_to_wake_up")) {
                return Category.K_FUTEX;
            }
            return Category.K_OTHER;
        }

        /** The kernel entry of a sample: its first {@code __x64_sys_*} / {@code __do_sys_*} frame, or its first kernel frame. */
        static String syscall(String[] frames, int first) {
            String firstKernel = null;
            for (int i = first; i < frames.length; i++) {
                String f = frames[i];
                if (!f.endsWith("_[k]")) {
                    continue;
                }
                String name = f.substring(0, f.length() - 4);
                if (name.startsWith("__x64_sys_") || name.startsWith("__do_sys_") || name.startsWith("__se_sys_")
                        || name.startsWith("asm_exc_") || name.startsWith("asm_sysvec_") || name.startsWith("asm_common_interrupt")) {
                    return name;
                }
                if (firstKernel == null && !name.startsWith("entry_SYSCALL") && !name.equals("do_syscall_64")) {
                    firstKernel = name;
                }
            }
            return firstKernel != null ? firstKernel
                    : frames[frames.length - 1].substring(0, frames[frames.length - 1].length() - 4);
        }

        private double us(long samples, long per) {
            return per <= 0 ? Double.NaN : samples * (double) w.intervalNanos / 1e3 / per;
        }

        private String pct(long part, long whole) {
            return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / Math.max(1, whole));
        }

        String text() {
            StringBuilder b = new StringBuilder();
            Locale l = Locale.ROOT;
            double ms = w.intervalNanos / 1e6;
            b.append(String.format(l, "%n## %s, mode %s: profiler event %s, interval %s ms%n%n", w.label, w.mode, w.event,
                    ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(ms)));
            for (String n : w.notes) {
                b.append("- ").append(n).append('\n');
            }
            if (total > 0 && kernelSamples == 0) {
                b.append("- no kernel frames in the profile: perf events were not used (itimer, or the agent fell back"
                        + " from event=cpu by itself); the kernel categories below are empty\n");
            }
            if (w.event.startsWith("itimer")) {
                b.append("- itimer: one process-wide timer, whose signals are lost when several threads run at once; the"
                        + " samples may cover much less than the JVM's CPU (see 'samples' below), so read the shares rather"
                        + " than the µs\n");
            }
            b.append(String.format(l, "- window: %.1f s; load: %s (the profiler runs: not a throughput figure)%n", w.seconds, w.load));
            b.append(String.format(l, "- requests served (shop /stats): %,d (%,.0f/s)%n", w.served, w.served / w.seconds));
            b.append(String.format(l, "- page views delivered (sink /_stats): %,d (%,.0f/s); tracker's own count: tracked %,d,"
                            + " delivered %,d, dropped %,d, failed %,d, pending at the end %,d; delivered within 10 s after the"
                            + " window (not profiled): %,d%n", w.delivered, w.delivered / w.seconds, w.tracked, w.trackerDelivered,
                    w.dropped, w.failed, w.pendingAtEnd, w.deliveredWithin10sAfter));
            b.append(String.format(l, "- shop JVM CPU over the window: %.2f s (/proc/<pid>/stat: %.2f s) = %.2f cores; %.1f µs"
                            + " per delivered page view, %.1f µs per served request%n", w.processCpuNanos / 1e9,
                    w.procStatCpuNanos / 1e9, w.processCpuNanos / 1e9 / w.seconds, w.processCpuNanos / 1e3 / Math.max(1, w.delivered),
                    w.processCpuNanos / 1e3 / Math.max(1, w.served)));
            b.append(String.format(l, "- of which (ShopApp's per-thread CPU of live threads): Jetty pool threads %.1f µs, tracker"
                            + " threads %.1f µs, other Java threads %.1f µs per delivered page view; the rest (GC, JIT, VM) %.1f µs;"
                            + " GC: %d collections, %d ms%n",
                    w.requestThreadsCpuNanos / 1e3 / Math.max(1, w.delivered), w.senderThreadsCpuNanos / 1e3 / Math.max(1, w.delivered),
                    w.otherThreadsCpuNanos / 1e3 / Math.max(1, w.delivered),
                    (w.processCpuNanos - w.requestThreadsCpuNanos - w.senderThreadsCpuNanos - w.otherThreadsCpuNanos) / 1e3
                            / Math.max(1, w.delivered), w.gcCount, w.gcMillis));
            b.append(String.format(l, "- samples: %,d = %.2f s of CPU (%s of the JVM's CPU over the window); %s of them with a"
                            + " kernel leaf frame%n", total, total * w.intervalNanos / 1e9,
                    w.processCpuNanos > 0 ? pct(total * w.intervalNanos, w.processCpuNanos) : "?", pct(kernelSamples, total)));

            b.append(String.format(l, "%n### Samples by thread group%n%n"));
            b.append("| thread group | samples | share | µs CPU per delivered page view | µs CPU per served request |\n");
            b.append("|---|---|---|---|---|\n");
            long tracker = 0;
            for (Group g : Group.values()) {
                long n = byGroup.get(g);
                if (g.tracker()) {
                    tracker += n;
                }
                b.append(String.format(l, "| %s | %,d | %s | %.2f | %.2f |%n", g.title, n, pct(n, total),
                        us(n, w.delivered), us(n, w.served)));
            }
            b.append(String.format(l, "| **all tracker threads** (senders, watchdog, other) | %,d | %s | %.2f | %.2f |%n",
                    tracker, pct(tracker, total), us(tracker, w.delivered), us(tracker, w.served)));
            b.append(String.format(l, "| **all** | %,d | 100 %% | %.2f | %.2f |%n", total, us(total, w.delivered), us(total, w.served)));
            b.append(String.format(l, "%nRequest-thread samples under a frame of ours (the filter, inclusive of what it calls,"
                    + " not of the page it lets through): %,d = %.2f µs per served request%n", requestWithOurFrame,
                    us(requestWithOurFrame, w.served)));

            b.append(String.format(l, "%n### Tracker threads by category of frame, µs CPU per delivered page view%n%n"));
            b.append("'attributed': a kernel leaf by its system call, else the innermost frame of httpclient5/httpcore5,"
                    + " Jackson, ours or JDK locks (JDK/JVM code they call counts as theirs); 'self': the leaf frame's own"
                    + " category (JDK and JVM code is 'other').\n\n");
            List<Group> tg = List.of(Group.SENDER, Group.WATCHDOG, Group.TRACKER_OTHER);
            b.append("| category | samples | share of tracker | attributed: all tracker threads | senders | watchdog | other tracker"
                    + " | self: all tracker threads |\n");
            b.append("|---|---|---|---|---|---|---|---|\n");
            long kernelAll = 0;
            for (Category c : Category.values()) {
                long all = tg.stream().mapToLong(g -> attributed.get(g).get(c)).sum();
                long selfAll = tg.stream().mapToLong(g -> self.get(g).get(c)).sum();
                if (c.kernel()) {
                    kernelAll += all;
                }
                b.append(String.format(l, "| %s | %,d | %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", c.title, all, pct(all, tracker),
                        us(all, w.delivered), us(attributed.get(Group.SENDER).get(c), w.delivered),
                        us(attributed.get(Group.WATCHDOG).get(c), w.delivered),
                        us(attributed.get(Group.TRACKER_OTHER).get(c), w.delivered), us(selfAll, w.delivered)));
            }
            b.append(String.format(l, "| **kernel, all** | %,d | %s | %.2f | | | | |%n", kernelAll, pct(kernelAll, tracker),
                    us(kernelAll, w.delivered)));
            if (!trackerKernelCallers.isEmpty()) {
                b.append("\nKernel samples of the tracker threads by what the kernel did ← the innermost Java frame above it"
                        + " (µs per delivered page view): ");
                b.append(String.join("; ", trackerKernelCallers.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                        .map(e -> String.format(l, "%s %.2f", e.getKey(), us(e.getValue(), w.delivered))).toList()));
                b.append('\n');
            }
            if (!trackerKernelOther.isEmpty()) {
                b.append("\n'kernel: other' of the tracker threads by kernel entry: ");
                b.append(String.join(", ", trackerKernelOther.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                        .map(e -> String.format(l, "%s %,d", e.getKey(), e.getValue())).toList()));
                b.append('\n');
            }

            b.append(String.format(l, "%n### Request threads by category of frame (attributed), µs CPU per served request%n%n"));
            b.append("The shop's page (the servlet, inside the filter's chain.doFilter) is not the filter's: a sample under"
                    + " it counts as 'other' and not as under a frame of ours.\n\n");
            b.append("| category | samples | share of request threads | µs per served request | of which under a frame of ours"
                    + " (the filter and what it calls), µs per served request |\n|---|---|---|---|---|\n");
            long req = byGroup.get(Group.REQUEST);
            for (Category c : Category.values()) {
                long n = attributed.get(Group.REQUEST).get(c);
                b.append(String.format(l, "| %s | %,d | %s | %.2f | %.2f |%n", c.title, n, pct(n, req), us(n, w.served),
                        us(requestOursByCategory.get(c), w.served)));
            }

            b.append(String.format(l, "%n### Top 25 self frames of the tracker threads%n%n"));
            b.append("| samples | share of tracker | µs per delivered page view | frame |\n|---|---|---|---|\n");
            final long trackerTotal = tracker;
            trackerSelfFrames.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(25)
                    .forEach(e -> b.append(String.format(l, "| %,d | %s | %.2f | `%s` |%n", e.getValue(),
                            pct(e.getValue(), trackerTotal), us(e.getValue(), w.delivered), e.getKey())));

            b.append(String.format(l, "%n### Threads seen (name with trailing digits as N), by group%n%n"));
            threadNames.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<String, Long> e) -> Group.valueOf(e.getKey().split(" ", 2)[0]))
                            .thenComparing(Map.Entry.<String, Long>comparingByValue().reversed()))
                    .forEach(e -> {
                        String[] gn = e.getKey().split(" ", 2);
                        b.append(String.format(l, "- %s: `%s` %,d samples%n", Group.valueOf(gn[0]).title,
                                gn[1].isEmpty() ? "(unnamed)" : gn[1], e.getValue()));
                    });
            return b.toString();
        }
    }
}
