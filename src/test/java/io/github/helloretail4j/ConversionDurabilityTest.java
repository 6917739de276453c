package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.CONVERSION;
import static io.github.helloretail4j.testing.Fixtures.OPTED_OUT;
import static io.github.helloretail4j.testing.Fixtures.conversion;
import static io.github.helloretail4j.testing.Fixtures.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.internal.FaultyStorage;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.Fixtures;
import io.github.helloretail4j.testing.TestCollector;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversions through the outbox: dead letters, duplicates, full disks, outages, SIGKILL. */
class ConversionDurabilityTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path outbox;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private HelloRetailTracker.Builder config(URI endpoint) {
        return Fixtures.fastRetries(endpoint, outbox);
    }

    /** Waits until the conversion counts satisfy {@code done}; a failure shows the last counts. */
    private static void await(HelloRetailTracker tracker, String what, Predicate<TrackerMetrics.Counts> done) {
        Await.until(what, Duration.ofSeconds(30), () -> tracker.metrics().conversions(), done);
    }

    private List<JsonNode> deadLetters() throws Exception {
        Path file = outbox.resolve("dead-letters.jsonl");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(MAPPER.readTree(line));
        }
        return lines;
    }

    @Test
    void rejectedConversion_goesToDeadLettersWithMessageAndTime_notRetried() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        HelloRetailTracker tracker = closeLater(config(collector.endpoint())
                .websiteUuid("00000000-0000-0000-0000-000000000000").build());
        Instant before = Instant.now();
        tracker.trackConversion(conversion("dl-1"));
        await(tracker, "the conversion rejected", c -> c.rejected() == 1);
        Thread.sleep(200); // time enough for a (wrong) retry to arrive
        assertEquals(1, collector.requests(CONVERSION).size());
        List<JsonNode> dead = deadLetters();
        assertEquals(1, dead.size());
        JsonNode d = dead.get(0);
        assertEquals("rejected", d.get("reason").asText());
        assertEquals(400, d.get("status").asInt());
        assertEquals("Website not found", d.get("message").asText());
        assertEquals("dl-1", d.get("orderNumber").asText());
        assertEquals("dl-1", d.get("body").get("orderNumber").asText());
        assertTrue(!Instant.parse(d.get("time").asText()).isBefore(before.minusSeconds(1)));
        assertEquals(0, tracker.metrics().conversions().pending());
    }

    @Test
    void conversionOlderThanMaxAge_goesToDeadLetters_withTheLastFailure() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        collector.answer(10_000, 500);
        HelloRetailTracker tracker = closeLater(config(collector.endpoint())
                .conversionMaxAge(Duration.ofMillis(300)).build());
        tracker.trackConversion(conversion("old-1"));
        await(tracker, "the conversion expired", c -> c.failed() == 1);
        assertTrue(collector.requests(CONVERSION).size() >= 2, "retried until too old");
        JsonNode d = deadLetters().get(0);
        assertEquals("expired", d.get("reason").asText());
        assertEquals(500, d.get("status").asInt());
        assertEquals("Internal error", d.get("message").asText());
    }

    @Test
    void anonymousConversion_isCountedNotTracked_andRemoved() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        HelloRetailTracker tracker = closeLater(config(collector.endpoint()).build());
        tracker.trackConversion(Conversion.builder().trackingUserId(OPTED_OUT).orderNumber("anon-1")
                .total(BigDecimal.ONE).productNumbers(List.of("p")).build());
        await(tracker, "the conversion answered as not tracked", c -> c.notTracked() == 1);
        assertEquals(0, tracker.metrics().conversions().pending());
    }

    @Test
    void sameOrderTwice_isSentOnce_alsoAcrossARestart() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        try (HelloRetailTracker tracker = config(collector.endpoint()).build()) {
            tracker.trackConversion(conversion("dup-1"));
            tracker.trackConversion(conversion("dup-1")); // the thank-you page reloaded
            await(tracker, "dup-1 delivered", c -> c.delivered() == 1);
            assertEquals(1, tracker.metrics().conversions().duplicates());
        }
        try (HelloRetailTracker tracker = config(collector.endpoint()).build()) {
            tracker.trackConversion(conversion("dup-1")); // the payment provider retried its webhook
            assertEquals(1, tracker.metrics().conversions().duplicates());
            tracker.trackConversion(conversion("dup-2"));
            await(tracker, "dup-2 delivered", c -> c.delivered() == 1);
        }
        assertEquals(Map.of("dup-1", 1L, "dup-2", 1L), collector.acceptedOrders());
    }

    @Test
    void fullDisk_trackConversionThrowsClearly_andNothingAcknowledgedIsLost() throws Exception {
        int port = freePort(); // nothing is delivered while the disk fills up
        URI endpoint = Fixtures.endpoint(port);
        FaultyStorage disk = new FaultyStorage();
        HelloRetailTracker tracker = config(endpoint).storage(disk).closeTimeout(Duration.ZERO).build();
        tracker.trackConversion(conversion("disk-1"));
        tracker.trackConversion(conversion("disk-2"));
        disk.diskFull = true;
        var e = assertThrows(UncheckedIOException.class, () -> tracker.trackConversion(conversion("disk-3")));
        assertEquals("conversion \"disk-3\" could not be written to the outbox directory " + outbox.toAbsolutePath()
                + ": No space left on device", e.getMessage());
        disk.diskFull = false;
        tracker.trackConversion(conversion("disk-3")); // the shop's retry goes through
        tracker.close();
        TestCollector collector = closeLater(TestCollector.startOn(port));
        try (HelloRetailTracker restarted = config(endpoint).build()) {
            await(restarted, "the 3 conversions delivered after the restart", c -> c.delivered() == 3);
        }
        assertEquals(List.of("disk-1", "disk-2", "disk-3"), collector.accepted(CONVERSION).stream()
                .map(j -> j.get("orderNumber").asText()).sorted().toList());
    }

    @Test
    void outage_refusedThen500s_acrossAJvmRestart_allDeliveredOnce() throws Exception {
        int port = freePort();
        URI endpoint = Fixtures.endpoint(port);
        // a shop JVM tracks 50 orders while nothing listens on the port, and stops
        Process shop = startChild(endpoint, "outage", 50);
        List<Integer> acked = readAcks(shop, Integer.MAX_VALUE);
        assertTrue(shop.waitFor(30, TimeUnit.SECONDS));
        assertEquals(50, acked.size());
        // the collector comes back, failing at first
        TestCollector collector = closeLater(TestCollector.startOn(port));
        collector.answer(20, 500).answer(5, 503, "{\"success\":false,\"message\":\"busy\"}", Map.of("Retry-After", "0"));
        try (HelloRetailTracker tracker = config(endpoint).build()) {
            await(tracker, "the 50 conversions delivered", c -> c.delivered() == 50);
            assertEquals(50, tracker.metrics().conversions().tracked(), "recovered from disk");
        }
        Map<String, Long> received = collector.acceptedOrders();
        assertEquals(50, received.size());
        assertTrue(received.values().stream().allMatch(n -> n == 1), received.toString());
    }

    @Test
    void sigkill_whileDeliveryIsDown_everyAcknowledgedConversionIsDeliveredExactlyOnce() throws Exception {
        int port = freePort();
        URI endpoint = Fixtures.endpoint(port);
        Process shop = startChild(endpoint, "killed-down", -1);
        List<Integer> acked = readAcks(shop, 300);
        assertEquals(300, acked.size(), "acknowledgements from the child before the kill");
        shop.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly it leaves the pipe readable
        shop.waitFor(30, TimeUnit.SECONDS);
        acked.addAll(readAcks(shop, Integer.MAX_VALUE)); // acks printed before death
        TestCollector collector = closeLater(TestCollector.startOn(port));
        try (HelloRetailTracker tracker = config(endpoint).build()) {
            await(tracker, "nothing pending", c -> c.pending() == 0);
        }
        Map<String, Long> received = collector.acceptedOrders();
        for (int i : acked) {
            assertEquals(1L, received.get("killed-down-" + i), "order " + i);
        }
        // a conversion being written when the JVM died may or may not have made it; nothing else
        assertTrue(received.size() <= acked.size() + 1, received.size() + " received for " + acked.size() + " acked");
    }

    @Test
    void sigkill_whileDelivering_everyAcknowledgedConversionArrives_duplicatesOnlyInTheDocumentedWindow() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        Process shop = startChild(collector.endpoint(), "killed-live", -1);
        List<Integer> acked = readAcks(shop, 1000);
        assertEquals(1000, acked.size(), "acknowledgements from the child before the kill");
        shop.toHandle().destroyForcibly();
        shop.waitFor(30, TimeUnit.SECONDS);
        acked.addAll(readAcks(shop, Integer.MAX_VALUE));
        int deliveredBeforeCrash = collector.requests(CONVERSION).size();
        assertTrue(deliveredBeforeCrash > 0, "the child was killed while it delivered, not before");
        try (HelloRetailTracker tracker = config(collector.endpoint()).build()) {
            await(tracker, "nothing pending", c -> c.pending() == 0);
        }
        Map<String, Long> received = collector.acceptedOrders();
        for (int i : acked) {
            assertTrue(received.getOrDefault("killed-live-" + i, 0L) >= 1, "order " + i + " lost");
        }
        long duplicates = received.values().stream().mapToLong(n -> n - 1).sum();
        // A SIGKILL keeps what was written (DONE records are fsynced for power loss only): what is
        // resent is what was in flight or answered and not yet recorded, at most the window
        assertTrue(duplicates <= HelloRetailTracker.DEFAULT_MAX_CONVERSIONS_IN_FLIGHT, duplicates + " duplicates");
        System.out.printf("sigkill while delivering: %d acked, %d delivered before the kill, %d duplicates%n",
                acked.size(), deliveredBeforeCrash, duplicates);
    }

    private Process startChild(URI endpoint, String prefix, int count) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                CrashChild.class.getName(), outbox.toString(), endpoint.toString(), prefix, String.valueOf(count))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        toClose.add(p::destroyForcibly);
        return p;
    }

    private final Map<Process, BufferedReader> readers = new HashMap<>();

    /** Reads "acked N" lines until {@code max} were read or the output ends. */
    private List<Integer> readAcks(Process p, int max) throws Exception {
        BufferedReader in = readers.computeIfAbsent(p,
                k -> new BufferedReader(new InputStreamReader(k.getInputStream(), StandardCharsets.UTF_8)));
        List<Integer> acks = new ArrayList<>();
        String line;
        while (acks.size() < max && (line = in.readLine()) != null) {
            if (line.startsWith("acked ")) {
                acks.add(Integer.parseInt(line.substring(6)));
            }
        }
        return acks;
    }
}
