package io.github.helloretail4j.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the benchmark mains share: child JVMs, their JSON stats, free ports, small statistics. */
final class Harness {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Harness() {
    }

    static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET {@code url} and parse its JSON object. */
    static Map<String, Object> get(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(10000);
            try (InputStream in = c.getInputStream()) {
                return MAPPER.readValue(in, new TypeReference<Map<String, Object>>() { });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(url + ": " + e.getMessage(), e);
        }
    }

    static long num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code mainClass} of this jar in a new JVM with {@code jvmArgs}; its output goes to
     * {@code log}. The child is destroyed when this JVM exits.
     */
    static Process startJvm(Path log, List<String> jvmArgs, String mainClass, String... args) throws IOException {
        return startJvmFrom(log, jvmArgs, System.getProperty("java.class.path"), mainClass, args);
    }

    /** As {@link #startJvm(Path, List, String, String...)}, from {@code classPath} (another build's benchmarks jar). */
    static Process startJvmFrom(Path log, List<String> jvmArgs, String classPath, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return p;
    }

    /** Waits until {@code url} answers, or fails after 60 s. */
    static void awaitUp(String url, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("child JVM exited with " + p.exitValue() + " before " + url + " answered");
            }
            try {
                get(url);
                return;
            } catch (UncheckedIOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(url + " did not answer within 60 s");
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** "median [min–max]" with {@code format} for each number. */
    static String spread(List<Double> xs, String format) {
        return String.format(java.util.Locale.ROOT, format + " [" + format + "–" + format + "]",
                median(xs), min(xs), max(xs));
    }

    /** The machine, the JDK, the time, and whether another java/mvn process was running. */
    static String machine() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(Instant.now()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"));
        return b.toString();
    }

    /** Other java/mvn processes alive now (not this JVM and not its children), as "pid cmd" lines. */
    static List<String> otherJavaProcesses() {
        long self = ProcessHandle.current().pid();
        List<String> others = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() == self || p.parent().map(pp -> pp.pid() == self).orElse(false)) {
                return;
            }
            String cmd = p.info().commandLine().orElse("");
            String exe = p.info().command().orElse("");
            if (exe.endsWith("/java") || exe.endsWith("/mvn") || cmd.contains("plexus-classworlds")) {
                others.add(p.pid() + " " + (cmd.length() > 160 ? cmd.substring(0, 160) + "..." : cmd));
            }
        });
        return others;
    }

    /**
     * The other build's benchmarks jar of a side-by-side run: argument {@code beforeJar=<path>},
     * else the environment's {@code BEFORE_JAR}; null when neither is set. The jar is copied next
     * to this JVM's own jar (the scripts run from {@code target/run/}), so that a rebuild of the
     * other tree cannot change it midway and the scripts' watcher counts its JVMs as this run's.
     */
    /** A comma-separated list of integers, such as {@code rtts=10,50,100}. */
    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    }

    /** {@code variants=a,b}: the rig's variants to run, null for all of them. */
    static List<String> variants(Map<String, String> args) {
        String given = args.get("variants");
        return given == null || given.isBlank() ? null : List.of(given.split(","));
    }

    static Path beforeJar(Map<String, String> args) throws IOException {
        String given = args.getOrDefault("beforeJar", System.getenv("BEFORE_JAR"));
        if (given == null || given.isBlank()) {
            return null;
        }
        Path jar = Path.of(given).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("beforeJar: no such file " + jar);
        }
        Path own = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]).toAbsolutePath();
        Path dir = Files.isRegularFile(own) ? own.getParent() : Path.of("target");
        Files.createDirectories(dir);
        Path copy = dir.resolve("before-" + ProcessHandle.current().pid() + "-" + jar.getFileName());
        Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        copy.toFile().deleteOnExit();
        BEFORE_ORIGIN.put(copy, jar);
        return copy;
    }

    private static final Map<Path, Path> BEFORE_ORIGIN = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One comment line naming the two builds of a side-by-side run: {@code helloretail} is the
     * jar this JVM runs, {@code before} the other one (null: no side-by-side).
     */
    static String builds(Path beforeJar) {
        Path own = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]).toAbsolutePath();
        String line = "# builds: helloretail = " + describe(own);
        if (beforeJar != null) {
            line += "; before = " + describe(BEFORE_ORIGIN.getOrDefault(beforeJar, beforeJar))
                    + " (variant 'before': ShopApp helloretail from that jar)";
        }
        return line;
    }

    /** A jar's path, the first 16 hex digits of its SHA-256 and, where it can tell, the commit it was built from. */
    static String describe(Path jar) {
        String sha;
        try (InputStream in = Files.newInputStream(jar)) {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            sha = java.util.HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            sha = "?";
        }
        String commit = null;
        Path marker = Path.of(jar + ".commit");   // written by bench-common.sh next to its copy
        try {
            if (Files.isRegularFile(marker)) {
                commit = Files.readString(marker).strip();
            } else {
                Process git = new ProcessBuilder("git", "-C", jar.getParent().toString(), "log", "-1", "--format=%h")
                        .redirectErrorStream(true).start();
                String out = new String(git.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                if (git.waitFor() == 0 && !out.isEmpty()) {
                    commit = "its worktree at " + out;
                }
            }
        } catch (IOException e) {
            // no git: no commit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return jar + " (sha256 " + sha + (commit == null ? "" : ", " + commit) + ")";
    }

    /** The mains' {@code name=value} arguments. */
    static Map<String, String> args(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are name=value: " + s);
            }
            m.put(s.substring(0, eq), s.substring(eq + 1));
        }
        return m;
    }
}
