package io.github.helloretail4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.helloretail4j.demo.collector.CollectorLog;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's own default endpoint (a context-param set by DemoServer) must not fight the
 * library's precedence: the environment variables and system properties a user sets win.
 */
class ConfigurationOverrideTest {

    /** A visitor id as Hello Retail hands them out: 24 lowercase hex characters. */
    private static final String ID = "62a0317d17698aa57d369db9";

    /** A website UUID the stand-in does not know: it answers 400 "Website not found". */
    private static final String OTHER_WEBSITE = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/156.0.0.0 Safari/537.36";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static DemoServer collectorDemo;

    @BeforeAll
    static void start() throws Exception {
        collectorDemo = DemoServer.start(0);
    }

    @AfterAll
    static void stop() {
        collectorDemo.close();
    }

    @Test
    void systemProperty_endpoint_winsOverTheDemoDefault() throws Exception {
        String endpoint = "http://127.0.0.1:9/serve/";
        System.setProperty("helloretail.endpoint", endpoint);
        try (DemoServer demo = DemoServer.start(0)) {
            assertEquals(URI.create(endpoint), demo.tracker().endpoint());
            String page = get(demo.baseUri().resolve("collector"), Map.of()).body();
            assertTrue(page.contains("not to this demo's stand-in"), page);
            assertTrue(page.contains("from the system property helloretail.endpoint"), page);
        } finally {
            System.clearProperty("helloretail.endpoint");
        }
    }

    /** The order feed's password is a context-param too: outside the WAR, another one replaces it. */
    @Test
    void systemProperty_orderFeedPassword_replacesTheDemoPassword() throws Exception {
        System.setProperty("helloretail.orderFeedPassword", "another-feed-password");
        try (DemoServer demo = DemoServer.start(0)) {
            URI feed = demo.baseUri().resolve("helloretail/orderfeed");
            assertEquals(401, get(feed, Map.of("Authorization", basic("helloretail:demo-feed-password"))).statusCode());
            var served = get(feed, Map.of("Authorization", basic("helloretail:another-feed-password")));
            assertEquals(200, served.statusCode());
            assertEquals("[]", served.body());
        } finally {
            System.clearProperty("helloretail.orderFeedPassword");
        }
    }

    private static String basic(String credentials) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * A second demo, as its own process with HELLORETAIL_ENDPOINT and HELLORETAIL_WEBSITE_UUID
     * set, sends its page views to the first demo's stand-in, with the other website UUID.
     */
    @Test
    void environmentVariables_sendTheEventsElsewhere() throws Exception {
        Path log = Files.createTempFile("demo-env-", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                DemoServer.class.getName());
        pb.environment().keySet().removeIf(k -> k.startsWith("HELLORETAIL_") || k.equals(DemoServer.PORT_ENV));
        pb.environment().put(DemoServer.PORT_ENV, "0");
        pb.environment().put("HELLORETAIL_ENDPOINT", collectorDemo.standInEndpoint().toString());
        pb.environment().put("HELLORETAIL_WEBSITE_UUID", OTHER_WEBSITE);
        pb.redirectError(log.toFile());
        Process process = pb.start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "demo-env-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            // The endpoint line comes after the address: wait for both, not for the first alone.
            String endpointLine = Await.until("the second demo to print its address and endpoint (stderr in " + log + ")",
                    Duration.ofSeconds(60), () -> out.stream().filter(l -> l.contains("Hello Retail endpoint:")).findFirst()
                            .orElse(null),
                    l -> l != null || !process.isAlive());
            if (endpointLine == null) {
                fail("the second demo exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            String shopLine = out.stream().filter(l -> l.contains("Shop:")).findFirst().orElseThrow();
            URI base = URI.create(shopLine.substring(shopLine.indexOf("http")).strip());
            assertTrue(endpointLine.contains(collectorDemo.standInEndpoint().toString()), endpointLine);
            assertFalse(endpointLine.contains("(the demo's stand-in)"), endpointLine);

            String page = get(base.resolve("collector"), Map.of()).body();
            assertTrue(page.contains("from the environment variable HELLORETAIL_ENDPOINT"), page);
            assertTrue(page.contains("from the environment variable HELLORETAIL_WEBSITE_UUID"), page);

            // A visitor's page on the second demo arrives at the first demo's stand-in.
            String id = ID;
            assertEquals(200, get(base.resolve("category/bags"), Map.of("User-Agent", BROWSER,
                    "Cookie", HelloRetailWeb.COOKIE_NAME + "=" + id, "Sec-Fetch-Dest", "document")).statusCode());
            CollectorLog.Received view = Await.until("the page view at the first demo's stand-in",
                    () -> CollectorLog.of(collectorDemo.servletContext()).of(CollectorLog.Kind.PAGE_VIEW).stream()
                            .filter(r -> base.resolve("category/bags").toString().equals(r.text("location")))
                            .findFirst().orElse(null),
                    r -> r != null);
            assertEquals(OTHER_WEBSITE, view.text("websiteUuid"));
            assertEquals(id, view.text("trackingUserId"));
            assertEquals(400, view.status());
            assertEquals("Website not found", view.message());
        } finally {
            process.destroy();   // SIGTERM: the demo's shutdown hook stops Jetty
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the second demo did not stop on SIGTERM within 20 s");
            }
            Files.deleteIfExists(log);
        }
    }

    private static HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
