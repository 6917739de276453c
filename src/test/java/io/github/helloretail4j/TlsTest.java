package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.CONVERSION;
import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;
import static io.github.helloretail4j.testing.Fixtures.conversion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.LogCapture;
import io.github.helloretail4j.testing.TestCollector;
import java.io.File;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https collector on loopback with a self-signed certificate: refused by default, accepted
 * only with an explicitly configured trust store, and never for another host name.
 */
class TlsTest {

    private static final String PASSWORD = "changeit";
    @TempDir
    static Path keys;
    @TempDir
    Path outbox;

    /** keytool from the running JDK: a key pair for 127.0.0.1, and a trust store with its certificate. */
    @BeforeAll
    static void makeCertificates() throws Exception {
        keytool("-genkeypair", "-alias", "collector", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keys.resolve("right.p12").toString(), "-storepass", PASSWORD);
        keytool("-genkeypair", "-alias", "collector", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=other.example", "-ext", "SAN=dns:other.example", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keys.resolve("wrong-host.p12").toString(), "-storepass", PASSWORD);
        for (String name : List.of("right", "wrong-host")) {
            keytool("-exportcert", "-alias", "collector", "-keystore", keys.resolve(name + ".p12").toString(),
                    "-storepass", PASSWORD, "-rfc", "-file", keys.resolve(name + ".crt").toString());
            keytool("-importcert", "-noprompt", "-alias", name, "-file", keys.resolve(name + ".crt").toString(),
                    "-keystore", keys.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    }

    private static KeyStore trustStore() throws Exception {
        return KeyStore.getInstance(new File(keys.resolve("trust.p12").toString()), PASSWORD.toCharArray());
    }

    private HelloRetailTracker.Builder config(TestCollector collector) {
        return HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID).endpoint(collector.endpoint()).name("tls")
                .outboxDirectory(outbox).maxAttempts(3)
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100))
                .closeTimeout(Duration.ofMillis(500));
    }

    /** Waits until the tracker's metrics satisfy {@code done}; a failure shows the last metrics. */
    private static void await(HelloRetailTracker t, String what, Predicate<TrackerMetrics> done) {
        Await.until(what, t::metrics, done);
    }

    @Test
    void selfSignedCollector_isRefusedByDefault_loggedOnce_andTheConversionIsKept() throws Exception {
        try (TestCollector collector = TestCollector.startTls(keys.resolve("right.p12"), PASSWORD);
             LogCapture log = new LogCapture()) {
            try (HelloRetailTracker tracker = config(collector).build()) {
                tracker.trackConversion(conversion("tls-1"));
                for (int i = 0; i < 3; i++) {
                    tracker.trackPageView(PageView.builder().location("https://shop.example/" + i).build());
                }
                await(tracker, "3 page views failed and the conversion retried 3 times",
                        m -> m.pageViews().failed() == 3 && m.conversions().retries() >= 3);
                assertEquals(0, collector.requests().size(), "no request got through the handshake");
            }
            String text = log.text();
            long warnings = text.lines().filter(l -> l.contains("WARN") && l.contains("did not take")).count();
            assertEquals(1, warnings, text);
            assertTrue(text.contains("PKIX path building failed"), "the reason is logged: " + text);
            // with the trust store, the conversion kept in the outbox goes through
            try (HelloRetailTracker trusting = config(collector).trustStore(trustStore()).build()) {
                await(trusting, "the kept conversion delivered", m -> m.conversions().delivered() == 1);
            }
            assertEquals("tls-1", collector.accepted(CONVERSION).get(0).get("orderNumber").asText());
        }
    }

    @Test
    void trustedCertificateForAnotherHost_isRefused() throws Exception {
        try (TestCollector collector = TestCollector.startTls(keys.resolve("wrong-host.p12"), PASSWORD);
             LogCapture log = new LogCapture();
             HelloRetailTracker tracker = config(collector).trustStore(trustStore()).build()) {
            tracker.trackPageView(PageView.builder().location("https://shop.example/").build());
            await(tracker, "the page view failed", m -> m.pageViews().failed() == 1);
            assertEquals(0, collector.requests().size());
            assertTrue(log.text().contains("No subject alternative names matching IP address 127.0.0.1 found"), log.text());
        }
    }

    @Test
    void trustedCertificate_isAccepted() throws Exception {
        try (TestCollector collector = TestCollector.startTls(keys.resolve("right.p12"), PASSWORD);
             HelloRetailTracker tracker = config(collector).trustStore(trustStore()).build()) {
            tracker.trackPageView(PageView.builder().location("https://shop.example/").build());
            tracker.trackConversion(conversion("tls-2"));
            await(tracker, "the page view and the conversion delivered",
                    m -> m.pageViews().delivered() == 1 && m.conversions().delivered() == 1);
        }
    }

    @Test
    void collectorOfferingHttp2_getsEveryRequestOverHttp2_manyInFlightOnOneConnection() throws Exception {
        try (TestCollector collector = TestCollector.startTlsWithHttp2(keys.resolve("right.p12"), PASSWORD);
             HelloRetailTracker tracker = config(collector).trustStore(trustStore()).maxRequestsInFlight(6).build()) {
            collector.latency(Duration.ofMillis(50));
            for (int i = 0; i < 200; i++) {
                tracker.trackPageView(PageView.builder().location("https://shop.example/" + i).build());
            }
            int[] most = {0};
            Await.until("200 page views delivered", () -> {
                most[0] = Math.max(most[0], collector.openConnections());
                return tracker.metrics();
            }, m -> m.pageViews().delivered() >= 200);
            int mostConnections = most[0];
            tracker.trackConversion(conversion("h2-1")); // conversions take the same connection
            await(tracker, "the conversion delivered", m -> m.conversions().delivered() == 1);
            List<TestCollector.Received> received = collector.requests();
            assertEquals(List.of("HTTP/2.0"), received.stream().map(TestCollector.Received::protocol).distinct().toList());
            assertEquals(6, received.stream().filter(r -> r.path().endsWith("pageview"))
                    .mapToInt(TestCollector.Received::inFlight).max().orElseThrow(), "6 streams in flight at once");
            // the first request alone sets up the connection; the rest share it as streams
            assertEquals(1, mostConnections, "connections");
        }
    }

    @Test
    void collectorOfferingOnlyHttp1_getsHttp1() throws Exception {
        try (TestCollector collector = TestCollector.startTls(keys.resolve("right.p12"), PASSWORD);
             HelloRetailTracker tracker = config(collector).trustStore(trustStore()).build()) {
            tracker.trackPageView(PageView.builder().location("https://shop.example/").build());
            await(tracker, "the page view delivered", m -> m.pageViews().delivered() == 1);
            assertEquals("HTTP/1.1", collector.requests().get(0).protocol());
        }
    }

    @Test
    void plainHttpCollector_getsHttp1_neverAnUpgradeAttempt() {
        try (TestCollector collector = TestCollector.start();
             HelloRetailTracker tracker = config(collector).build()) {
            tracker.trackPageView(PageView.builder().location("https://shop.example/").build());
            await(tracker, "the page view delivered", m -> m.pageViews().delivered() == 1);
            TestCollector.Received r = collector.requests().get(0);
            assertEquals("HTTP/1.1", r.protocol());
            assertTrue(r.headerNames().stream().noneMatch(h -> h.equalsIgnoreCase("Upgrade")
                    || h.equalsIgnoreCase("HTTP2-Settings")), r.headerNames().toString());
        }
    }
}
