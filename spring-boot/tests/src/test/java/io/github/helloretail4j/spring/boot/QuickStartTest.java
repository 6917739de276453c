package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.helloretail4j.testkit.StandInCollector;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's Spring Boot quick start, as written: its checkout service compiles against this
 * Boot generation and the starter, and its application.properties start an application whose
 * product page reaches the collector with its product number.
 */
class QuickStartTest {

    private static final String HEADING = "## Quick start: Spring Boot";

    @TempDir
    Path temp;

    /** The README's code block of this language in the Spring Boot quick start. */
    private static String readmeBlock(String language) throws IOException {
        Path readme = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && readme == null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
                readme = dir.resolve("README.md");
            }
        }
        assertNotNull(readme, "no README.md above " + Path.of("").toAbsolutePath());
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int start = text.indexOf("\n" + HEADING + "\n");
        assertTrue(start >= 0, "README: no " + HEADING);
        int end = text.indexOf("\n## ", start + 1);
        Matcher block = Pattern.compile("(?ms)^```" + Pattern.quote(language) + "\\n(.*?)^```$")
                .matcher(text.substring(start, end < 0 ? text.length() : end));
        assertTrue(block.find(), "README, " + HEADING + ": no " + language + " block");
        return block.group(1);
    }

    @Test
    void readme_checkoutService_compilesAgainstTheStarterAndBoot() throws IOException {
        String source = readmeBlock("java");
        Matcher name = Pattern.compile("public\\s+class\\s+(\\w+)").matcher(source);
        assertTrue(name.find(), source);
        Path src = Files.createDirectories(temp.resolve("src")).resolve(name.group(1) + ".java");
        Files.writeString(src, source);
        Path out = Files.createDirectories(temp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: run the tests on a JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        // Surefire may start the JVM with a manifest-only jar; it names the real class path here.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-classpath", classPath, "-d", out.toString(), "--release", "17", "-proc:none"),
                    null, files.getJavaFileObjects(src)).call();
            String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
            assertEquals("", errors);
            assertTrue(ok);
        }
        assertTrue(Files.isRegularFile(out.resolve(name.group(1) + ".class")));
    }

    @Test
    void readme_applicationProperties_startTheFilterThatFindsTheProductNumber() throws Exception {
        Properties readme = new Properties();
        readme.load(new StringReader(readmeBlock("properties")));
        assertEquals(StandInCollector.WEBSITE_UUID, readme.getProperty("helloretail.website-uuid"));
        // as written, but where conversions wait and where Hello Retail is (its address is the default)
        assertNotNull(readme.getProperty("helloretail.outbox-directory"));
        readme.setProperty("helloretail.outbox-directory", temp.resolve("outbox").toString());
        try (StandInCollector collector = StandInCollector.start()) {
            readme.setProperty("helloretail.endpoint", collector.endpoint().toString());
            List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off"));
            readme.stringPropertyNames().forEach(k -> args.add("--" + k + "=" + readme.getProperty(k)));
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(PagesApplication.class)
                    .run(args.toArray(String[]::new))) {
                String port = context.getEnvironment().getProperty("local.server.port");
                HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/products/sh-101"))
                        .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                        .header("Cookie", "hello_retail_id=62a0317d17698aa57d369db9").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode());
                JsonNode view = collector.awaitPageView("http://127.0.0.1:" + port + "/products/sh-101").json();
                assertEquals("sh-101", view.path("productNumber").asText(), view.toString());
                assertEquals("62a0317d17698aa57d369db9", view.path("trackingUserId").asText(), view.toString());
            }
        }
    }
}
