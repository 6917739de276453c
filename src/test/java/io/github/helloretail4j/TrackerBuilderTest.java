package io.github.helloretail4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testing.Fixtures;
import io.github.helloretail4j.testing.LogCapture;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrackerBuilderTest {

    @TempDir
    Path temp;
    private int dirs;

    private java.nio.file.Path dir() {
        return temp.resolve("outbox-" + (++dirs));
    }

    private static final String UUID = Fixtures.WEBSITE_UUID;

    private String failure(Class<? extends Exception> type, UnaryOperator<HelloRetailTracker.Builder> config) {
        return assertThrows(type, () -> config.apply(HelloRetailTracker.builder().websiteUuid(UUID).outboxDirectory(dir())).build())
                .getMessage();
    }

    @Test
    void build_noWebsiteUuid_throwsIllegalState() {
        assertEquals("websiteUuid is required", failure(IllegalStateException.class, b -> b.websiteUuid(null)));
    }

    @Test
    void build_malformedWebsiteUuid_echoesIt() {
        assertEquals("websiteUuid must be a UUID like 4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf: \"my-shop\"",
                failure(IllegalArgumentException.class, b -> b.websiteUuid("my-shop")));
    }

    @Test
    void build_httpEndpointNotLoopback_isRefused() {
        assertEquals("endpoint must use https (http only for a loopback address): \"http://collector.example/serve/\"",
                failure(IllegalArgumentException.class, b -> b.endpoint(URI.create("http://collector.example/serve/"))));
    }

    @Test
    void build_endpointWithOtherScheme_isRefused() {
        assertEquals("endpoint must be an https URL with a host and no user, query or fragment, like"
                        + " https://core.helloretail.com/serve/: \"ftp://core.helloretail.com/serve/\"",
                failure(IllegalArgumentException.class, b -> b.endpoint(URI.create("ftp://core.helloretail.com/serve/"))));
    }

    @Test
    void build_endpointWithQuery_isRefused() {
        assertEquals("endpoint must be an https URL with a host and no user, query or fragment, like"
                        + " https://core.helloretail.com/serve/: \"https://core.helloretail.com/serve/?a=b\"",
                failure(IllegalArgumentException.class, b -> b.endpoint(URI.create("https://core.helloretail.com/serve/?a=b"))));
    }

    @Test
    void build_endpointWithoutTrailingSlash_getsOne() {
        try (HelloRetailTracker t = HelloRetailTracker.builder().websiteUuid(UUID).outboxDirectory(dir())
                .endpoint(URI.create("https://core.helloretail.com/serve")).build()) {
            assertEquals(URI.create("https://core.helloretail.com/serve/"), t.endpoint());
        }
    }

    @Test
    void build_defaultEndpoint_isHelloRetail() {
        try (HelloRetailTracker t = HelloRetailTracker.builder().websiteUuid(UUID).outboxDirectory(dir()).build()) {
            assertEquals(URI.create("https://core.helloretail.com/serve/"), t.endpoint());
        }
    }

    @ParameterizedTest
    @CsvSource({"localhost, true", "127.0.0.1, true", "127.8.9.10, true", "[::1], true", "::1, true",
            "example.com, false", "10.0.0.1, false", "localhost.evil.example, false", "127.0.0.1.nip.io, false"})
    void isLoopback_table(String host, boolean loopback) {
        assertEquals(loopback, io.github.helloretail4j.internal.Urls.isLoopback(host), host);
    }

    @Test
    void build_httpLoopbackEndpoint_isAccepted() {
        try (HelloRetailTracker t = HelloRetailTracker.builder().websiteUuid(UUID).outboxDirectory(dir())
                .endpoint(URI.create("http://127.0.0.1:9/serve/")).build()) {
            assertEquals(URI.create("http://127.0.0.1:9/serve/"), t.endpoint());
        }
    }

    @Test
    void build_numbersOutOfRange_nameTheSetting() {
        assertEquals("queueSize must be between 1 and 1000000: 0", failure(IllegalArgumentException.class, b -> b.queueSize(0)));
        assertEquals("maxRequestsInFlight must be between 1 and 64: 65",
                failure(IllegalArgumentException.class, b -> b.maxRequestsInFlight(65)));
        assertEquals("maxAttempts must be between 1 and 1000: 0",
                failure(IllegalArgumentException.class, b -> b.maxAttempts(0)));
    }

    @Test
    @SuppressWarnings("deprecation")
    void build_senderThreadsOutOfRange_namesTheDeprecatedName() {
        assertEquals("senderThreads must be between 1 and 64: 65",
                failure(IllegalArgumentException.class, b -> b.senderThreads(65)));
    }

    @Test
    @SuppressWarnings("deprecation")
    void build_senderThreadsAndMaxRequestsInFlight_failsNamingBoth() {
        assertEquals("maxRequestsInFlight and senderThreads are both set; senderThreads is the deprecated name of"
                + " maxRequestsInFlight: keep maxRequestsInFlight alone",
                failure(IllegalArgumentException.class, b -> b.maxRequestsInFlight(8).senderThreads(8)));
    }

    @Test
    @SuppressWarnings("deprecation")
    void build_senderThreads_isAcceptedWithOneWarnNamingTheNewName() {
        try (LogCapture log = new LogCapture();
             HelloRetailTracker tracker = HelloRetailTracker.builder().enabled(false).senderThreads(4).build()) {
            assertFalse(tracker.isEnabled());
            assertEquals(1, log.text().lines().filter(l -> l.contains("WARN")).count(), log.text());
            assertTrue(log.text().contains("senderThreads(4) is deprecated: call maxRequestsInFlight(4), the same"
                    + " setting under a name that says what it counts (requests in flight; no thread is started for"
                    + " each)"), log.text());
        }
    }

    @Test
    void build_badDurations_nameTheSetting() {
        assertEquals("connectTimeout must be more than zero and at most an hour: PT0S",
                failure(IllegalArgumentException.class, b -> b.connectTimeout(Duration.ZERO)));
        assertEquals("responseTimeout must be more than zero and at most an hour: null",
                failure(IllegalArgumentException.class, b -> b.responseTimeout(null)));
        assertEquals("maxBackoff must not be shorter than initialBackoff (PT1S): PT0.5S",
                failure(IllegalArgumentException.class, b -> b.initialBackoff(Duration.ofSeconds(1))
                        .maxBackoff(Duration.ofMillis(500))));
        assertEquals("closeTimeout must be zero or more: PT-1S",
                failure(IllegalArgumentException.class, b -> b.closeTimeout(Duration.ofSeconds(-1))));
    }

    @Test
    void build_badName_isRefused() {
        assertEquals("name must be 1 to 64 letters, digits, '.', '_' or '-': \"a b\"",
                failure(IllegalArgumentException.class, b -> b.name("a b")));
    }

    @Test
    void build_startsNoThread_untilTheFirstEvent() {
        try (HelloRetailTracker t = HelloRetailTracker.builder().websiteUuid(UUID).outboxDirectory(dir()).name("lazy-check").build()) {
            assertFalse(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(th -> th.getName().startsWith("lazy-check")));
            assertEquals(0, t.metrics().pageViews().tracked());
        }
    }
}
