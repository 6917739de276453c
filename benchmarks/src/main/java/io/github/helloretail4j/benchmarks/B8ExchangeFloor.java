package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.HelloRetailTracker;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * B8 the floor under a page view's delivery: CPU per exchange (one page view POSTed, its answer
 * read) on this machine, for the tracker beside ways of sending that no HTTP library can beat,
 * at a steady rate to the loopback sink (a JVM of its own). Every variant sends the same body
 * to the same path on a keep-alive connection:
 *
 * <ul>
 *   <li>{@code tracker}: this build's {@link HelloRetailTracker}, page views offered at the
 *       rate; the CPU of all its threads;</li>
 *   <li>{@code tracker-https-h1} and {@code tracker-https-h2}: the same over https, to a sink
 *       listener that speaks HTTP/1.1 only, and to one that offers h2 through ALPN (the share of
 *       requests that came over HTTP/2 is reported);</li>
 *   <li>{@code classic}: httpclient5's classic client on one thread, one blocking exchange per
 *       page view as it comes (what the blocking senders did before the asynchronous client
 *       carried the delivery);</li>
 *   <li>{@code raw}: no library: one thread writes the request's bytes to a socket and reads
 *       the answer, one blocking exchange per page view as it comes;</li>
 *   <li>{@code raw-batched}: no library, and every page view of a 20 ms window written in one
 *       system call, their answers read as they come: HTTP/1.1 pipelining at its best, which a
 *       tracker cannot ask a collector whether it supports.</li>
 * </ul>
 *
 * The variants are alternated, several rounds; each first warms up at the highest rate.
 * Medians and spread reported. The point is the floor: what one exchange per page view costs
 * the sending side's threads here, the kernel's work for a loopback write and read and the
 * thread's wake-ups included, with nothing else.
 *
 * <p>Usage: {@code B8ExchangeFloor [rates=500,2000] [rounds=3] [seconds=10] [warmup=15] [logDir=target/b8]}
 */
