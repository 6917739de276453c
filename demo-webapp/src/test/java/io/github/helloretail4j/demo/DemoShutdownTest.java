package io.github.helloretail4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl+C on the demo: its shutdown hook stops Jetty, the web application closes its tracker, and
 * the console stays quiet.
 */
class DemoShutdownTest {

    /** A visitor id as Hello Retail hands them out: 24 lowercase hex characters. */
    private static final String ID = "62a0317d17698aa57d369db9";

    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/156.0.0.0 Safari/537.36";
    /** A slf4j-simple line at WARN or ERROR: {@code 12:00:00.000 [thread] WARN name - message}. */
    private static final Pattern WARN_OR_ERROR = Pattern.compile("^\\S+ \\[[^]]*] (WARN|ERROR) .*");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void sigterm_afterDeliveringAPageViewAndFetchingAnId_printsNoWarningErrorOrStackTrace() throws Exception {
        Path stderr = temp.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                DemoServer.class.getName());
        pb.environment().keySet().removeIf(k -> k.startsWith("HELLORETAIL_") || k.equals(DemoServer.PORT_ENV));
        pb.environment().put(DemoServer.PORT_ENV, "0");
        pb.redirectError(stderr.toFile());
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
        }, "demo-shutdown-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String endpointLine = Await.until("the demo to print its address and endpoint", Duration.ofSeconds(60),
                    () -> out.stream().filter(l -> l.contains("Hello Retail endpoint:")).findFirst().orElse(null),
                    l -> l != null || !process.isAlive());
            if (endpointLine == null) {
                fail("the demo exited with " + process.exitValue() + ": " + Files.readString(stderr));
            }
            String shopLine = out.stream().filter(l -> l.contains("Shop:")).findFirst().orElseThrow();
            URI base = URI.create(shopLine.substring(shopLine.indexOf("http")).strip());

            // a returning visitor's page view, and a new visitor, for whom the filter fetches an id:
            // both of the tracker's HTTP clients have a connection open when the demo stops
            URI page = base.resolve("category/bags");
            assertEquals(200, get(page, Map.of("User-Agent", BROWSER, "Sec-Fetch-Dest", "document",
                    "Cookie", HelloRetailWeb.COOKIE_NAME + "=" + ID)).statusCode());
            assertEquals(200, get(base, Map.of("User-Agent", BROWSER, "Sec-Fetch-Dest", "document")).statusCode());
            Await.until("the page view and the id request at the demo's stand-in",
                    () -> received(base), r -> r.stream().anyMatch(n -> n.path("path").asText().endsWith("trackingUser")
                            && n.path("status").asInt() == 200)
                            && r.stream().anyMatch(n -> n.path("path").asText().endsWith("collect/pageview")
                            && n.path("status").asInt() == 200 && page.toString().equals(n.path("body").path("location").asText())));

            process.destroy(); // SIGTERM, as Ctrl+C: the shutdown hook stops Jetty
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the demo did not stop on SIGTERM within 20 s");
            }
            assertEquals(143, process.exitValue());
            reader.join(5_000);
            List<String> problems = Stream.concat(out.stream(), Files.readAllLines(stderr).stream())
                    .filter(l -> WARN_OR_ERROR.matcher(l).matches() || l.startsWith("\tat ") || l.startsWith("Caused by:"))
                    .toList();
            assertEquals(List.of(), problems);
        } finally {
            process.destroyForcibly();
        }
    }

    /** What the demo's stand-in received so far, from its events.json. */
    private static List<JsonNode> received(URI base) throws Exception {
        JsonNode root = JSON.readTree(get(base.resolve("collector/events.json"), Map.of()).body());
        List<JsonNode> received = new java.util.ArrayList<>();
        root.path("received").forEach(received::add);
        return received;
    }

    private static HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
