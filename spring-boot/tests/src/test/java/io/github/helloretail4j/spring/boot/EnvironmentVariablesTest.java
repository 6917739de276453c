package io.github.helloretail4j.spring.boot;

import static io.github.helloretail4j.spring.boot.Shop.PAGEVIEW;
import static io.github.helloretail4j.spring.boot.Shop.pageView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.StandInCollector;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Environment variables configure the starter as Boot binds them (HELLORETAIL_WEBSITE_UUID is
 * helloretail.website-uuid): a real process environment, so a JVM of its own.
 */
class EnvironmentVariablesTest {

    @TempDir
    Path outbox;

    @Test
    void environmentVariables_upperSnakeCase_configureTrackerAndFilter() throws Exception {
        try (StandInCollector collector = StandInCollector.start().timeout(Await.DEFAULT)) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), EnvironmentChild.class.getName())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("HELLORETAIL"));
            env.put("HELLORETAIL_WEBSITE_UUID", StandInCollector.WEBSITE_UUID);
            env.put("HELLORETAIL_ENDPOINT", collector.endpoint().toString());
            env.put("HELLORETAIL_OUTBOX_DIRECTORY", outbox.toString());
            env.put("HELLORETAIL_PRODUCT_NUMBER_PATTERN", "^/products/(?<productNumber>[^/]+)$");
            env.put("HELLORETAIL_EXCLUDE_PATHS", "/admin/**");
            Process child = builder.start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                 Writer in = child.outputWriter(StandardCharsets.UTF_8)) {
                String started = line(out, "STARTED ");
                Matcher m = Pattern.compile("STARTED port=(\\d+) websiteUuid=(\\S+) endpoint=(\\S+)").matcher(started);
                assertTrue(m.matches(), started);
                assertEquals(StandInCollector.WEBSITE_UUID, m.group(2));
                assertEquals(collector.endpoint().toString(), m.group(3));

                String base = "http://localhost:" + m.group(1);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (String path : List.of("/admin/orders", "/products/sh-101")) {
                    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + path))
                            .header("User-Agent", Shop.BROWSER).header("Cookie", "hello_retail_id=" + Shop.ID).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, page.statusCode(), path);
                }
                collector.awaitCount(PAGEVIEW, 1);
                in.write("stop\n");
                in.flush();
                assertEquals("CLOSED threads=[]", line(out, "CLOSED "));
                // excluded by HELLORETAIL_EXCLUDE_PATHS; the product number found by HELLORETAIL_PRODUCT_NUMBER_PATTERN
                assertEquals(List.of(pageView(base + "/products/sh-101", null, "sh-101")),
                        collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
            } finally {
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
            assertEquals(0, child.exitValue());
        }
    }

    private static String line(BufferedReader out, String prefix) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
            assertTrue(System.nanoTime() < end, "no line starting with " + prefix);
        }
        throw new AssertionError("the child ended before printing " + prefix);
    }
}
