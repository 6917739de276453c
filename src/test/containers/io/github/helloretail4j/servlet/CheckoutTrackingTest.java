package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.SmallTmpfs;
import io.github.helloretail4j.testing.TestCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checkout code's {@code HelloRetailWeb.trackConversion} in a deployed shop never fails the
 * shopper's request: not for a bad value, not while the outbox's disk is full (a real 1 MiB
 * tmpfs, filled to the last byte). Both are answered normally, said in the result, counted; the
 * conversion the full disk refused waits in memory and is delivered, once, when the disk has
 * room again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckoutTrackingTest {

    private static final String COOKIE = "Cookie: hello_retail_id=" + ID;

    private final TestCollector collector = TestCollector.start();
    private SmallTmpfs tmpfs;

    @BeforeAll
    void mount() throws Exception {
        tmpfs = SmallTmpfs.mount();
    }

    @AfterAll
    void unmount() throws Exception {
        tmpfs.close();
        collector.close();
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void trackConversion_negativeTotal_andFullDisk_answerTheShopperNormally_andAreCounted(Containers.Kind kind)
            throws Exception {
        assumeTrue(tmpfs.skipReason() == null, tmpfs.skipReason());
        Path outbox = tmpfs.path().resolve("outbox-" + kind);
        Path filler = tmpfs.path().resolve("filler");
        String contextPath = "/checkout-" + kind.name().toLowerCase();
        Path app = new TestWebApp()
                .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", collector.endpoint().toString())
                .contextParam("helloretail.outboxDirectory", outbox.toString())
                .write(Files.createTempDirectory("checkout"));
        String n = kind + "-" + System.nanoTime();
        try (Containers.Container container = kind.start();
             Containers.Deployment ignored = container.deploy(app, contextPath)) {
            RawHttp.Response negative = RawHttp.get(container.port(), contextPath + "/order?number=" + n
                    + "-neg&total=-10.00", COOKIE);
            assertEquals(200, negative.status());
            assertEquals("INVALID: total must be zero or more, with at most 32 characters in plain notation: -10.00",
                    negative.body());

            List<String> accepted = new ArrayList<>();
            String held = null;
            tmpfs.fill(filler);
            try {
                // the log's last page takes what fits, then the disk refuses
                for (int i = 0; i < 200 && held == null; i++) {
                    String order = n + "-" + i;
                    RawHttp.Response answer = RawHttp.get(container.port(), contextPath + "/order?number=" + order,
                            COOKIE);
                    assertEquals(200, answer.status(), answer.body());
                    if (answer.body().startsWith("HELD_IN_MEMORY")) {
                        held = order;
                        assertTrue(answer.body().startsWith("HELD_IN_MEMORY " + order + " id=" + ID
                                + ": could not be written to the outbox directory "), answer.body());
                        assertTrue(answer.body().endsWith("No space left on device"), answer.body());
                    } else {
                        assertEquals("ACCEPTED " + order + " id=" + ID, answer.body());
                        accepted.add(order);
                    }
                }
                assertTrue(held != null, "the full disk refused an order");
                Map<String, Long> counters = counters(container.port(), contextPath);
                assertEquals(accepted.size() + 2, counters.get("tracked"), counters.toString());
                assertEquals(1, counters.get("invalid"), counters.toString());
                assertEquals(1, counters.get("inMemory"), counters.toString());
            } finally {
                Files.deleteIfExists(filler);
            }
            accepted.add(held);
            Await.until("every accepted and held order delivered", () -> counters(container.port(), contextPath),
                    c -> c.get("delivered") == accepted.size());
            assertEquals(Map.of("tracked", accepted.size() + 1L, "invalid", 1L, "inMemory", 0L, "pending", 0L,
                    "delivered", (long) accepted.size()), counters(container.port(), contextPath));
            Map<String, Long> times = collector.acceptedOrders().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(n + "-"))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertEquals(accepted.stream().collect(Collectors.toMap(o -> o, o -> 1L)), times);
        }
    }

    /** The shop's {@code /conversions} page: {@code tracked=3 invalid=1 ...} as a map. */
    private static Map<String, Long> counters(int port, String contextPath) throws Exception {
        return java.util.Arrays.stream(RawHttp.get(port, contextPath + "/conversions").body().split(" "))
                .map(pair -> pair.split("=")).collect(Collectors.toMap(p -> p[0], p -> Long.parseLong(p[1])));
    }
}
