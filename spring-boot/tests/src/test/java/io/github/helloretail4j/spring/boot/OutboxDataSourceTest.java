package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.StandInCollector;
import jakarta.servlet.ServletContext;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.web.context.WebApplicationContext;

/**
 * {@code helloretail.outbox-data-source=true} in a real Boot application on the run's throwaway
 * PostgreSQL: the tracker keeps conversions in the application's own DataSource bean, and the
 * shop's checkout tracks an order inside its own JDBC transaction.
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
class OutboxDataSourceTest {

    /** For the applications' beans, which Spring makes without the test instance. */
    static PostgresCluster pg;
    static String table;

    private static StandInCollector collector;
    @TempDir
    Path outbox;

    @BeforeAll
    static void start(PostgresCluster cluster) throws SQLException {
        pg = cluster;
        collector = StandInCollector.start().timeout(Await.DEFAULT);
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS shop_orders (order_number varchar(64) PRIMARY KEY)");
        }
    }

    @AfterAll
    static void stop() {
        collector.close();
    }

    /** The shop's checkout: the order and its conversion in one transaction of the shop's own. */
    static class Checkout {
        private final HelloRetailTracker tracker;
        private final DataSource dataSource;

        Checkout(HelloRetailTracker tracker, DataSource dataSource) {
            this.tracker = tracker;
            this.dataSource = dataSource;
        }

        void placeOrder(String orderNumber, boolean commit) throws SQLException {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO shop_orders (order_number) VALUES (?)")) {
                        s.setString(1, orderNumber);
                        s.executeUpdate();
                    }
                    tracker.trackConversion(c, Conversion.builder().trackingUserId(Shop.ID).orderNumber(orderNumber)
                            .total(new BigDecimal("49.90")).productNumbers(List.of("p-1")).build());
                    if (commit) {
                        c.commit();
                    } else {
                        c.rollback();
                    }
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        }
    }

    /** What both database shops have: the checkout service, and the test's own table. */
    @Configuration(proxyBeanMethods = false)
    static class CheckoutAndTable {
        @Bean
        Checkout checkout(HelloRetailTracker tracker, DataSource dataSource) {
            return new Checkout(tracker, dataSource);
        }

        @Bean
        HelloRetailTrackerCustomizer outboxTable() {
            return builder -> builder.outboxTable(table);
        }
    }

    /** A shop whose one DataSource is a Hikari pool on the test database, declared as a bean. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({FastRetries.class, CheckoutAndTable.class})
    static class DatabaseShop {
        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            return pg.pool("boot-shop", 4);
        }
    }

    /** Two DataSources: the @Primary one holds the orders; the other leads nowhere (nothing listens on port 1). */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({FastRetries.class, CheckoutAndTable.class})
    static class TwoDataSourceShop {
        @Bean(destroyMethod = "close")
        @Primary
        HikariDataSource shopDataSource() {
            return pg.pool("boot-primary", 4);
        }

        @Bean
        DataSource reportingDataSource() {
            return nowhere();
        }
    }

    /** Two DataSources and neither is @Primary. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class AmbiguousShop {
        @Bean
        DataSource ordersDataSource() {
            return nowhere();
        }

        @Bean
        DataSource reportingDataSource() {
            return nowhere();
        }
    }

    private static PGSimpleDataSource nowhere() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:1/postgres");
        ds.setConnectTimeout(1);
        return ds;
    }

    private static String[] args(String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off",
                "--helloretail.website-uuid=" + StandInCollector.WEBSITE_UUID, "--helloretail.endpoint=" + collector.endpoint(),
                "--helloretail.outbox-data-source=true"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void committedOrder_isDeliveredOnceFromTheApplicationsDataSource_rolledBackOneNever() throws Exception {
        table = pg.freshTable("boot");
        String committed = "boot-" + System.nanoTime();
        String rolledBack = committed + "-rb";
        try (Shop shop = Shop.of(Shop.run(new Class<?>[] {DatabaseShop.class}, args()))) {
            // the tracker checkout code injects is the one the filter and HelloRetailWeb use
            ServletContext servletContext = ((WebApplicationContext) shop.context).getServletContext();
            assertSame(shop.bean(HelloRetailTracker.class), HelloRetailWeb.tracker(servletContext));

            Checkout checkout = shop.bean(Checkout.class);
            checkout.placeOrder(committed, true);
            checkout.placeOrder(rolledBack, false);
            awaitState(committed, "delivered");
            Thread.sleep(300); // a second (wrong) delivery would arrive within this
            assertEquals(1L, Shop.acceptedOrders(collector).get(committed));
            assertEquals(null, Shop.acceptedOrders(collector).get(rolledBack));
            assertEquals(0, rows(rolledBack));
            assertEquals(1, shop.bean(HelloRetailTracker.class).metrics().conversions().delivered());
        }
    }

    @Test
    void severalDataSources_thePrimaryOneKeepsTheConversions() throws Exception {
        table = pg.freshTable("boot");
        String order = "primary-" + System.nanoTime();
        // The other DataSource cannot connect: had the tracker taken it, the start would have failed.
        try (Shop shop = Shop.of(Shop.run(new Class<?>[] {TwoDataSourceShop.class}, args()))) {
            shop.bean(Checkout.class).placeOrder(order, true);
            awaitState(order, "delivered");
            assertEquals(1L, Shop.acceptedOrders(collector).get(order));
        }
    }

    @Test
    void noDataSourceBean_failsTheStartNamingTheProperty(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> Shop.run(new Class<?>[] {ShopApplication.class}, args()));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.outbox-data-source (\"helloretail.outbox-data-source\""
                + " from property source \"commandLineArgs\") is true, but the application has no DataSource bean:"
                + " declare one (spring-boot-starter-jdbc and spring.datasource.url, or a @Bean), or remove it and keep"
                + " conversions in helloretail.outbox-directory\n"), output.getOut());
        Shop.assertNoThreadOfOurs();
    }

    @Test
    void outboxDirectoryToo_failsTheStartNamingBoth(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> Shop.run(new Class<?>[] {DatabaseShop.class},
                args("--helloretail.outbox-directory=" + outbox)));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.outbox-directory (\"helloretail.outbox-directory\""
                + " from property source \"commandLineArgs\") \"" + outbox + "\" and helloretail.outbox-data-source"
                + " (\"helloretail.outbox-data-source\" from property source \"commandLineArgs\") are both set;"
                + " conversions wait in one of them: keep helloretail.outbox-data-source for a shop of several nodes,"
                + " or helloretail.outbox-directory for one\n"), output.getOut());
        Shop.assertNoThreadOfOurs();
    }

    @Test
    void severalDataSourcesNonePrimary_failsTheStartNamingTheProperty(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> Shop.run(new Class<?>[] {AmbiguousShop.class}, args()));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.outbox-data-source (\"helloretail.outbox-data-source\""
                + " from property source \"commandLineArgs\") is true, and the application has 2 DataSource beans"
                + " [ordersDataSource, reportingDataSource] of which none is @Primary: mark the one that holds the"
                + " shop's orders @Primary\n"), output.getOut());
    }

    private static void awaitState(String order, String state) throws Exception {
        Await.until(order + " " + state + " in the outbox table", Duration.ofSeconds(30), () -> state(order),
                state::equals);
    }

    private static String state(String order) throws SQLException {
        try (Connection c = pg.connect();
             PreparedStatement s = c.prepareStatement("SELECT state FROM " + table + " WHERE order_number = ?")) {
            s.setString(1, order);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long rows(String order) throws SQLException {
        try (Connection c = pg.connect();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE order_number = ?")) {
            s.setString(1, order);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
