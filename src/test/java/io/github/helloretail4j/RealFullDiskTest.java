package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.CONVERSION;
import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;
import static io.github.helloretail4j.testing.Fixtures.conversion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.SmallTmpfs;
import io.github.helloretail4j.testing.TestCollector;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real full disk: the outbox lives on a 1 MiB tmpfs that the test mounts (as root, on Linux),
 * filled up to the last byte by a file of the test's own while orders come in and conversions
 * are delivered, then freed. Skipped, saying why, where the file system cannot be mounted.
 */
class RealFullDiskTest {

    private static SmallTmpfs tmpfs;

    @BeforeAll
    static void mountSmallTmpfs() throws Exception {
        tmpfs = SmallTmpfs.mount();
        if (tmpfs.skipReason() != null) {
            System.out.println("RealFullDiskTest skipped: " + tmpfs.skipReason());
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        tmpfs.close();
    }

    private static List<String> orders(TestCollector collector) {
        return collector.accepted(CONVERSION).stream().map(j -> j.get("orderNumber").asText()).toList();
    }

    @Test
    void fullDisk_ordersAndOutcomesFail_thenTheSpaceComesBack_everyAcceptedOrderDeliveredOnce_noRestart()
            throws Exception {
        assumeTrue(tmpfs.skipReason() == null, tmpfs.skipReason());
        Path outbox = tmpfs.path().resolve("outbox");
        Path filler = tmpfs.path().resolve("filler");
        List<String> accepted = new ArrayList<>();
        List<String> received = new ArrayList<>();
        try (TestCollector collector = TestCollector.start()) {
            HelloRetailTracker.Builder config = HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID)
                    .endpoint(collector.endpoint()).outboxDirectory(outbox).name("fulldisk")
                    .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200));
            try (HelloRetailTracker tracker = config.build()) {
                for (int round = 0; round < 2; round++) {
                    collector.answer(1_000_000, 503); // they wait in the outbox while the disk fills
                    for (int i = 0; i < 5; i++) {
                        tracker.trackConversion(conversion("r" + round + "-" + i));
                        accepted.add("r" + round + "-" + i);
                    }
                    tmpfs.fill(filler);
                    // orders keep coming: the disk takes what fits in the log's last page, then refuses
                    int refused = 0;
                    for (int i = 0; i < 100 && refused == 0; i++) {
                        try {
                            tracker.trackConversion(conversion("late" + round + "-" + i));
                            accepted.add("late" + round + "-" + i);
                        } catch (UncheckedIOException e) {
                            assertTrue(e.getMessage().endsWith("No space left on device"), e.getMessage());
                            refused++;
                        }
                    }
                    assertEquals(1, refused, "the full disk refused an order");
                    received.addAll(orders(collector)); // the 503s
                    collector.reset(); // delivered now, with no room for their records
                    int expected = accepted.size();
                    Await.until("round " + round + " delivered on a full disk",
                            () -> tracker.metrics().conversions().delivered() == expected);
                    Files.delete(filler);
                    tracker.trackConversion(conversion("freed-" + round));
                    accepted.add("freed-" + round);
                    Await.until("nothing pending after round " + round, () -> tracker.metrics().conversions(),
                            c -> c.pending() == 0 && c.delivered() == accepted.size());
                }
                assertTrue(tracker.metrics().outboxFailures() >= 2, tracker.metrics().toString());
            }
            // the next start sends nothing again: the outcomes reached the disk once it had room
            try (HelloRetailTracker again = config.build()) {
                assertEquals(0, again.metrics().conversions().tracked());
            }
            received.addAll(orders(collector));
            Map<String, Long> times = received.stream().collect(Collectors.groupingBy(o -> o, Collectors.counting()));
            assertEquals(accepted.stream().sorted().toList(), times.keySet().stream().sorted().toList());
            assertTrue(times.values().stream().allMatch(n -> n == 1), times.toString());
        }
    }
}
