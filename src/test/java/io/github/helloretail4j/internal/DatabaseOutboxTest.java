package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.database.MariaDbServer;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.TestDatabase;
import io.github.helloretail4j.internal.Outbox.Added;
import io.github.helloretail4j.internal.Outbox.Entry;
import io.github.helloretail4j.internal.Outbox.Fate;
import io.github.helloretail4j.testkit.Await;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The database outbox against a real PostgreSQL 15, through a real pool (HikariCP). */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.Kind.class)
class DatabaseOutboxTest {
    private static final String WEBSITE = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    private static final String OTHER_WEBSITE = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase.Kind kind;
    private final TestDatabase db;
    private final String table;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final OutboxTest.MutableClock clock = new OutboxTest.MutableClock(Instant.parse("2026-11-22T12:00:00Z"));

    DatabaseOutboxTest(TestDatabase.Kind kind) {
        this.kind = kind;
        this.db = kind.shared();
        this.table = db.freshTable("outbox");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private HikariDataSource pool(String name, int size) {
        HikariDataSource ds = db.pool(name, size);
        toClose.add(ds);
        return ds;
    }

    /** This test's table. */
    private DatabaseOutbox.Options base() {
        return DatabaseOutbox.Options.defaults().table(table);
    }

    private DatabaseOutbox open(DataSource ds, String node) throws IOException {
        return open(ds, base().node(node));
    }

    private DatabaseOutbox open(DataSource ds, DatabaseOutbox.Options options) throws IOException {
        return open(ds, WEBSITE, options);
    }

    private DatabaseOutbox open(DataSource ds, String website, DatabaseOutbox.Options options)
            throws IOException {
        DatabaseOutbox outbox = DatabaseOutbox.open(ds, website, clock, Duration.ofDays(30), options);
        toClose.add(outbox);
        return outbox;
    }

    private static byte[] body(String order) {
        return ("{\"orderNumber\":\"" + order + "\",\"total\":1}").getBytes(StandardCharsets.UTF_8);
    }

    private <T> T query(String sql, SqlRead<T> read) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return read.read(rs);
        }
    }

    private interface SqlRead<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private long scalar(String sql) throws SQLException {
        return query(sql, rs -> {
            rs.next();
            return rs.getLong(1);
        });
    }

    private long count(String where) throws SQLException {
        return scalar("SELECT count(*) FROM " + table + " WHERE " + where);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private boolean postgres() {
        return kind == TestDatabase.Kind.POSTGRESQL;
    }

    /** The schema (PostgreSQL) or database (MariaDB) a table without one goes to. */
    private String defaultSchema() {
        return postgres() ? "public" : MariaDbServer.DATABASE;
    }

    /** How {@code describe()} names the database: its product and major.minor. */
    private String product() {
        return postgres() ? "PostgreSQL 15\\.\\d+" : "MariaDB \\d+\\.\\d+";
    }

    /** The names of the table's indexes, the primary key's included. */
    private Set<String> indexes(String schema, String t) throws SQLException {
        return query(postgres()
                ? "SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "' AND tablename = '" + t + "'"
                : "SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = '" + schema
                        + "' AND table_name = '" + t + "'", rs -> {
                    Set<String> names = new HashSet<>();
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                    return names;
                });
    }

    private void createShopTable() throws SQLException {
        execute("CREATE TABLE shop_" + table + " (order_number varchar(64) PRIMARY KEY)");
    }

    private static void shopOrder(Connection c, String shopTable, String order) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + shopTable + " VALUES (?)")) {
            s.setString(1, order);
            s.executeUpdate();
        }
    }

    // --- opening -------------------------------------------------------------------------------

    @Test
    void open_missingTable_createsItFromTheShippedDdl() throws Exception {
        DatabaseOutbox outbox = open(pool("open", 2), "a");
        assertEquals("helloretail4j outbox, version 1", query(postgres()
                ? "SELECT obj_description('" + table + "'::regclass, 'pg_class')"
                : "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE()"
                        + " AND table_name = '" + table + "'", rs -> {
                            rs.next();
                            return rs.getString(1);
                        }));
        assertEquals(Set.of(postgres() ? table + "_pkey" : "PRIMARY", table + "_order", table + "_pending",
                table + "_done"), indexes(defaultSchema(), table));
        assertTrue(outbox.describe().matches(Pattern.quote("outbox table " + defaultSchema() + "." + table + " (")
                + product() + "\\)"), outbox.describe());
        assertEquals(0, outbox.recovered());
    }

    @Test
    void open_severalNodesAtOnce_allOpenOnOneTable() throws Exception {
        int nodes = 6;
        HikariDataSource ds = pool("race", nodes);
        CyclicBarrier start = new CyclicBarrier(nodes);
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<DatabaseOutbox>> opened = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String node = "n" + i;
                opened.add(pool.submit(() -> {
                    start.await();
                    return open(ds, node);
                }));
            }
            for (Future<DatabaseOutbox> f : opened) {
                assertNotNull(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = '" + table + "'"));
    }

    @Test
    void open_existingTableOfAnotherShape_isRefusedNamingIt() throws Exception {
        execute("CREATE TABLE " + table + " (id bigint, order_number varchar(64))");
        IOException e = assertThrows(IOException.class, () -> open(pool("shape", 1), "a"));
        assertTrue(e.getMessage().startsWith("table " + table + " exists but is not a helloretail4j outbox (its DDL is "
                + (postgres() ? "/META-INF/helloretail4j/postgresql.sql" : "/META-INF/helloretail4j/mysql.sql")
                + " in the helloretail4j jar): SQL state " + (postgres() ? "42703" : "42S22") + ": "), e.getMessage());
    }

    @Test
    void open_tableInAnotherSchema_createsItThereWithItsIndexes() throws Exception {
        String schema = "shop_" + table;
        execute("CREATE SCHEMA " + schema);
        DatabaseOutbox outbox = open(pool("schema", 2),
                DatabaseOutbox.Options.defaults().table(schema + ".conversions").node("a"));
        assertTrue(outbox.describe().matches(Pattern.quote("outbox table " + schema + ".conversions (") + product()
                + "\\)"), outbox.describe());
        assertTrue(indexes(schema, "conversions").containsAll(Set.of("conversions_pending", "conversions_done")));
        assertEquals(Added.ACCEPTED, outbox.add("o-1", body("o-1")));
        assertEquals("o-1", outbox.next(0).orderNumber());
    }

    @Test
    void open_tableMadeByTheShippedSqlAsAMigration_isTakenAsItIs() throws Exception {
        String schema = "flyway_" + table;
        String script;
        try (var in = DatabaseOutbox.class.getResourceAsStream(postgres()
                ? OutboxSchema.DDL_RESOURCE : OutboxSchema.MYSQL_DDL_RESOURCE)) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute(postgres() ? "SET search_path TO " + schema : "USE " + schema);
            // the file as a migration tool would run it, untouched (statement by statement, as
            // Flyway and Liquibase do for MySQL)
            for (String statement : postgres() ? List.of(script)
                    : new OutboxDialect.MySql("MariaDB").ddlStatements(script)) {
                s.execute(statement);
            }
        }
        HikariDataSource ds = pool("flyway", 1);
        DatabaseOutbox outbox = open(ds, DatabaseOutbox.Options.defaults().table(schema + ".helloretail_outbox")
                .node("a"));
        assertEquals(Added.ACCEPTED, outbox.add("o-1", body("o-1")));
        assertEquals("o-1", outbox.next(0).orderNumber());
    }

    @Test
    void open_applicationUserWithoutCreateRight_usesAnExistingTable_andIsToldWhenItIsMissing() throws Exception {
        String user = "app_" + table;
        String schema = "app_schema_" + table;
        if (postgres()) {
            execute("CREATE ROLE " + user + " LOGIN");
            execute("CREATE SCHEMA " + schema);
            execute("GRANT USAGE ON SCHEMA " + schema + " TO " + user);
        } else {
            // the shop's own user: its data, but no right to create tables
            execute("CREATE USER '" + user + "'@'%'");
            execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + MariaDbServer.DATABASE + ".* TO '" + user + "'@'%'");
            execute("CREATE SCHEMA " + schema);
        }
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(user);
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(1000);
        HikariDataSource app = new HikariDataSource(config);
        toClose.add(app);
        String missing = schema + ".helloretail_outbox";
        IOException e = assertThrows(IOException.class,
                () -> open(app, DatabaseOutbox.Options.defaults().table(missing).node("app")));
        assertTrue(e.getMessage().startsWith("the outbox table " + missing + " cannot be used: SQL state "
                + (postgres() ? "42501: ERROR: permission denied for schema " + schema
                        : "42000: (conn=")), e.getMessage());
        if (!postgres()) {
            assertTrue(e.getMessage().contains("CREATE command denied to user '" + user + "'"), e.getMessage());
        }

        open(pool("owner", 1), DatabaseOutbox.Options.defaults().table(missing).node("owner")).close();
        execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + missing + " TO " + (postgres() ? user : "'" + user + "'@'%'"));
        DatabaseOutbox outbox = open(app, DatabaseOutbox.Options.defaults().table(missing).node("app"));
        assertEquals(Added.ACCEPTED, outbox.add("o-1", body("o-1")));
        Entry entry = outbox.next(0);
        outbox.delivered(entry, Fate.DELIVERED);
        clock.now = clock.now.plus(Duration.ofDays(31));
        assertEquals(1, outbox.prune(1));
    }

    @Test
    void refusal_anotherProduct_namesIt() {
        assertEquals("outboxDataSource is a H2 2.2.224 (2023-09-17) database; helloretail4j keeps conversions in"
                + " PostgreSQL 12, MySQL 8.0 or MariaDB 10.6 or newer",
                OutboxDialect.refusal("H2", "2.2.224 (2023-09-17)"));
        assertEquals("outboxDataSource is a Microsoft SQL Server 16.00.4135 database; helloretail4j keeps conversions"
                + " in PostgreSQL 12, MySQL 8.0 or MariaDB 10.6 or newer",
                OutboxDialect.refusal("Microsoft SQL Server", "16.00.4135"));
    }

    @Test
    void refusal_versionsTooOld_areRefusedNamingTheFirstTaken_theseAndLaterTaken() {
        assertEquals("outboxDataSource is PostgreSQL 11.22; helloretail4j needs PostgreSQL 12 or newer",
                OutboxDialect.refusal("PostgreSQL", "11.22"));
        assertEquals("outboxDataSource is MySQL 5.7.44; helloretail4j needs MySQL 8.0 or newer",
                OutboxDialect.refusal("MySQL", "5.7.44"));
        assertEquals("outboxDataSource is MariaDB 10.5.27-MariaDB; helloretail4j needs MariaDB 10.6 or newer",
                OutboxDialect.refusal("MariaDB", "10.5.27-MariaDB"));
        assertNull(OutboxDialect.refusal("PostgreSQL", "12.0"));
        assertNull(OutboxDialect.refusal("PostgreSQL", "17.2"));
        assertNull(OutboxDialect.refusal("MySQL", "8.0.36"));
        assertNull(OutboxDialect.refusal("MySQL", "9.1.0"));
        assertNull(OutboxDialect.refusal("MariaDB", "10.6.0-MariaDB"));
        assertNull(OutboxDialect.refusal("MariaDB", "10.11.18-MariaDB-0+deb12u1"));
        assertNull(OutboxDialect.refusal("MariaDB", "11.4.2-MariaDB"));
    }

    @Test
    void tableName_notAPlainLowerCaseName_isRefusedEchoingIt() {
        for (String bad : List.of("", "Outbox", "a.b.c", "x; DROP TABLE orders", "\"quoted\"", "1table", ".t",
                "t.", "a".repeat(56))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OutboxSchema.tableName(bad), bad);
            assertEquals("outboxTable must be a table name, optionally after its schema and a dot (helloretail_outbox,"
                    + " shop.helloretail_outbox), of lower-case letters, digits and _, the table at most 55"
                    + " characters: " + Messages.echo(bad), e.getMessage());
        }
        assertArrayEquals(new String[] {"shop.hr_1", "hr_1"}, OutboxSchema.tableName("shop.hr_1"));
        assertArrayEquals(new String[] {"a".repeat(55), "a".repeat(55)}, OutboxSchema.tableName("a".repeat(55)));
    }

    @Test
    void ddl_anotherTable_renamesTheTableAndEveryNameDerivedFromIt() throws IOException {
        String ddl = OutboxSchema.ddl(OutboxSchema.tableName("shop.conversions"));
        assertTrue(ddl.contains("CREATE TABLE IF NOT EXISTS shop.conversions ("), ddl);
        assertTrue(ddl.contains("CONSTRAINT conversions_order UNIQUE (website_uuid, order_number)"), ddl);
        assertTrue(ddl.contains("CREATE INDEX IF NOT EXISTS conversions_pending ON shop.conversions (website_uuid, id)"),
                ddl);
        assertTrue(ddl.contains("COMMENT ON TABLE shop.conversions IS 'helloretail4j outbox, version 1'"), ddl);
        assertFalse(ddl.contains("helloretail_outbox"), ddl);
    }

    // --- adding --------------------------------------------------------------------------------

    @Test
    void add_autoCommitPool_isCommittedAtOnce_andARepeatIsDuplicate() throws Exception {
        DatabaseOutbox outbox = open(pool("add", 1), "a");
        assertEquals(Added.ACCEPTED, outbox.add("o-1", body("o-1")));
        assertEquals(1, count("order_number = 'o-1' AND state = 'pending'"));
        assertEquals(Added.DUPLICATE, outbox.add("o-1", body("o-1")));
        assertEquals(1, count("true"));
    }

    @Test
    void add_poolWithoutAutoCommit_commitsItsOwnInsert() throws Exception {
        HikariDataSource ds = db.pool("manual", 1, false);
        toClose.add(ds);
        DatabaseOutbox outbox = open(ds, "a");
        assertEquals(Added.ACCEPTED, outbox.add("o-1", body("o-1")));
        assertEquals(1, count("order_number = 'o-1'"), "seen by another connection, so committed");
        assertEquals("o-1", outbox.next(0).orderNumber());
        assertEquals(0, ds.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void add_sameOrderNumberForAnotherWebsite_isItsOwnConversion() throws Exception {
        HikariDataSource ds = pool("websites", 2);
        DatabaseOutbox ours = open(ds, "a");
        DatabaseOutbox theirs = open(ds, OTHER_WEBSITE, base().node("b"));
        assertEquals(Added.ACCEPTED, ours.add("o-1", body("o-1")));
        assertEquals(Added.ACCEPTED, theirs.add("o-1", body("o-1")));
        assertEquals(1, ours.pending());
        Entry mine = ours.next(0);
        assertEquals("o-1", mine.orderNumber());
        assertNull(ours.next(mine.id()), "the other website's row is not ours to deliver");
        assertEquals(0, ours.pending());
        assertEquals(1, theirs.pending());
    }

    @Test
    void addOnConnection_insideTransaction_isInvisibleUntilCommit_andTheConnectionIsLeftAsGiven() throws Exception {
        DatabaseOutbox outbox = open(pool("tx", 1), "a");
        try (Connection shop = db.connect()) {
            shop.setAutoCommit(false);
            assertEquals(Added.ACCEPTED, outbox.add(shop, "o-1", body("o-1")));
            assertFalse(shop.getAutoCommit());
            assertEquals(0, count("true"), "not committed yet");
            assertNull(outbox.next(0), "no node delivers what may still roll back");
            shop.commit();
        }
        assertEquals("o-1", outbox.next(0).orderNumber());
    }

    @Test
    void addOnConnection_duplicateInTheShopsTransaction_doesNotAbortIt() throws Exception {
        createShopTable();
        DatabaseOutbox outbox = open(pool("dup", 1), "a");
        assertEquals(Added.ACCEPTED, outbox.add("o-0", body("o-0")));
        try (Connection shop = db.connect()) {
            shop.setAutoCommit(false);
            shopOrder(shop, "shop_" + table, "o-1");
            assertEquals(Added.ACCEPTED, outbox.add(shop, "o-1", body("o-1")));
            assertEquals(Added.DUPLICATE, outbox.add(shop, "o-1", body("o-1")), "repeated in the same transaction");
            assertEquals(Added.DUPLICATE, outbox.add(shop, "o-0", body("o-0")), "committed earlier by another node");
            shopOrder(shop, "shop_" + table, "o-2");
            shop.commit();
        }
        assertEquals(2, scalar("SELECT count(*) FROM shop_" + table), "the shop's transaction went on after the duplicates and committed");
        assertEquals(2, count("true"));
    }

    @Test
    void addOnConnection_rolledBack_leavesNothing_andTheOrderCanBeTrackedAgain() throws Exception {
        createShopTable();
        DatabaseOutbox outbox = open(pool("rollback", 1), "a");
        try (Connection shop = db.connect()) {
            shop.setAutoCommit(false);
            shopOrder(shop, "shop_" + table, "o-1");
            assertEquals(Added.ACCEPTED, outbox.add(shop, "o-1", body("o-1")));
            shop.rollback();
        }
        assertEquals(0, count("true"));
        assertNull(outbox.next(0));
        assertEquals(0, outbox.pending());
        assertEquals(Added.ACCEPTED, outbox.add("o-1", body("o-1")), "its order number was not remembered");
    }

    @Test
    void addOnConnection_sameOrderInTwoOpenTransactions_theSecondIsDuplicateOnceTheFirstCommits() throws Exception {
        DatabaseOutbox outbox = open(pool("two-tx", 1), "a");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Connection first = db.connect(); Connection second = db.connect()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            assertEquals(Added.ACCEPTED, outbox.add(first, "o-1", body("o-1")));
            // the second waits on the first's uncommitted row, as PostgreSQL's unique index makes it
            Future<Added> secondAdd = other.submit(() -> outbox.add(second, "o-1", body("o-1")));
            Thread.sleep(200);
            assertFalse(secondAdd.isDone());
            first.commit();
            assertEquals(Added.DUPLICATE, secondAdd.get(10, TimeUnit.SECONDS));
            second.commit();
        } finally {
            other.shutdownNow();
        }
        assertEquals(1, count("true"));
    }

    @Test
    void addOnConnection_closedConnection_throwsNamingTheOrderAndTheSqlState() throws Exception {
        DatabaseOutbox outbox = open(pool("closed", 1), "a");
        Connection shop = db.connect();
        shop.close();
        IOException e = assertThrows(IOException.class, () -> outbox.add(shop, "110-2347", body("110-2347")));
        assertTrue(e.getMessage().matches(postgres() ? "SQL state 08003: This connection has been closed\\."
                : "SQL state 08000: \\(conn=\\d+\\) Connection is closed"), e.getMessage());
        assertEquals(Added.ACCEPTED, outbox.add("110-2347", body("110-2347")), "nothing of it was kept");
    }

    @Test
    void add_databaseThatCannotStoreEveryCharacter_storesTheSameJsonEscaped() throws Exception {
        HikariDataSource latin1;
        if (kind == TestDatabase.Kind.POSTGRESQL) {
            String database = "latin1_" + table;
            execute("CREATE DATABASE " + database + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + ((PostgresCluster) db).port() + "/" + database);
            config.setUsername(db.user());
            config.setMaximumPoolSize(1);
            latin1 = new HikariDataSource(config);
            toClose.add(latin1);
        } else {
            // the shipped DDL, run by the shop's migration with its own default character set
            String ddl = OutboxSchema.ddl(OutboxSchema.MYSQL_DDL_RESOURCE, OutboxSchema.tableName(table))
                    .replace("utf8mb4_bin", "latin1_bin").replace("utf8mb4", "latin1");
            for (String statement : new OutboxDialect.MySql("MariaDB").ddlStatements(ddl)) {
                execute(statement);
            }
            latin1 = pool("latin1", 1);
        }
        DatabaseOutbox outbox = open(latin1, "a");
        byte[] json = "{\"orderNumber\":\"o-1\",\"email\":\"søren€@example.com\",\"productNumbers\":[\"\uD83D\uDC5F\"]}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(Added.ACCEPTED, outbox.add("o-1", json));
        Entry e = outbox.next(0);
        assertEquals(JSON.readTree(json), JSON.readTree(e.body()));
        assertEquals("{\"orderNumber\":\"o-1\",\"email\":\"s\\u00f8ren\\u20ac@example.com\",\"productNumbers\":"
                + "[\"\\ud83d\\udc5f\"]}", new String(e.body(), StandardCharsets.UTF_8));
    }

    @Test
    void asciiJson_asciiAlready_isTheSameString() {
        String json = "{\"a\":\"plain\"}";
        assertSame(json, DatabaseOutbox.asciiJson(json));
        assertEquals("\"\\u00e6\\u00f8\\u00e5\"", DatabaseOutbox.asciiJson("\"æøå\""));
    }

    // --- claiming ------------------------------------------------------------------------------

    @Test
    void take_claimsUpToTheLimitInOneStatement_withOneLease_thenWrapsAround() throws Exception {
        DatabaseOutbox a = open(pool("take-a", 1), "a");
        DatabaseOutbox b = open(pool("take-b", 1), "b");
        for (int i = 0; i < 6; i++) {
            a.add("o-" + i, body("o-" + i));
        }
        List<Entry> first = a.take(0, 3);
        assertEquals(List.of("o-0", "o-1", "o-2"), first.stream().map(Entry::orderNumber).toList());
        assertEquals(3, count("claimed_by = 'a'"), "exactly the limit claimed, not every row");
        assertEquals(1, scalar("SELECT count(DISTINCT lease_until) FROM " + table + " WHERE claimed_by = 'a'"),
                "one lease for the rows claimed together");
        assertEquals(List.of("o-3", "o-4"), b.take(0, 2).stream().map(Entry::orderNumber).toList(),
                "another node gets none of those held");
        a.release(first.get(0));
        assertEquals(List.of("o-5", "o-0"), a.take(first.get(2).id(), 5).stream().map(Entry::orderNumber).toList(),
                "after the newest the oldest no node holds");
        a.delivered(List.of(new Outbox.Done(first.get(1), Fate.DELIVERED), new Outbox.Done(first.get(2),
                Fate.NOT_TRACKED)));
        assertEquals(1, count("order_number = 'o-1' AND state = 'delivered' AND body IS NULL"));
        assertEquals(1, count("order_number = 'o-2' AND state = 'not_tracked' AND body IS NULL"));
    }

    @Test
    void next_wrapsAroundToTheOldest_andReturnsTheBody() throws Exception {
        DatabaseOutbox outbox = open(pool("wrap", 1), "a");
        for (int i = 0; i < 3; i++) {
            outbox.add("o-" + i, body("o-" + i));
        }
        Entry first = outbox.next(0);
        assertEquals("o-0", first.orderNumber());
        assertEquals(clock.millis(), first.createdAtMillis());
        assertArrayEquals(body("o-0"), first.body());
        assertNull(first.lastFailure());
        Entry second = outbox.next(first.id());
        assertEquals("o-1", second.orderNumber());
        outbox.failedAttempt(second, new Outcome(Outcome.Type.RETRY, 503, "busy", null));
        outbox.failedAttempt(first, new Outcome(Outcome.Type.RETRY, 503, "busy", null));
        Entry third = outbox.next(second.id());
        assertEquals("o-2", third.orderNumber());
        assertEquals("o-0", outbox.next(third.id()).orderNumber(), "after the newest comes the oldest again");
    }

    @Test
    void next_twoOutboxesOnOneTable_claimsNeverOverlap_andEveryRowIsDeliveredOnce() throws Exception {
        int rows = 600;
        DatabaseOutbox a = open(pool("node-a", 3), "node-a");
        DatabaseOutbox b = open(pool("node-b", 3), "node-b");
        for (int i = 0; i < rows; i++) {
            (i % 2 == 0 ? a : b).add("o-" + i, body("o-" + i));
        }
        Map<Long, String> claims = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        Map<String, AtomicInteger> perNode = Map.of("node-a", new AtomicInteger(), "node-b", new AtomicInteger());
        int threadsPerNode = 2;
        ExecutorService threads = Executors.newFixedThreadPool(2 * threadsPerNode);
        CyclicBarrier start = new CyclicBarrier(2 * threadsPerNode);
        List<Future<?>> done = new ArrayList<>();
        for (DatabaseOutbox outbox : List.of(a, b)) {
            for (int t = 0; t < threadsPerNode; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    long cursor = 0;
                    Entry e;
                    while ((e = outbox.next(cursor)) != null) {
                        if (claims.putIfAbsent(e.id(), outbox.nodeName()) != null) {
                            overlaps.incrementAndGet();
                        }
                        perNode.get(outbox.nodeName()).incrementAndGet();
                        // hold the claim a moment, as an attempt does, so that a second claim could happen
                        Thread.sleep(0, 200_000);
                        outbox.delivered(e, Fate.DELIVERED);
                        cursor = e.id();
                    }
                    return null;
                }));
            }
        }
        try {
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, overlaps.get(), "rows claimed twice");
        assertEquals(rows, claims.size());
        assertEquals(rows, count("state = 'delivered' AND attempts = 1 AND body IS NULL AND claimed_by IS NULL"));
        assertTrue(perNode.get("node-a").get() > 0 && perNode.get("node-b").get() > 0,
                "both nodes delivered: " + perNode);
    }

    @Test
    void next_rowLockedByAnotherTransaction_isSkippedWithoutWaiting() throws Exception {
        DatabaseOutbox outbox = open(pool("skip", 1), "a");
        outbox.add("o-1", body("o-1"));
        outbox.add("o-2", body("o-2"));
        try (Connection operator = db.connect(); Statement s = operator.createStatement()) {
            operator.setAutoCommit(false);
            // by its key, as a shop's statement would: a statement that scans the table locks every row it
            // reads under MySQL's repeatable read, and SKIP LOCKED would then rightly skip them all
            s.executeQuery("SELECT * FROM " + table + " WHERE website_uuid = '" + WEBSITE
                    + "' AND order_number = 'o-1' FOR UPDATE").close();
            long start = System.nanoTime();
            assertEquals("o-2", outbox.next(0).orderNumber());
            assertNull(outbox.next(0), "o-1 is still locked, o-2 is claimed");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "no waiting on the lock");
            operator.rollback();
        }
        assertEquals("o-1", outbox.next(0).orderNumber());
    }

    @Test
    void next_leaseRunsOut_anotherOutboxTakesTheRow() throws Exception {
        DatabaseOutbox.Options shortLease = base().lease(Duration.ofMillis(1500));
        DatabaseOutbox dying = open(pool("dying", 1), shortLease.node("dying"));
        DatabaseOutbox alive = open(pool("alive", 1), shortLease.node("alive"));
        dying.add("o-1", body("o-1"));
        Entry held = dying.next(0);
        assertEquals("o-1", held.orderNumber());
        assertNull(alive.next(0), "held by the other node while its lease lasts");
        assertEquals(0, alive.pending(), "held by another node: not this node's to wait for");
        Thread.sleep(1700);
        Entry taken = alive.next(0);
        assertNotNull(taken, "the lease ran out");
        assertEquals(held.id(), taken.id());
        assertEquals(1, count("claimed_by = 'alive' AND attempts = 2"));
        alive.delivered(taken, Fate.DELIVERED);
        dying.delivered(held, Fate.DELIVERED); // the late answer of a node that came back changes nothing
        assertEquals(1, count("state = 'delivered'"));
    }

    @Test
    void failedAttempt_releasesTheClaim_andAnotherNodeSeesTheFailure() throws Exception {
        DatabaseOutbox a = open(pool("fail-a", 1), "a");
        DatabaseOutbox b = open(pool("fail-b", 1), "b");
        a.add("o-1", body("o-1"));
        Entry e = a.next(0);
        assertNull(b.next(0));
        a.failedAttempt(e, new Outcome(Outcome.Type.RETRY, 503, "Service Unavailable", Duration.ofSeconds(5)));
        Entry retried = b.next(0);
        assertEquals(e.id(), retried.id());
        assertEquals(new Outcome(Outcome.Type.RETRY, 503, "Service Unavailable", null), retried.lastFailure());
        b.failedAttempt(retried, new Outcome(Outcome.Type.RETRY, 0, "Connection refused", null));
        assertEquals(new Outcome(Outcome.Type.RETRY, 0, "Connection refused", null), a.next(0).lastFailure());
        assertEquals(1, count("last_status IS NULL AND last_message = 'Connection refused' AND attempts = 3"));
    }

    @Test
    void failedAttempts_aWindowCaughtByAnOutage_inOneTransaction_releasingOnlyWhatCannotHaveArrived()
            throws Exception {
        HikariDataSource pool = pool("failed-batch", 1);
        AtomicInteger borrowed = new AtomicInteger();
        DataSource counting = (DataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        borrowed.incrementAndGet();
                    }
                    try {
                        return method.invoke(pool, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        DatabaseOutbox a = open(counting, "a");
        DatabaseOutbox b = open(pool("failed-batch-b", 1), "b");
        for (int i = 0; i < 3; i++) {
            a.add("o-" + i, body("o-" + i));
        }
        List<Entry> window = a.take(0, 3);
        borrowed.set(0);
        a.failedAttempts(List.of(
                new Outbox.Failed(window.get(0), new Outcome(Outcome.Type.RETRY, 503, "Service Unavailable", null)),
                new Outbox.Failed(window.get(1), new Outcome(Outcome.Type.RETRY, 0, "no complete answer within 3000 ms",
                        null, true)),
                new Outbox.Failed(window.get(2), new Outcome(Outcome.Type.RETRY, 0, "Connection refused", null))));
        assertEquals(1, borrowed.get(), "the window's failures recorded on one connection, in one transaction");
        List<Entry> retried = b.take(0, 3);
        assertEquals(List.of("o-0", "o-2"), retried.stream().map(Entry::orderNumber).toList(),
                "another node may send at once what cannot have arrived, not the one that may have");
        assertEquals(new Outcome(Outcome.Type.RETRY, 503, "Service Unavailable", null), retried.get(0).lastFailure());
        assertEquals(new Outcome(Outcome.Type.RETRY, 0, "Connection refused", null), retried.get(1).lastFailure());
        assertEquals(1, count("order_number = 'o-1' AND claimed_by = 'a' AND last_message LIKE 'no complete answer%'"));
    }

    @Test
    void failedAttempt_afterAnotherNodeTookTheRow_leavesTheOtherNodesClaim() throws Exception {
        DatabaseOutbox.Options shortLease = base().lease(Duration.ofMillis(300));
        DatabaseOutbox slow = open(pool("slow", 1), shortLease.node("slow"));
        DatabaseOutbox other = open(pool("other", 1), shortLease.lease(Duration.ofMinutes(1)).node("other"));
        slow.add("o-1", body("o-1"));
        Entry e = slow.next(0);
        Thread.sleep(500);
        assertNotNull(other.next(0));
        slow.failedAttempt(e, new Outcome(Outcome.Type.RETRY, 500, "late", null));
        assertEquals(1, count("claimed_by = 'other' AND lease_until > now() AND last_message = 'late'"));
    }

    @Test
    void failedAttempt_whoseRequestMayHaveArrived_keepsTheLease_soNoNodeSendsItAgainAtOnce() throws Exception {
        DatabaseOutbox.Options shortLease = base().lease(Duration.ofMillis(800));
        DatabaseOutbox a = open(pool("unknown-a", 1), shortLease.node("a"));
        DatabaseOutbox b = open(pool("unknown-b", 1), shortLease.node("b"));
        a.add("o-1", body("o-1"));
        Entry e = a.next(0);
        a.failedAttempt(e, new Outcome(Outcome.Type.RETRY, 0, "no complete answer within 3000 ms", null, true));
        assertNull(b.next(0), "held by a until its lease ends");
        assertNull(a.next(0), "not even a sends it again before then");
        assertEquals(1, count("claimed_by = 'a' AND last_message = 'no complete answer within 3000 ms'"));
        Thread.sleep(1000);
        assertEquals(e.id(), b.next(0).id());
    }

    @Test
    void release_ofARowNotAttempted_handsItToAnotherNodeAtOnce() throws Exception {
        DatabaseOutbox leaving = open(pool("leaving", 1), "leaving");
        DatabaseOutbox staying = open(pool("staying", 1), "staying");
        leaving.add("o-1", body("o-1"));
        Entry e = leaving.next(0);
        assertNull(staying.next(0));
        leaving.release(e);
        assertEquals("o-1", staying.next(0).orderNumber());
        assertEquals(1, count("claimed_by = 'staying' AND attempts = 1"), "the release undid the claim's attempt");
    }

    @Test
    void close_keepsWhatTheNodeHeld_untilItsLeaseEnds() throws Exception {
        DatabaseOutbox.Options shortLease = base().lease(Duration.ofMillis(800));
        DatabaseOutbox leaving = open(pool("leaving", 1), shortLease.node("leaving"));
        DatabaseOutbox staying = open(pool("staying", 1), shortLease.node("staying"));
        leaving.add("o-1", body("o-1"));
        assertNotNull(leaving.next(0));
        leaving.close();
        leaving.close();
        assertNull(staying.next(0), "its request may be on its way: not sent again at once");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> leaving.add("o-2", body("o-2")));
        assertEquals("the outbox is closed", e.getMessage());
        Thread.sleep(1000);
        assertEquals("o-1", staying.next(0).orderNumber());
    }

    @Test
    void recovered_countsWhatWaitsWhenOpened() throws Exception {
        HikariDataSource ds = pool("recover", 1);
        DatabaseOutbox first = open(ds, "first");
        for (int i = 0; i < 5; i++) {
            first.add("o-" + i, body("o-" + i));
        }
        first.delivered(first.next(0), Fate.DELIVERED);
        first.next(0); // still held by "first" when the second opens
        DatabaseOutbox second = open(ds, "second");
        assertEquals(3, second.recovered(), "not the delivered one, nor the one another node holds");
        assertEquals(3, first.pending());
    }

    // --- outcomes ------------------------------------------------------------------------------

    @Test
    void delivered_clearsTheBody_andTheOrderNumberStaysRemembered() throws Exception {
        DatabaseOutbox outbox = open(pool("delivered", 1), "a");
        outbox.add("o-1", body("o-1"));
        outbox.add("o-2", body("o-2"));
        outbox.delivered(outbox.next(0), Fate.DELIVERED);
        outbox.delivered(outbox.next(0), Fate.NOT_TRACKED);
        assertEquals(1, count("order_number = 'o-1' AND state = 'delivered' AND body IS NULL AND done_at IS NOT NULL"));
        assertEquals(1, count("order_number = 'o-2' AND state = 'not_tracked' AND body IS NULL"));
        assertNull(outbox.next(0));
        assertEquals(Added.DUPLICATE, outbox.add("o-1", body("o-1")));
    }

    @Test
    void deadLetter_keepsReasonStatusMessageAndBody_andIsNotHandedOutAgain() throws Exception {
        DatabaseOutbox outbox = open(pool("dead", 1), "a");
        outbox.add("o-1", body("o-1"));
        Entry e = outbox.next(0);
        Instant now = clock.instant().plusSeconds(5);
        outbox.deadLetter(e, "rejected", new Outcome(Outcome.Type.REJECTED, 400, "Website not found", null), now);
        assertEquals(List.of("dead", "rejected", "400", "Website not found", new String(body("o-1"),
                        StandardCharsets.UTF_8), "true"),
                query("SELECT state, dead_reason, last_status, last_message, body, done_at FROM " + table, rs -> {
                    rs.next();
                    Instant doneAt = postgres() ? rs.getObject(6, java.time.OffsetDateTime.class).toInstant()
                            : rs.getObject(6, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC);
                    return List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), String.valueOf(doneAt.equals(now)));
                }));
        assertNull(outbox.next(0));
        assertEquals(0, outbox.pending());
        assertEquals(Added.DUPLICATE, outbox.add("o-1", body("o-1")), "a dead letter's order is not taken again");

        // docs/several-nodes.md's statement for sending a dead letter again
        execute("UPDATE " + table + " SET state = 'pending', created_at = " + (postgres() ? "now()" : "UTC_TIMESTAMP(6)")
                + ", done_at = NULL, dead_reason = NULL WHERE order_number = 'o-1' AND state = 'dead'");
        Entry again = outbox.next(0);
        assertEquals("o-1", again.orderNumber());
        assertArrayEquals(body("o-1"), again.body());
    }

    @Test
    void deadLetter_expiredWithoutAnAnswerOfItsOwn_keepsTheLastFailureAnyNodeRecorded() throws Exception {
        DatabaseOutbox a = open(pool("expire-a", 1), "a");
        DatabaseOutbox b = open(pool("expire-b", 1), "b");
        a.add("o-1", body("o-1"));
        a.failedAttempt(a.next(0), new Outcome(Outcome.Type.RETRY, 500, "Internal error", null));
        b.deadLetter(b.next(0), "expired", null, clock.instant());
        assertEquals(1, count("state = 'dead' AND dead_reason = 'expired' AND last_status = 500"
                + " AND last_message = 'Internal error' AND claimed_by IS NULL"));
    }

    @Test
    void prune_deletesDeliveredRowsPastTheWindow_inBatches_andKeepsTheRest() throws Exception {
        DatabaseOutbox outbox = open(pool("prune", 1),
                base().node("a").pruning(Duration.ofDays(1), 100));
        for (int i = 0; i < 250; i++) {
            outbox.add("old-" + i, body("old-" + i));
        }
        Entry e;
        while ((e = outbox.next(0)) != null) {
            outbox.delivered(e, Fate.DELIVERED);
        }
        outbox.add("old-dead", body("old-dead"));
        outbox.deadLetter(outbox.next(0), "rejected", new Outcome(Outcome.Type.REJECTED, 400, "bad", null),
                clock.instant());
        outbox.add("old-pending", body("old-pending"));
        clock.now = clock.now.plus(Duration.ofDays(29));
        outbox.add("recent", body("recent"));
        outbox.delivered(outbox.next(outbox.next(0).id()), Fate.DELIVERED);
        clock.now = clock.now.plus(Duration.ofDays(2)); // the old ones are 31 days old, "recent" 2 days

        assertEquals(100, outbox.prune(1), "one batch");
        assertEquals(150, outbox.prune(10), "batches until one comes back short");
        assertEquals(0, outbox.prune(10));
        assertEquals(3, count("true"));
        assertEquals(1, count("order_number = 'old-dead' AND state = 'dead'"));
        assertEquals(1, count("order_number = 'old-pending' AND state = 'pending'"));
        assertEquals(Added.ACCEPTED, outbox.add("old-7", body("old-7")), "its order number was forgotten");
        assertEquals(Added.DUPLICATE, outbox.add("recent", body("recent")), "still within the window");
    }

    @Test
    void next_whenAPruningRoundIsDue_prunesOnItsOwn() throws Exception {
        DatabaseOutbox outbox = open(pool("auto-prune", 1),
                base().node("a").pruning(Duration.ofMillis(1), 2));
        for (int i = 0; i < 5; i++) {
            outbox.add("old-" + i, body("old-" + i));
            outbox.delivered(outbox.next(0), Fate.DELIVERED);
        }
        assertEquals(5, count("state = 'delivered'"), "within the window: kept");
        clock.now = clock.now.plus(Duration.ofDays(31));
        Thread.sleep(2);
        assertNull(outbox.next(0));
        assertEquals(0, count("true"), "in batches of 2 within one round");
    }

    // --- faults and resources ------------------------------------------------------------------

    @Test
    void databaseStopped_addAndNextThrowClearly_thenTheSameOutboxWorksAgain_andNothingIsLost() throws Exception {
        HikariDataSource ds = pool("restart", 2);
        DatabaseOutbox outbox = open(ds, "a");
        for (int i = 0; i < 20; i++) {
            outbox.add("o-" + i, body("o-" + i));
        }
        assertEquals(20, outbox.pending());
        db.stop();
        try {
            IOException add = assertThrows(IOException.class, () -> outbox.add("110-2347", body("110-2347")));
            // PostgreSQL: 57P01 from a pooled connection the server ended as it stopped, 08001 from a
            // new one; MariaDB: 08000 for both
            String states = postgres() ? "(08001|57P01)" : "08000";
            assertTrue(add.getMessage().matches("SQL state " + states + ": .+"), add.getMessage());
            IOException next = assertThrows(IOException.class, () -> outbox.next(0));
            assertTrue(next.getMessage().matches("could not claim the next conversion: SQL state " + states + ": .+"),
                    next.getMessage());
            long before = System.nanoTime();
            assertEquals(20, outbox.pending(), "the last count while the database cannot be asked");
            assertTrue(System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(500),
                    "answered from memory, without waiting for the pool's connection timeout (1 s here)");
        } finally {
            db.restart();
        }
        // The pool may take a moment to connect again (HikariCP backs off after failed connects).
        Object again = Await.until("the outbox to take an add after the restart", Duration.ofSeconds(10), () -> {
            try {
                return outbox.add("110-2347", body("110-2347"));
            } catch (IOException stillDown) {
                return stillDown; // shown if the wait fails
            }
        }, r -> r instanceof Added);
        assertEquals(Added.ACCEPTED, again, "nothing of the failed add was kept");
        Set<String> delivered = new HashSet<>();
        Entry e;
        long cursor = 0;
        while ((e = outbox.next(cursor)) != null) {
            delivered.add(e.orderNumber());
            outbox.delivered(e, Fate.DELIVERED);
            cursor = e.id();
        }
        assertEquals(21, delivered.size());
        assertTrue(delivered.contains("110-2347") && delivered.contains("o-0") && delivered.contains("o-19"));
    }

    @Test
    void everyOperation_returnsItsConnection_noneHeldWhileIdle() throws Exception {
        HikariDataSource ds = pool("idle", 1);
        DatabaseOutbox a = open(ds, "a");
        DatabaseOutbox b = open(pool("idle-b", 1), "b");
        // a pool of one: any connection kept would make the next operation time out
        for (int i = 0; i < 5; i++) {
            a.add("o-" + i, body("o-" + i));
            assertEquals(Added.DUPLICATE, a.add("o-" + i, body("o-" + i)));
        }
        a.delivered(a.next(0), Fate.DELIVERED);
        a.failedAttempt(a.next(0), new Outcome(Outcome.Type.RETRY, 503, "busy", null));
        a.deadLetter(a.next(0), "rejected", null, clock.instant());
        b.next(0);
        a.pending();
        a.prune(3);
        a.sync();
        assertEquals(0, ds.getHikariPoolMXBean().getActiveConnections());
        assertEquals(0, scalar(postgres()
                ? "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'idle' AND state <> 'idle'"
                : "SELECT count(*) FROM information_schema.innodb_trx"), "no transaction left open on the pool's connection");
    }
}
