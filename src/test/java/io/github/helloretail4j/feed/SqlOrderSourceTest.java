package io.github.helloretail4j.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.testing.LogCapture;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/** The query's rows made orders, on a real PostgreSQL with a shop's two tables. */
@ExtendWith(PostgresExtension.class)
class SqlOrderSourceTest {

    private static final Instant FROM = Instant.parse("2024-05-09T22:00:00Z");
    private static final Instant TO = Instant.parse("2024-05-12T10:04:05Z");

    private final PostgresCluster pg;
    private final ShopSchema shop;
    private final HikariDataSource pool;

    SqlOrderSourceTest(PostgresCluster pg) throws SQLException {
        this.pg = pg;
        this.shop = new ShopSchema(pg);
        this.pool = pg.pool("feed-" + shop.orders, 2);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private SqlOrderSource source(String query) {
        return SqlOrderSource.builder().dataSource(pool).query(query).build();
    }

    private static OrderLine line(String number, String url, int quantity, String total) {
        return OrderLine.builder().productNumber(number).url(url).quantity(quantity).lineTotal(new BigDecimal(total))
                .build();
    }

    private List<FeedOrder> read(SqlOrderSource source, Instant from, Instant to) {
        try (Stream<FeedOrder> orders = source.orders(from, to)) {
            return orders.toList();
        }
    }

    @Test
    void orders_joinOfOrdersAndLines_areGroupedPerOrderInTheWindow() throws SQLException {
        shop.order("before", FROM.minusMillis(1), "10.00", "a@example.com", null);
        long first = shop.order("110-2347", FROM, "2185.85", "customer@example.com", 53967L);
        shop.line(first, 1, "p-1234", "https://shop.example/p/1234", "1", "785.95")
                .line(first, 2, "p-4567", null, "2", "1399.90")
                .line(first, 3, null, "https://shop.example/p/89", "1", "0.00");
        long second = shop.order("110-2348", TO.minusSeconds(60), "1000", "guest@example.com", null);
        shop.line(second, 1, "p-1", null, "4.00", "1000");
        long atEnd = shop.order("at-the-end", TO, "10.00", "b@example.com", null);
        shop.line(atEnd, 1, "p-2", null, "1", "10.00");
        shop.line(shop.order("before-line", FROM.minusMillis(1), "1", "c@example.com", null), 1, "p", null, "1", "1");

        assertEquals(List.of(
                FeedOrder.builder().orderNumber("110-2347").date(FROM).total(new BigDecimal("2185.85"))
                        .email("customer@example.com").customerId("53967")
                        .lines(List.of(line("p-1234", "https://shop.example/p/1234", 1, "785.95"),
                                line("p-4567", null, 2, "1399.90"), line(null, "https://shop.example/p/89", 1, "0.00")))
                        .build(),
                FeedOrder.builder().orderNumber("110-2348").date(TO.minusSeconds(60)).total(new BigDecimal("1000.00"))
                        .email("guest@example.com").lines(List.of(line("p-1", null, 4, "1000.00"))).build()),
                read(source(shop.query()), FROM, TO));
        assertEquals(List.of(), read(source(shop.query()), TO.plusSeconds(1), TO.plusSeconds(2)));
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void orders_rowsThatMakeNoOrder_areLeftOutAndLoggedNamingTheOrderAndTheField() throws SQLException {
        shop.line(shop.order("o-1", FROM.plusSeconds(1), "10.00", "a@example.com", null), 1, "p-1", null, "1", "10.00");
        shop.line(shop.order("o-2", FROM.plusSeconds(2), "10.00", null, null), 1, "p-2", null, "1", "10.00");
        long third = shop.order("o-3", FROM.plusSeconds(3), "10.00", "c@example.com", null);
        shop.line(third, 1, "p-3", null, "1", "5.00").line(third, 2, "p-9", null, "0", "5.00");
        shop.line(shop.order("o-4", FROM.plusSeconds(4), "10.00", "d@example.com", null), 1, "p-4", null, "1.5", "10.00");
        shop.line(shop.order("o-5", FROM.plusSeconds(5), "-1.00", "not-an-address", null), 1, null, null, "1", "1");
        shop.line(shop.order("o-6", FROM.plusSeconds(6), "10.00", "f@example.com", 6L), 1, "p-6", null, "1", "10.00");
        try (LogCapture log = new LogCapture()) {
            List<FeedOrder> orders = read(source(shop.query()), FROM, TO);
            assertEquals(List.of("o-1", "o-6"), orders.stream().map(FeedOrder::orderNumber).toList());
            String prefix = "WARN io.github.helloretail4j.feed - order feed: an order is left out: ";
            assertTrue(log.text().contains(prefix + "order \"o-2\": email is required\n"), log.text());
            assertTrue(log.text().contains(prefix + "order \"o-3\": order line \"p-9\": quantity must be at least 1: 0\n"),
                    log.text());
            assertTrue(log.text().contains(prefix + "order \"o-4\": order line \"p-4\": quantity must be a whole number"
                    + " from 1 to 2147483647: 1.50\n"), log.text());
            // The order's own problem comes first; an email is never logged whole.
            assertTrue(log.text().contains(prefix + "order \"o-5\": total must be zero or more, with at most 32"
                    + " characters in plain notation: -1.00\n"), log.text());
            assertFalse(log.text().contains("not-an-address"), log.text());
        }
    }

    @Test
    void check_queryWithoutAColumn_failsNamingItAndWhatTheQueryHas() {
        String query = shop.query().replace(" o.customer_id,", "");
        var e = assertThrows(IllegalStateException.class, () -> source(query).check());
        assertEquals("the order feed's query has no column customer_id (it needs order_number, order_date, total,"
                + " email, customer_id, product_number, product_url, quantity, line_total; it has order_number,"
                + " order_date, total, email, product_number, product_url, quantity, line_total): "
                + Messages.echo(query), e.getMessage());
        String twoMissing = shop.query().replace("l.sku AS product_number", "l.sku").replace("o.placed_at AS order_date",
                "o.placed_at");
        assertTrue(assertThrows(IllegalStateException.class, () -> source(twoMissing).check()).getMessage()
                .startsWith("the order feed's query has no column order_date, product_number (it needs "));
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void check_queryTheDatabaseRefuses_failsWithWhatTheDatabaseSaid() {
        String oneParameter = shop.query().replace(" AND o.placed_at < ?", "");
        String message = assertThrows(IllegalStateException.class, () -> source(oneParameter).check()).getMessage();
        assertTrue(message.startsWith("the order feed's query failed (PSQLException: The column index is out of"
                + " range: 2, number of columns: 1.): \"SELECT"), message);
        message = assertThrows(IllegalStateException.class, () -> source("SELEKT ?, ?").check()).getMessage();
        assertTrue(message.startsWith("the order feed's query failed (PSQLException: ERROR: syntax error at or near"
                + " \"SELEKT\""), message);
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void check_goodQuery_passesAndDropsATrailingSemicolon() throws SQLException {
        SqlOrderSource source = source(shop.query() + " ;\n");
        source.check();
        assertEquals("SqlOrderSource{query=" + Messages.echo(shop.query()) + ", queryTimeout=60s, fetchSize=1000}",
                source.toString());
    }

    @Test
    void check_databaseUnreachable_throwsSqlException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        nowhere.setConnectTimeout(2);
        SqlOrderSource source = SqlOrderSource.builder().dataSource(nowhere).query(shop.query()).build();
        assertThrows(SQLException.class, source::check);
        var e = assertThrows(IllegalStateException.class, () -> source.orders(FROM, TO));
        assertTrue(e.getMessage().startsWith("order feed: no connection from the data source (PSQLException:"),
                e.getMessage());
    }

    @Test
    void orders_queryThatWrites_isRefusedByTheReadOnlyTransaction() throws SQLException {
        String writing = "WITH w AS (INSERT INTO " + shop.orders + " (number, placed_at) VALUES ('sneaky', now())"
                + " RETURNING *) " + shop.query();
        var e = assertThrows(IllegalStateException.class, () -> source(writing).orders(FROM, TO));
        assertTrue(e.getMessage().contains("in a read-only transaction"), e.getMessage());
        try (Connection c = pg.connect(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM " + shop.orders + " WHERE number = 'sneaky'")) {
            rs.next();
            assertEquals(0, rs.getLong(1));
        }
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void orders_slowQuery_isCancelledAfterTheQueryTimeout() {
        SqlOrderSource slow = SqlOrderSource.builder().dataSource(pool).queryTimeout(Duration.ofSeconds(1))
                .query(shop.query().replace("FROM ", "FROM pg_sleep(10), ")).build();
        long start = System.nanoTime();
        var e = assertThrows(IllegalStateException.class, () -> slow.orders(FROM, TO));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("canceling statement due to user request"), e.getMessage());
        assertTrue(millis < 5000, millis + " ms");
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
    }

    /**
     * Fifty million rows the server makes as they are read: read whole, they would not fit this
     * JVM; the first orders come at once because the rows come through a cursor, a batch at a time.
     */
    @Test
    void orders_hugeResult_isStreamedAndClosingEarlyReturnsTheConnection() {
        SqlOrderSource source = SqlOrderSource.builder().dataSource(pool).fetchSize(100)
                .query(ShopSchema.generatedQuery(50_000_000)).build();
        long start = System.nanoTime();
        try (Stream<FeedOrder> orders = source.orders(FROM, TO)) {
            Iterator<FeedOrder> i = orders.iterator();
            for (int n = 1; n <= 1000; n++) {
                assertEquals("o-" + n, i.next().orderNumber());
            }
            assertEquals(1, pool.getHikariPoolMXBean().getActiveConnections());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
    }

    @Test
    void orders_readToTheEnd_returnsTheConnectionBeforeTheStreamIsClosed() {
        SqlOrderSource source = source(ShopSchema.generatedQuery(3));
        try (Stream<FeedOrder> orders = source.orders(FROM, TO)) {
            Iterator<FeedOrder> i = orders.iterator();
            i.next();
            i.next();
            i.next();
            assertFalse(i.hasNext());
            assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
        }
    }

    @Test
    void orders_closed_restoresAutoCommitAndReadOnlyOfTheConnection() throws SQLException {
        try (Connection connection = pg.connect()) {
            DataSource single = new OneConnection(connection);
            SqlOrderSource source = SqlOrderSource.builder().dataSource(single)
                    .query(ShopSchema.generatedQuery(10_000)).fetchSize(10).build();
            try (Stream<FeedOrder> orders = source.orders(FROM, TO)) {
                orders.iterator().next();
                assertFalse(connection.getAutoCommit());
                assertTrue(connection.isReadOnly());
            }
            assertTrue(connection.getAutoCommit());
            assertFalse(connection.isReadOnly());
            // No transaction left open: a write works and is committed.
            try (var s = connection.createStatement()) {
                s.execute("INSERT INTO " + shop.orders + " (number, placed_at) VALUES ('after', now())");
            }
        }
    }

    @Test
    void build_badSettings_nameTheField() {
        assertEquals("dataSource is required", assertThrows(IllegalStateException.class,
                () -> SqlOrderSource.builder().query("SELECT 1").build()).getMessage());
        assertEquals("query is required", assertThrows(IllegalStateException.class,
                () -> SqlOrderSource.builder().dataSource(pool).build()).getMessage());
        assertEquals("query must be an SQL query: \" ; \"", assertThrows(IllegalArgumentException.class,
                () -> SqlOrderSource.builder().dataSource(pool).query(" ; ").build()).getMessage());
        assertEquals("queryTimeout must be whole seconds, at least 1: PT0.5S", assertThrows(
                IllegalArgumentException.class, () -> SqlOrderSource.builder().dataSource(pool).query("SELECT 1")
                        .queryTimeout(Duration.ofMillis(500)).build()).getMessage());
        assertEquals("queryTimeout must be whole seconds, at least 1: null", assertThrows(
                IllegalArgumentException.class, () -> SqlOrderSource.builder().dataSource(pool).query("SELECT 1")
                        .queryTimeout(null).build()).getMessage());
        assertEquals("fetchSize must be from 1 to 100000: 0", assertThrows(IllegalArgumentException.class,
                () -> SqlOrderSource.builder().dataSource(pool).query("SELECT 1").fetchSize(0).build()).getMessage());
    }

    /** One real connection, handed out again and again; its close() does nothing. */
    private static final class OneConnection implements DataSource {
        private final Connection connection;

        OneConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection getConnection() {
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> method.getName().equals("close")
                            ? null : invoke(method, args));
        }

        private Object invoke(java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(connection, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Connection getConnection(String user, String password) {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
