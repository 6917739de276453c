package io.github.helloretail4j;

import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.database.TestDatabase;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.TestCollector;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A normal close in the middle of a backlog, as a rolling deploy makes it: the collector answers
 * in 20 ms, the close deadline falls while a conversion's request is on its way, and what is
 * left waits for the other nodes or the next start. No order may reach the collector twice:
 * only a crash may repeat one.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.Kind.class)
class CloseDuringBacklogTest {
    private static final int REPETITIONS = 20;
    private static final int ORDERS_PER_NODE = 25;
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(150);

    private final TestDatabase db;
    private final String table;
    private final TestCollector collector = TestCollector.start().latency(Duration.ofMillis(20));
    private final List<AutoCloseable> toClose = new ArrayList<>();
    @TempDir
    Path dir;

    CloseDuringBacklogTest(TestDatabase.Kind kind) {
        this.db = kind.shared();
        this.table = db.freshTable("rolling");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        collector.close();
    }

    private HelloRetailTracker.Builder config(String name) {
        return HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID).endpoint(collector.endpoint()).name(name)
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(2))
                .closeTimeout(CLOSE_TIMEOUT);
    }

    private static Conversion conversion(String orderNumber) {
        return Conversion.builder().trackingUserId("62a0317d17698aa57d369db9").orderNumber(orderNumber)
                .total(new BigDecimal("25.50")).productNumbers(List.of("p-1")).build();
    }

    @Test
    void close_ofNodesDeliveringABacklog_sendsNoOrderTwice_databaseOutbox() throws Exception {
        HikariDataSource pool = db.pool("rolling", 6);
        toClose.add(pool);
        List<String> orders = new ArrayList<>();
        for (int round = 0; round < REPETITIONS; round++) {
            List<HelloRetailTracker> nodes = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                nodes.add(config("node-" + n).outboxDataSource(pool).outboxTable(table).build());
            }
            for (int i = 0; i < ORDERS_PER_NODE; i++) {
                for (int n = 0; n < nodes.size(); n++) {
                    String order = "r" + round + "-n" + n + "-" + i;
                    nodes.get(n).trackConversion(conversion(order));
                    orders.add(order);
                }
            }
            // one node after the other, each while the others still deliver
            for (HelloRetailTracker node : nodes) {
                Thread.sleep(ThreadLocalRandom.current().nextInt(20, 80));
                node.close();
            }
        }
        drain(() -> config("last").outboxDataSource(pool).outboxTable(table).closeTimeout(Duration.ofSeconds(5)).build(),
                orders);
    }

    @Test
    void close_ofANodeDeliveringABacklog_sendsNoOrderTwice_fileOutbox() {
        Path outbox = dir.resolve("outbox");
        List<String> orders = new ArrayList<>();
        for (int round = 0; round < REPETITIONS; round++) {
            HelloRetailTracker tracker = config("file").outboxDirectory(outbox).build();
            for (int i = 0; i < ORDERS_PER_NODE; i++) {
                String order = "r" + round + "-" + i;
                tracker.trackConversion(conversion(order));
                orders.add(order);
            }
            Await.until("the backlog's first deliveries", () -> tracker.metrics().conversions().delivered(),
                    d -> d >= 2);
            tracker.close();
        }
        drain(() -> config("file").outboxDirectory(outbox).closeTimeout(Duration.ofSeconds(5)).build(), orders);
    }

    /** A last node delivers what is left; then each order arrived exactly once. */
    private void drain(Supplier<HelloRetailTracker> last, List<String> orders) {
        try (HelloRetailTracker tracker = last.get()) {
            Await.until("every order accepted by the collector", Duration.ofSeconds(60),
                    () -> collector.acceptedOrders().size(), n -> n >= orders.size());
            Await.until("the last node idle", () -> tracker.metrics().conversions().pending(), p -> p == 0);
        }
        Map<String, Long> repeated = new TreeMap<>();
        collector.acceptedOrders().forEach((order, times) -> {
            if (times != 1) {
                repeated.put(order, times);
            }
        });
        assertEquals(Map.of(), repeated, "orders accepted more than once");
        assertEquals(orders.size(), collector.acceptedOrders().size());
    }
}