public final class B8ExchangeFloor {
    static final List<String> VARIANTS = List.of("tracker", "tracker-https-h1", "tracker-https-h2", "classic", "raw",
            "raw-batched");
    private static final String PASSWORD = "benchmark";
    private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Harness.args(args);
        List<Integer> rates = Arrays.stream(Harness.ints(a.getOrDefault("rates", "500,2000"))).boxed().toList();
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "15"));
        Path logDir = Path.of(a.getOrDefault("logDir", "target/b8"));
        Files.createDirectories(logDir);

        System.out.println(Harness.machine());
        System.out.println("# other java/mvn processes at start: " + Harness.otherJavaProcesses());
        int sinkPort = Harness.freePort();
        int http11Port = Harness.freePort();
        int http2Port = Harness.freePort();
        Path keys = Files.createTempDirectory(logDir.toAbsolutePath(), "keys-");
        KeyStore trust = certificates(keys);
        Process sink = Harness.startJvm(logDir.resolve("sink.log"), List.of("-Xmx1g"), Sink.class.getName(),
                String.valueOf(sinkPort), keys.resolve("sink.p12").toString(), PASSWORD, String.valueOf(http11Port),
                String.valueOf(http2Port));
        String stats = "http://127.0.0.1:" + sinkPort + "/_stats";
        Harness.awaitUp(stats, sink);
        Map<String, URI> endpoints = Map.of(
                "http", URI.create("http://127.0.0.1:" + sinkPort + "/serve/"),
                "https-h1", URI.create("https://127.0.0.1:" + http11Port + "/serve/"),
                "https-h2", URI.create("https://127.0.0.1:" + http2Port + "/serve/"));
        byte[] body = B3Delivery.body();
        System.out.printf(Locale.ROOT, "# rates %s page views/s; %d rounds of %d s per variant and rate; warm-up %d s at"
                + " %d/s per variant; body %d bytes%n", rates, rounds, seconds, warmup, Collections.max(rates), body.length);
        Map<String, Map<Integer, List<Double>>> results = new LinkedHashMap<>();
        Map<String, List<Double>> overHttp2 = new LinkedHashMap<>();
        try {
            for (String v : VARIANTS) {
                run(v, endpoints, trust, body, Collections.max(rates), warmup);
                results.put(v, new LinkedHashMap<>());
            }
            System.out.println("variant,rate,round,exchanges,cpu_us_per_exchange,share_over_http2");
            for (int round = 1; round <= rounds; round++) {
                for (int rate : rates) {
                    List<String> order = new ArrayList<>(VARIANTS);
                    Collections.rotate(order, round);
                    for (String v : order) {
                        long h0 = Harness.num(Harness.get(stats), "http2");
                        double[] r = run(v, endpoints, trust, body, rate, seconds);
                        long h1 = Harness.num(Harness.get(stats), "http2");
                        System.out.printf(Locale.ROOT, "%s,%d,%d,%.0f,%.2f,%.2f%n", v, rate, round, r[0], r[1],
                                (h1 - h0) / r[0]);
                        results.get(v).computeIfAbsent(rate, k -> new ArrayList<>()).add(r[1]);
                        overHttp2.computeIfAbsent(v, k -> new ArrayList<>()).add(100.0 * (h1 - h0) / r[0]);
                    }
                }
            }
        } finally {
            sink.destroy();
        }
        System.out.println("# other java/mvn processes at end: " + Harness.otherJavaProcesses());
        System.out.println();
        System.out.println("## Summary: CPU µs per exchange of the sending threads, median [min–max] over rounds");
        System.out.println();
        StringBuilder head = new StringBuilder("| variant | requests over HTTP/2 |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int rate : rates) {
            head.append(" ").append(rate).append(" page views/s |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        results.forEach((v, byRate) -> {
            StringBuilder row = new StringBuilder("| ").append(v).append(" | ")
                    .append(Harness.spread(overHttp2.get(v), "%.0f %%")).append(" |");
            for (int rate : rates) {
                row.append(" ").append(Harness.spread(byRate.get(rate), "%.1f")).append(" |");
            }
            System.out.println(row);
        });
    }

    /** One measurement: {exchanges, CPU µs per exchange}. */
    static double[] run(String variant, Map<String, URI> endpoints, KeyStore trust, byte[] body, int rate, int seconds)
            throws Exception {
        URI endpoint = endpoints.get("http");
        return switch (variant) {
            case "tracker" -> tracker(endpoint, null, rate, seconds);
            case "tracker-https-h1" -> tracker(endpoints.get("https-h1"), trust, rate, seconds);
            case "tracker-https-h2" -> tracker(endpoints.get("https-h2"), trust, rate, seconds);
            case "classic" -> classic(endpoint, body, rate, seconds);
            case "raw" -> raw(endpoint, body, rate, seconds, false);
            case "raw-batched" -> raw(endpoint, body, rate, seconds, true);
            default -> throw new IllegalArgumentException(variant);
        };
    }

    private static double[] tracker(URI endpoint, KeyStore trust, int rate, int seconds) throws Exception {
        Path outbox = Files.createTempDirectory("b8-outbox-");
        String name = "b8-" + System.nanoTime();
        HelloRetailTracker.Builder builder = HelloRetailTracker.builder()
                .websiteUuid(ShopApp.WEBSITE_UUID)
                .endpoint(endpoint)
                .name(name)
                .outboxDirectory(outbox)
                .closeTimeout(Duration.ofSeconds(5));
        if (trust != null) {
            builder.trustStore(trust);
        }
        try (HelloRetailTracker tracker = builder.build()) {
            long d0 = tracker.metrics().pageViews().delivered();
            long c0 = cpuOfThreads(name + "-");
            Pacer pacer = new Pacer(rate);
            long offered = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                for (int i = pacer.awaitNext(); i > 0; i--) {
                    tracker.trackPageView(B3Delivery.VIEW);
                    offered++;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tracker.metrics().pageViews().delivered() - d0 < offered && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long n = tracker.metrics().pageViews().delivered() - d0;
            if (n < offered) {
                throw new IllegalStateException("tracker delivered " + n + " of " + offered);
            }
            return new double[] {n, (cpuOfThreads(name + "-") - c0) / 1e3 / n};
        }
    }

    private static double[] classic(URI endpoint, byte[] body, int rate, int seconds) throws Exception {
        URI target = endpoint.resolve("collect/pageview");
        try (CloseableHttpClient http = HttpClients.custom().setUserAgent("helloretail4j/dev")
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement().build()) {
            long c0 = currentThreadCpu();
            Pacer pacer = new Pacer(rate);
            long n = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                for (int i = pacer.awaitNext(); i > 0; i--) {
                    HttpPost post = new HttpPost(target);
                    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
                    http.execute(post, response -> {
                        if (response.getCode() != 200) {
                            throw new IOException("HTTP " + response.getCode());
                        }
                        return EntityUtils.toByteArray(response.getEntity());
                    });
                    n++;
                }
            }
            return new double[] {n, (currentThreadCpu() - c0) / 1e3 / n};
        }
    }

    private static double[] raw(URI endpoint, byte[] body, int rate, int seconds, boolean batched) throws IOException {
        byte[] request = ("POST " + endpoint.resolve("collect/pageview").getRawPath() + " HTTP/1.1\r\nHost: "
                + endpoint.getAuthority() + "\r\nUser-Agent: helloretail4j/dev\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] one = new byte[request.length + body.length];
        System.arraycopy(request, 0, one, 0, request.length);
        System.arraycopy(body, 0, one, request.length, body.length);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()))) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Answers answers = new Answers(ch);
            long c0 = currentThreadCpu();
            Pacer pacer = new Pacer(batched ? (int) (TimeUnit.SECONDS.toNanos(1) / WINDOW_NANOS) : rate);
            int perWindow = (int) Math.max(1, rate * WINDOW_NANOS / TimeUnit.SECONDS.toNanos(1));
            ByteBuffer out = ByteBuffer.allocate(one.length * perWindow);
            long n = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                for (int i = pacer.awaitNext(); i > 0; i--) {
                    int k = batched ? perWindow : 1;
                    out.clear();
                    for (int j = 0; j < k; j++) {
                        out.put(one);
                    }
                    out.flip();
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                    answers.read(k);
                    n += k;
                }
            }
            return new double[] {n, (currentThreadCpu() - c0) / 1e3 / n};
        }
    }

    /** Reads HTTP/1.1 answers with a {@code Content-Length} (the sink's), checking each is a 200. */
    private static final class Answers {
        private static final byte[] LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
        private final SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocate(1 << 16);

        Answers(SocketChannel ch) {
            this.ch = ch;
        }

        void read(int count) throws IOException {
            int done = 0;
            while (done < count) {
                int end;
                while (done < count && (end = firstComplete()) >= 0) {
                    in.flip();
                    in.position(end);
                    in.compact();
                    done++;
                }
                if (done < count && ch.read(in) < 0) {
                    throw new EOFException("the sink closed the connection");
                }
            }
        }

        /** The end of the first complete answer in the buffer, or -1. */
        private int firstComplete() throws IOException {
            byte[] b = in.array();
            int limit = in.position();
            if (limit < 12) {
                return -1;
            }
            if (b[9] != '2' || b[10] != '0' || b[11] != '0') {
                throw new IOException("not a 200: " + new String(b, 0, Math.min(limit, 60), StandardCharsets.ISO_8859_1));
            }
            int length = -1;
            for (int i = 0; i + 3 < limit; i++) {
                if (length < 0 && b[i] == 'C' && i + LENGTH.length < limit && matches(b, i, LENGTH)) {
                    length = 0;
                    for (int k = i + LENGTH.length; k < limit && b[k] >= '0' && b[k] <= '9'; k++) {
                        length = length * 10 + (b[k] - '0');
                    }
                }
                if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                    int end = i + 4 + Math.max(0, length);
                    return end <= limit ? end : -1;
                }
            }
            return -1;
        }

        private static boolean matches(byte[] b, int at, byte[] what) {
            for (int j = 0; j < what.length; j++) {
                if (b[at + j] != what[j]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Events at a steady rate: waits for the next one's time and says how many are due. */
    private static final class Pacer {
        private final long intervalNanos;
        private long next = System.nanoTime();

        Pacer(int perSecond) {
            this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        }

        int awaitNext() {
            long now;
            while ((now = System.nanoTime()) - next < 0) {
                LockSupport.parkNanos(next - now);
            }
            int due = (int) ((now - next) / intervalNanos) + 1;
            next += due * intervalNanos;
            return due;
        }
    }

    /** keytool from the running JDK: the sink's key pair for 127.0.0.1, and a trust store with its certificate. */
    private static KeyStore certificates(Path dir) throws Exception {
        keytool("-genkeypair", "-alias", "sink", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", dir.resolve("sink.p12").toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", "sink", "-keystore", dir.resolve("sink.p12").toString(), "-storepass", PASSWORD,
                "-rfc", "-file", dir.resolve("sink.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "sink", "-file", dir.resolve("sink.crt").toString(),
                "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        return KeyStore.getInstance(dir.resolve("trust.p12").toFile(), PASSWORD.toCharArray());
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    private static long currentThreadCpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long cpuOfThreads(String prefix) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                sum += mx.getThreadCpuTime(t.getId());
            }
        }
        return sum;
    }
}
