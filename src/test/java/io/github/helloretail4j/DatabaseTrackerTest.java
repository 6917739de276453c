package io.github.helloretail4j;

import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.database.TestDatabase;
import io.github.helloretail4j.testing.TestCollector;
import io.github.helloretail4j.testkit.Await;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The tracker's face of the database outbox, in one JVM, against real PostgreSQL and a real collector. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.Kind.class)
class DatabaseTrackerTest {
    private static final String CONVERSION = "/serve/collect/conversion";

    private final TestDatabase.Kind kind;
    private final TestDatabase db;
    private final String table;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    @TempDir
    Path dir;

    DatabaseTrackerTest(TestDatabase.Kind kind) {
        this.kind = kind;
        this.db = kind.shared();
        this.table = db.freshTable("tracker");
    }

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

    private HelloRetailTracker.Builder config(TestCollector collector, HikariDataSource pool) {
        return HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID).endpoint(collector.endpoint())
                .outboxDataSource(pool).outboxTable(table)
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(2));
    }

    private static Conversion conversion(String orderNumber) {
        return Conversion.builder().trackingUserId("62a0317d17698aa57d369db9").orderNumber(orderNumber)
                .total(new BigDecimal("25.50")).productNumbers(List.of("p-1")).build();
    }

    private long count(String where) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitTrue(String what, Await.Condition condition) {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    @Test
    void build_outboxDirectoryAndOutboxDataSource_failsNamingBoth() {
        HikariDataSource pool = closeLater(db.pool("both", 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HelloRetailTracker.builder()
                .websiteUuid(WEBSITE_UUID).outboxDirectory(dir).outboxDataSource(pool).build());
        assertEquals("outboxDirectory and outboxDataSource are both set; conversions wait in one of them: keep"
                + " outboxDataSource for a shop of several nodes, or outboxDirectory " + dir + " for one", e.getMessage());
    }

    @Test
    void build_outboxTableWithoutOutboxDataSource_fails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HelloRetailTracker.builder()
                .websiteUuid(WEBSITE_UUID).outboxDirectory(dir).outboxTable("shop.conversions").build());
        assertEquals("outboxTable \"shop.conversions\" is set without outboxDataSource; it names the database"
                + " outbox's table", e.getMessage());
    }

    @Test
    void build_badOutboxTable_failsEchoingIt() {
        HikariDataSource pool = closeLater(db.pool("bad-table", 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HelloRetailTracker.builder()
                .websiteUuid(WEBSITE_UUID).outboxDataSource(pool).outboxTable("Orders; --").build());
        assertTrue(e.getMessage().startsWith("outboxTable must be a table name"), e.getMessage());
        assertTrue(e.getMessage().endsWith(": \"Orders; --\""), e.getMessage());
    }

    @Test
    void build_databaseUnreachable_failsNamingTheTableAndTheSqlState() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
        nowhere.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/shop");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> HelloRetailTracker.builder()
                .websiteUuid(WEBSITE_UUID).outboxDataSource(nowhere).build());
        assertTrue(e.getMessage().startsWith("outboxDataSource cannot be used: the outbox table helloretail_outbox"
                + " cannot be used: SQL state 08001: Connection to 127.0.0.1:" + closedPort + " refused."),
                e.getMessage());
    }

    @Test
    void trackConversionOnConnection_trackerWithAnOutboxDirectory_throwsIllegalState() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        HelloRetailTracker tracker = closeLater(HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID)
                .endpoint(collector.endpoint()).outboxDirectory(dir).build());
        try (Connection c = db.connect()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> tracker.trackConversion(c, conversion("o-1")));
            assertEquals("conversion \"o-1\" was not accepted: trackConversion(Connection, Conversion) writes in the"
                    + " shop's transaction, and this tracker keeps conversions in an outbox directory; build it with"
                    + " outboxDataSource, or call trackConversion(Conversion)", e.getMessage());
        }
    }

    @Test
    void trackConversionOnConnection_committedIsDeliveredOnce_rolledBackNever_repeatedIsADuplicate() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        HikariDataSource pool = closeLater(db.pool("commit", 2));
        HelloRetailTracker tracker = closeLater(config(collector, pool).build());
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            tracker.trackConversion(c, conversion("kept"));
            tracker.trackConversion(c, conversion("kept"));
            c.commit();
            tracker.trackConversion(c, conversion("undone"));
            c.rollback();
            tracker.trackConversion(c, conversion("kept"));
            c.commit();
        }
        collector.awaitRequests(CONVERSION, 1);
        awaitTrue("recorded as delivered", () -> count("state = 'delivered'") == 1);
        Thread.sleep(1500); // more than a poll: "undone" would have been found by now
        assertEquals(List.of("kept"), collector.accepted(CONVERSION).stream()
                .map(j -> j.get("orderNumber").asText()).toList());
        TrackerMetrics.Counts counts = tracker.metrics().conversions();
        assertEquals(4, counts.tracked());
        assertEquals(2, counts.duplicates());
        assertEquals(1, counts.delivered());
        assertEquals(0, count("order_number = 'undone'"));
    }

    @Test
    void trackConversionOnConnection_closedConnection_throwsNamingTheOrderAndTheSqlState() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        HikariDataSource pool = closeLater(db.pool("closed-conn", 1));
        HelloRetailTracker tracker = closeLater(config(collector, pool).build());
        Connection c = db.connect();
        c.close();
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> tracker.trackConversion(c, conversion("110-2347")));
        String closed = kind == TestDatabase.Kind.POSTGRESQL
                ? "public\\." + table + " \\(PostgreSQL 15\\.\\d+\\) on the shop's connection: SQL state 08003: This"
                        + " connection has been closed\\."
                : "shop\\." + table + " \\(MariaDB \\d+\\.\\d+\\) on the shop's connection: SQL state 08000:"
                        + " \\(conn=\\d+\\) Connection is closed";
        assertTrue(e.getMessage().matches("conversion \"110-2347\" could not be written to the outbox table " + closed),
                e.getMessage());
        assertEquals(1, tracker.metrics().outboxFailures());
        assertEquals(0, tracker.metrics().conversions().tracked());
    }

    @Test
    void trackConversion_collectorRefusesIt_isADeadLetterRowWithReasonStatusAndMessage() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        HikariDataSource pool = closeLater(db.pool("rejected", 1));
        HelloRetailTracker tracker = closeLater(config(collector, pool)
                .websiteUuid("0f8fad5b-d9cb-469f-a165-70867728950e").build());
        tracker.trackConversion(conversion("o-1"));
        awaitTrue("a dead letter", () -> count("state = 'dead'") == 1);
        assertEquals(1, count("order_number = 'o-1' AND dead_reason = 'rejected' AND last_status = 400"
                + " AND last_message = 'Website not found' AND body LIKE '%\"orderNumber\":\"o-1\"%'"));
        // counted once its row is written: a moment after the row is seen
        awaitTrue("counted as rejected", () -> tracker.metrics().conversions().rejected() == 1);
    }

    @Test
    void trackConversion_retryAfter_isHonoured_andTheFailureIsKeptInTheRow() throws Exception {
        TestCollector collector = closeLater(TestCollector.start());
        collector.answer(1, 503, "{\"success\":false,\"message\":\"Busy\"}", Map.of("Retry-After", "1"));
        HikariDataSource pool = closeLater(db.pool("retry-after", 1));
        HelloRetailTracker tracker = closeLater(config(collector, pool).build());
        tracker.trackConversion(conversion("o-1"));
        awaitTrue("the failure is stored", () -> count("last_status = 503 AND last_message = 'Busy'") == 1);
        List<TestCollector.Received> requests = collector.awaitRequests(CONVERSION, 2);
        long gapMillis = (requests.get(1).receivedNanos() - requests.get(0).receivedNanos()) / 1_000_000;
        assertTrue(gapMillis >= 1000, "second attempt " + gapMillis + " ms after the first");
        awaitTrue("delivered", () -> count("state = 'delivered'") == 1);
        assertEquals(1, tracker.metrics().conversions().retries());
    }
}
