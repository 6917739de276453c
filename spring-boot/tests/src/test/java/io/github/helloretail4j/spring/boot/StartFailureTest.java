package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.StandInCollector;
import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.context.WebApplicationContext;

/**
 * Wrong configuration fails the start, and Boot's report (what a developer reads in the
 * console) names the property and the value; switched off, the starter makes nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartFailureTest {

    private static StandInCollector collector;

    @TempDir
    Path outbox;

    @BeforeAll
    static void startCollector() {
        collector = StandInCollector.start().timeout(Await.DEFAULT);
    }

    @AfterAll
    static void stopCollector() {
        collector.close();
    }

    @Test
    void bootVersion_isTheGenerationThisModuleTests() {
        assertEquals(System.getProperty("helloretail4j.bootVersion"), SpringBootVersion.getVersion());
    }

    @Test
    void start_patternWithoutTheNamedGroup_failsWithOneSentenceNamingPropertyOriginAndValue(CapturedOutput output) {
        failsToStart("--helloretail.product-number-pattern=/p/([^/]+)");
        assertTrue(output.getOut().contains("APPLICATION FAILED TO START"), output.getOut());
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.product-number-pattern (\"helloretail.product-number-pattern\""
                + " from property source \"commandLineArgs\") must have a named group (?<productNumber>...), e.g."
                + " /products/(?<productNumber>[^/]+): \"/p/([^/]+)\"\n"), output.getOut());
        assertTrue(output.getOut().contains("Action:\n\nUpdate helloretail.product-number-pattern in the application's"
                + " configuration (application.properties or YAML, or the environment variable"
                + " HELLORETAIL_PRODUCT_NUMBER_PATTERN), or set helloretail.enabled=false"), output.getOut());
    }

    @Test
    void start_badValueInAPropertiesFile_failsNamingTheFileLineAndColumn(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> Shop.run(new Class<?>[] {ShopApplication.class}, "--server.port=0",
                "--spring.config.location=classpath:/bad-pattern.properties", "--helloretail.outbox-directory=" + outbox));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.product-number-pattern (class path resource"
                + " [bad-pattern.properties] - 3:36) must have a named group (?<productNumber>...), e.g."
                + " /products/(?<productNumber>[^/]+): \"/p/([^/]+)\"\n"), output.getOut());
    }

    @Test
    void start_endpointNotHttps_failsNamingTheProperty(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> Shop.run(new Class<?>[] {ShopApplication.class}, "--server.port=0",
                "--helloretail.website-uuid=" + StandInCollector.WEBSITE_UUID, "--helloretail.outbox-directory=" + outbox,
                "--helloretail.endpoint=http://collector.example/serve/"));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.endpoint (\"helloretail.endpoint\" from property"
                + " source \"commandLineArgs\") "), output.getOut());
        assertTrue(output.getOut().contains(": \"http://collector.example/serve/\"\n"), output.getOut());
    }

    @Test
    void start_senderThreadsNotANumber_failsNamingPropertyAndValue(CapturedOutput output) {
        failsToStart("--helloretail.sender-threads=many");
        // Boot's own report of a value it cannot convert
        assertTrue(output.getOut().contains("Property: helloretail.sender-threads"), output.getOut());
        assertTrue(output.getOut().contains("Value: \"many\""), output.getOut());
    }

    @Test
    void start_senderThreadsOutOfRange_failsNamingPropertyAndValue(CapturedOutput output) {
        failsToStart("--helloretail.sender-threads=0");
        assertTrue(output.getOut().contains("helloretail.sender-threads (\"helloretail.sender-threads\" from property source"
                + " \"commandLineArgs\") must be a whole number from 1 to 64: \"0\""), output.getOut());
    }

    @Test
    void start_maxRequestsInFlightOutOfRange_failsNamingPropertyAndValue(CapturedOutput output) {
        failsToStart("--helloretail.max-requests-in-flight=65");
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.max-requests-in-flight"
                + " (\"helloretail.max-requests-in-flight\" from property source \"commandLineArgs\") must be a whole"
                + " number from 1 to 64: \"65\"\n"), output.getOut());
        assertTrue(output.getOut().contains("Action:\n\nUpdate helloretail.max-requests-in-flight in the application's"
                + " configuration (application.properties or YAML, or the environment variable"
                + " HELLORETAIL_MAX_REQUESTS_IN_FLIGHT)"), output.getOut());
    }

    @Test
    void start_senderThreadsBesideMaxRequestsInFlight_failsNamingBoth(CapturedOutput output) {
        failsToStart("--helloretail.max-requests-in-flight=8", "--helloretail.sender-threads=4");
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.max-requests-in-flight"
                + " (\"helloretail.max-requests-in-flight\" from property source \"commandLineArgs\") \"8\" and"
                + " helloretail.sender-threads (\"helloretail.sender-threads\" from property source \"commandLineArgs\")"
                + " \"4\" are both set; helloretail.sender-threads is the deprecated name of"
                + " helloretail.max-requests-in-flight: keep helloretail.max-requests-in-flight alone\n"), output.getOut());
        assertTrue(output.getOut().contains("Action:\n\nUpdate helloretail.sender-threads in"), output.getOut());
    }

    @Test
    void start_senderThreads_startsWithOneWarnNamingTheNewName(CapturedOutput output) throws Exception {
        try (Shop shop = Shop.start(collector, outbox, "--helloretail.sender-threads=4")) {
            String warning = "helloretail.sender-threads (\"helloretail.sender-threads\" from property source"
                    + " \"commandLineArgs\") is deprecated: rename it helloretail.max-requests-in-flight, the same"
                    + " setting under a name that says what it is";
            assertEquals(1, output.getOut().lines().filter(l -> l.contains(warning)).count(), output.getOut());
            assertTrue(output.getOut().lines().anyMatch(l -> l.contains(warning) && l.contains("WARN")), output.getOut());
            assertEquals(200, shop.get("/").statusCode());
        }
    }

    @Test
    void start_misspelledKey_failsNamingTheKeyAndValue(CapturedOutput output) {
        failsToStart("--helloretail.product-number-patern=/p/(?<productNumber>[^/]+)");
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.product-number-patern (\"helloretail.product-number-patern\""
                + " from property source \"commandLineArgs\") is not a Hello Retail property: \"/p/(?<productNumber>[^/]+)\"\n"),
                output.getOut());
        assertTrue(output.getOut().contains("Action:\n\nDid you mean helloretail.product-number-pattern? Rename it."),
                output.getOut());
    }

    @Test
    void start_noWebsiteUuid_failsNamingTheProperty(CapturedOutput output) {
        Throwable failure = assertThrows(Throwable.class, () -> Shop.run(new Class<?>[] {ShopApplication.class},
                "--server.port=0", "--spring.main.banner-mode=off", "--helloretail.outbox-directory=" + outbox));
        assertEquals("helloretail.website-uuid is required (or set helloretail.enabled=false)",
                cause(failure).getMessage());
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.website-uuid is required"), output.getOut());
    }

    @Test
    void start_outboxDirectoryHeldByAnotherTracker_failsNamingTheProperty(CapturedOutput output) {
        try (HelloRetailTracker other = HelloRetailTracker.builder().websiteUuid(StandInCollector.WEBSITE_UUID)
                .endpoint(collector.endpoint()).outboxDirectory(outbox).build()) {
            failsToStart();
            assertTrue(output.getOut().contains("Description:\n\nhelloretail.outbox-directory (\"helloretail.outbox-directory\""
                    + " from property source \"commandLineArgs\") \"" + outbox + "\" cannot be used: outboxDirectory "
                    + outbox + " is in use by another Hello Retail tracker"), output.getOut());
        }
    }

    @Test
    void start_disabled_createsNothingAndTracksNothing() throws Exception {
        collector.reset();
        // Switched off, the starter binds nothing either: no website UUID needed, a bad value ignored.
        ConfigurableApplicationContext context = Shop.run(new Class<?>[] {PagesApplication.class},
                "--server.port=0", "--spring.main.banner-mode=off", "--helloretail.enabled=false",
                "--helloretail.endpoint=" + collector.endpoint());
        try {
            for (String type : List.of("io.github.helloretail4j.HelloRetailTracker",
                    "io.github.helloretail4j.spring.boot.HelloRetailProperties",
                    "org.springframework.boot.web.servlet.FilterRegistrationBean",
                    "io.micrometer.core.instrument.binder.MeterBinder")) {
                List<String> ours = List.of(context.getBeanNamesForType(Class.forName(type))).stream()
                        .filter(n -> n.toLowerCase().contains("helloretail")).toList();
                assertEquals(List.of(), ours, type);
            }
            assertEquals(List.of(), List.of(context.getBeanNamesForType(HelloRetailTracker.class)));
            ServletContext servletContext = ((WebApplicationContext) context).getServletContext();
            assertThrows(IllegalStateException.class, () -> HelloRetailWeb.tracker(servletContext));

            Shop shop = Shop.of(context);
            assertEquals(200, shop.get("/").statusCode());
            Thread.sleep(300);
            assertEquals(List.of(), collector.requests());
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("helloretail4j")));
        } finally {
            context.close();
        }
    }

    private void failsToStart(String... args) {
        Throwable failure = assertThrows(Throwable.class,
                () -> Shop.run(new Class<?>[] {ShopApplication.class}, Shop.args(collector, outbox, args)));
        assertTrue(failure instanceof RuntimeException, failure.toString());
        // a failed start leaves no thread of ours behind either
        Shop.assertNoThreadOfOurs();
    }

    private static Throwable cause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && !(t instanceof HelloRetailConfigurationException)) {
            t = t.getCause();
        }
        return t;
    }
}
