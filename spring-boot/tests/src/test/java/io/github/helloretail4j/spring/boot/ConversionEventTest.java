package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.testkit.StandInCollector;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Order completion as a Spring event: a checkout that publishes its {@link Conversion} inside
 * {@code @Transactional}, with the database outbox on the application's DataSource and with the
 * file outbox, committing or rolling back; and one without a transaction. Runs in a surefire
 * execution of its own, the only one with Spring JDBC on the class path (see the pom).
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
class ConversionEventTest {

    static PostgresCluster pg;
    static StandInCollector collector;
    static String table;

    @TempDir
    Path outbox;

    @BeforeAll
    static void start(PostgresCluster cluster) throws SQLException {
        pg = cluster;
        collector = StandInCollector.start().timeout(java.time.Duration.ofSeconds(30));
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS event_orders (order_number varchar(64) PRIMARY KEY)");
        }
    }

    @AfterAll
    static void stop() {
        collector.close();
    }

    /** The shop's checkout: its order row and its conversion, published as an event, in one transaction. */
    public static class Checkout {
        private final ApplicationEventPublisher events;
        private final JdbcTemplate jdbc;
        private final HelloRetailTracker tracker;

        public Checkout(ApplicationEventPublisher events, DataSource dataSource, HelloRetailTracker tracker) {
            this.events = events;
            this.jdbc = new JdbcTemplate(dataSource);
            this.tracker = tracker;
        }

        /** Commits, or throws after publishing (the payment failed) and so rolls back. */
        @Transactional
        public What placeOrder(String orderNumber, boolean paymentFails) {
            jdbc.update("INSERT INTO event_orders (order_number) VALUES (?)", orderNumber);
            events.publishEvent(conversion(orderNumber, Shop.ID));
            What inside = What.now(jdbc, tracker, orderNumber);
            if (paymentFails) {
                throw new IllegalStateException("payment refused");
            }
            return inside;
        }

        /** A read-only transaction: the database refuses every write in it, the outbox's too. */
        @Transactional(readOnly = true)
        public void placeOrderReadOnly(String orderNumber) {
            events.publishEvent(conversion(orderNumber, Shop.ID));
        }

        public void placeOrderWithoutTransaction(String orderNumber) {
            events.publishEvent(conversion(orderNumber, Shop.ID));
        }
    }

    /** What the checkout's own transaction saw right after publishing. */
    record What(long outboxRowsOnTheTransactionsConnection, long outboxRowsOnAnotherConnection,
                long conversionsTracked) {
        static What now(JdbcTemplate jdbc, HelloRetailTracker tracker, String orderNumber) {
            if (table == null) {
                return new What(-1, -1, tracker.metrics().conversions().tracked());
            }
            try {
                return new What(jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE order_number = ?",
                        Long.class, orderNumber), rows(orderNumber), tracker.metrics().conversions().tracked());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A page of the shop that completes an order during the visitor's request. */
    @RestController
    public static class ThankYouPage {
        private final ApplicationEventPublisher events;

        public ThankYouPage(ApplicationEventPublisher events) {
            this.events = events;
        }

        @PostMapping("/thank-you")
        public String thankYou(@RequestParam String order) {
            events.publishEvent(conversion(order, null));
            return "thanks";
        }
    }

    static Conversion conversion(String orderNumber, String trackingUserId) {
        return Conversion.builder().trackingUserId(trackingUserId).orderNumber(orderNumber)
                .total(new BigDecimal("49.90"))
                .lines(List.of(OrderLine.builder().productNumber("p-1").quantity(1)
                        .lineTotal(new BigDecimal("49.90")).build()))
                .build();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableTransactionManagement
    @Import({FastRetries.class, Checkout.class, ThankYouPage.class})
    static class EventShop {
        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            return pg.pool("event-shop", 4);
        }

        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        HelloRetailTrackerCustomizer outboxTable() {
            return builder -> {
                if (table != null) {
                    builder.outboxTable(table);
                }
            };
        }
    }

    private Shop databaseShop() {
        table = pg.freshTable("events");
        return Shop.of(Shop.run(new Class<?>[] {EventShop.class}, args("--helloretail.outbox-data-source=true")));
    }

    private Shop fileShop() {
        table = null;
        return Shop.of(Shop.run(new Class<?>[] {EventShop.class},
                args("--helloretail.outbox-directory=" + outbox)));
    }

    @Test
    void databaseOutbox_committedOrder_isWrittenOnTheTransactionsConnectionAndDeliveredOnce() throws Exception {
        String order = "ev-db-" + System.nanoTime();
        try (Shop shop = databaseShop()) {
            What inside = shop.bean(Checkout.class).placeOrder(order, false);
            // Written in the order's transaction: its own connection sees the row before the commit,
            // no other connection does.
            assertEquals(1, inside.outboxRowsOnTheTransactionsConnection());
            assertEquals(0, inside.outboxRowsOnAnotherConnection());
            awaitDelivered(order);
            assertEquals(1, rows(order));
            assertEquals(1, shop.bean(HelloRetailTracker.class).metrics().conversions().delivered());
        }
    }

    @Test
    void databaseOutbox_rolledBackOrder_leavesNoConversion() throws Exception {
        String rolledBack = "ev-db-rb-" + System.nanoTime();
        String committed = rolledBack + "-next";
        try (Shop shop = databaseShop()) {
            Checkout checkout = shop.bean(Checkout.class);
            assertPaymentRefused(() -> checkout.placeOrder(rolledBack, true));
            checkout.placeOrder(committed, false);
            awaitDelivered(committed);
            assertEquals(0, rows(rolledBack), "the conversion's row went with the rolled-back transaction");
            assertEquals(0, shopRows(rolledBack));
            assertEquals(null, Shop.acceptedOrders(collector).get(rolledBack));
        }
    }

    @Test
    void databaseOutbox_writeRefusedInTheTransaction_orderCommitsAndConversionIsTrackedAfterIt(CapturedOutput output)
            throws Exception {
        String order = "ev-db-ro-" + System.nanoTime();
        try (Shop shop = databaseShop()) {
            shop.bean(Checkout.class).placeOrderReadOnly(order); // no exception reaches the checkout
            awaitDelivered(order);
            assertEquals(1, rows(order));
            assertTrue(output.getOut().contains("conversion " + order + " could not be written in the order's"
                    + " transaction ("), output.getOut());
            assertTrue(output.getOut().contains("it will be tracked once the transaction has committed instead"));
        }
    }

    @Test
    void fileOutbox_committedOrder_isTrackedOnlyOnceTheTransactionHasCommitted() throws Exception {
        String order = "ev-file-" + System.nanoTime();
        try (Shop shop = fileShop()) {
            HelloRetailTracker tracker = shop.bean(HelloRetailTracker.class);
            What inside = shop.bean(Checkout.class).placeOrder(order, false);
            assertEquals(0, inside.conversionsTracked(), "tracked before the order committed");
            assertEquals(1, tracker.metrics().conversions().tracked(), "not tracked when the commit returned");
            awaitDelivered(order);
        }
    }

    @Test
    void fileOutbox_rolledBackOrder_isNeverTracked() throws Exception {
        String rolledBack = "ev-file-rb-" + System.nanoTime();
        String committed = rolledBack + "-next";
        try (Shop shop = fileShop()) {
            Checkout checkout = shop.bean(Checkout.class);
            assertPaymentRefused(() -> checkout.placeOrder(rolledBack, true));
            checkout.placeOrder(committed, false);
            awaitDelivered(committed);
            assertEquals(1, shop.bean(HelloRetailTracker.class).metrics().conversions().tracked());
            assertEquals(null, Shop.acceptedOrders(collector).get(rolledBack));
        }
    }

    @Test
    void noTransaction_isTrackedAtOnce() throws Exception {
        String order = "ev-none-" + System.nanoTime();
        try (Shop shop = fileShop()) {
            shop.bean(Checkout.class).placeOrderWithoutTransaction(order);
            // durable when publishEvent returned
            assertEquals(1, shop.bean(HelloRetailTracker.class).metrics().conversions().tracked());
            awaitDelivered(order);
        }
    }

    @Test
    void publishedDuringARequest_withoutTrackingUserId_getsTheVisitorsId() throws Exception {
        String order = "ev-web-" + System.nanoTime();
        try (Shop shop = fileShop()) {
            assertEquals(200, shop.send("POST", "/thank-you?order=" + order, "Cookie", "hello_retail_id=" + Shop.ID)
                    .statusCode());
            awaitDelivered(order);
            assertEquals(Shop.ID, collector.awaitConversion(order).trackingUserId());
        }
    }

    private static void assertPaymentRefused(Executable placing) {
        assertEquals("payment refused", assertThrows(IllegalStateException.class, placing).getMessage());
    }

    private static void awaitDelivered(String order) {
        collector.awaitConversion(order);
        assertEquals(1L, Shop.acceptedOrders(collector).get(order));
    }

    private static String[] args(String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off",
                "--helloretail.website-uuid=" + StandInCollector.WEBSITE_UUID,
                "--helloretail.endpoint=" + collector.endpoint()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static long rows(String order) throws SQLException {
        return count("SELECT count(*) FROM " + table + " WHERE order_number = ?", order);
    }

    private static long shopRows(String order) throws SQLException {
        return count("SELECT count(*) FROM event_orders WHERE order_number = ?", order);
    }

    private static long count(String sql, String order) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, order);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
