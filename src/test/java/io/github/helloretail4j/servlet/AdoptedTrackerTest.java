package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.internal.Setting;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seam for frameworks that read their own configuration and make the tracker themselves
 * (the Spring Boot starter): their settings checked as web.xml's are, reported under their
 * names; their tracker published as the application's and used, but not closed, by the filter.
 */
class AdoptedTrackerTest {

    private static final String UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";

    /** A web application in memory. */
    static final class App implements WebApp {
        final Map<String, Object> attributes = new HashMap<>();
        final Map<String, String> contextParams = new HashMap<>();

        @Override public String contextPath() { return ""; }
        @Override public Object attribute(String name) { return attributes.get(name); }
        @Override public void setAttribute(String name, Object value) { attributes.put(name, value); }
        @Override public void removeAttribute(String name) { attributes.remove(name); }
        @Override public File tempDirectory() { return null; }
        @Override public Map<String, String> initParameters() { return contextParams; }
    }

    private static Settings framework(Map<String, String> values) {
        return Settings.fromFramework(bySetting(values), p -> "spring:" + p, p -> "origin of " + p);
    }

    /** The values by the settings of those names. */
    static Map<Setting<?>, String> bySetting(Map<String, String> values) {
        Map<Setting<?>, String> bySetting = new HashMap<>();
        values.forEach((name, value) -> bySetting.put(Parameters.ALL.stream().filter(s -> s.name().equals(name))
                .findFirst().orElseThrow(), value));
        return bySetting;
    }

    @Test
    void fromFramework_badValue_isReportedUnderTheFrameworksNameAndOrigin() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> framework(Map.of(
                "helloretail.websiteUuid", UUID, "helloretail.productNumberPattern", "/p/([^/]+)")));
        assertEquals("spring:helloretail.productNumberPattern (origin of helloretail.productNumberPattern) must have a"
                + " named group (?<productNumber>...), e.g. /products/(?<productNumber>[^/]+): \"/p/([^/]+)\"", e.getMessage());
    }

    @Test
    void fromFramework_originUnknown_isLeftOut() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.fromFramework(
                bySetting(Map.of("helloretail.websiteUuid", "nope")), Setting::name, p -> null));
        assertEquals("helloretail.websiteUuid must be a UUID like 4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf: \"nope\"",
                e.getMessage());
    }

    @Test
    void fromFramework_noWebsiteUuid_isRequiredUnderTheFrameworksName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> framework(Map.of()));
        assertEquals("spring:helloretail.websiteUuid is required (or set spring:helloretail.enabled=false)", e.getMessage());
    }

    @Test
    void fromFramework_systemPropertiesAndEnvironment_areNotRead() {
        String name = "helloretail.productNumberParameter";
        System.setProperty(name, "productId");
        try {
            assertNull(framework(Map.of("helloretail.websiteUuid", UUID)).get(Parameters.PRODUCT_NUMBER_PARAMETER));
            assertEquals("productId", Settings.resolve(Settings.Sources.of(Map.of(),
                    Map.of("helloretail.websiteUuid", UUID))).get(Parameters.PRODUCT_NUMBER_PARAMETER));
        } finally {
            System.clearProperty(name);
        }
    }

    @Test
    void adopt_frameworksTracker_isTheApplicationsAndTheFiltersButNotClosedByThem() {
        App app = new App();
        try (HelloRetailTracker tracker = HelloRetailTracker.builder().enabled(false).build()) {
            WebTracking web = WebTracking.adopt(app, framework(Map.of("helloretail.websiteUuid", UUID,
                    "helloretail.productNumberPattern", "^/p/(?<productNumber>[^/]+)$")), tracker);
            assertSame(tracker, WebTracking.required(app).tracker);
            // a context-param the framework did not read changes nothing
            app.contextParams.put("helloretail.productNumberPattern", "not (a pattern");

            PageViews filter = PageViews.start(app, "helloretail", Map.of());
            TestExchange exchange = new TestExchange().cookie("hello_retail_id", "62a0317d17698aa57d369db9");
            exchange.requestUri = "/p/sh-101";
            exchange.headers.put("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0 Safari/537.36");
            filter.finish(filter.begin(exchange), exchange);
            assertEquals(1, tracker.metrics().pageViews().tracked());

            filter.close();
            web.close();
            assertNull(WebTracking.get(app));
            // still open: the framework closes it
            tracker.trackConversion(io.github.helloretail4j.Conversion.builder().orderNumber("1").total(1)
                    .productNumbers(java.util.List.of("sh-101")).build());
            assertEquals(1, tracker.metrics().conversions().tracked());
        }
    }

    @Test
    void start_filterWithHelloRetailInitParamBesideAnAdoptedTracker_failsNamingIt() {
        App app = new App();
        try (HelloRetailTracker tracker = HelloRetailTracker.builder().enabled(false).build()) {
            WebTracking.adopt(app, framework(Map.of("helloretail.websiteUuid", UUID)), tracker);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PageViews.start(app, "mine", Map.of("helloretail.excludePaths", "/admin/**")));
            assertEquals("filter mine has the init-param \"helloretail.excludePaths\", but this application's Hello"
                    + " Retail settings come from its framework's configuration (Spring Boot: the helloretail.*"
                    + " properties); set it there", e.getMessage());
            assertThrows(IllegalStateException.class,
                    () -> WebTracking.adopt(app, framework(Map.of("helloretail.websiteUuid", UUID)), tracker));
        }
    }
}
