package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.feed.OrderSource;
import io.github.helloretail4j.testkit.StandInCollector;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The order feed in a real Boot application on a random port: served when
 * {@code helloretail.order-feed.password} is set, over the application's {@link OrderSource}
 * bean or {@code helloretail.order-feed.query} on its DataSource (the run's PostgreSQL); not
 * served without the password; and a start that fails naming the property when the feed has no
 * source or its query lacks a column.
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
class OrderFeedBootTest {

    private static final String PASSWORD = "boot-feed-secret-1";
    private static final String FEED = "/helloretail/orderfeed";
    /** Placed a minute ago: inside the feed's default window. */
    static final Instant PLACED = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);

    /** For the applications' beans, which Spring makes without the test instance. */
    static PostgresCluster pg;
    private static ShopSchema shop;
    private static StandInCollector collector;
    @TempDir
    Path outbox;

    @BeforeAll
    static void start(PostgresCluster cluster) throws SQLException {
        pg = cluster;
        shop = new ShopSchema(pg);
        long order = shop.order("db-1", PLACED, "120.00", "buyer@example.com", 77L);
        shop.line(order, 1, "p-1", null, "2", "100.00").line(order, 2, null, "https://shop.example/p/2", "1", "20.00");
        collector = StandInCollector.start();
    }

    @AfterAll
    static void stop() {
        collector.close();
    }

    /** A shop whose orders come from its own code: an OrderSource bean. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class SourceShop {
        @Bean
        OrderSource orderSource() {
            FeedOrder order = FeedOrder.builder().orderNumber("bean-1").date(PLACED).total(new BigDecimal("49.90"))
                    .email("buyer@example.com").lines(List.of(OrderLine.builder().productNumber("p-1").quantity(1)
                            .lineTotal(new BigDecimal("49.90")).build())).build();
            return (from, to) -> Stream.of(order).filter(o -> !o.date().isBefore(from) && o.date().isBefore(to));
        }
    }

    /** A shop whose orders are in its database: a DataSource bean, the query in the properties. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class DatabaseShop {
        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            return pg.pool("boot-feed", 2);
        }
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static String date() {
        return PLACED.toString().replace('T', ' ').replace("Z", "");
    }

    private Shop start(Class<?> application, String... more) {
        return Shop.startWith(new Class<?>[] {application}, collector, outbox, more);
    }

    @Test
    void orderSourceBean_isServedAtThePath_onlyWithThePassword(CapturedOutput output) throws Exception {
        try (Shop app = start(SourceShop.class, "--helloretail.order-feed.password=" + PASSWORD,
                "--helloretail.order-feed.zone=UTC")) {
            HttpResponse<String> feed = app.send("GET", FEED + "?daysBack=1", "Authorization",
                    basic("helloretail:" + PASSWORD));
            assertEquals(200, feed.statusCode());
            assertEquals("[{\"total\":49.90,\"orderNumber\":\"bean-1\",\"email\":\"buyer@example.com\",\"date\":\""
                    + date() + "\",\"products\":[{\"productNumber\":\"p-1\",\"quantity\":1,\"lineTotal\":49.90}]}]",
                    feed.body());
            assertEquals("no-store", feed.headers().firstValue("Cache-Control").orElse(null));

            HttpResponse<String> anonymous = app.send("GET", FEED);
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
            assertEquals("", anonymous.body());
            assertEquals(401, app.send("GET", FEED, "Authorization", basic("helloretail:not-the-password")).statusCode());
        }
        assertFalse(output.getOut().contains(PASSWORD), "the password is never logged");
    }

    @Test
    void noPassword_noFeed() throws Exception {
        try (Shop app = start(SourceShop.class)) {
            assertEquals(404, app.send("GET", FEED, "Authorization", basic("helloretail:" + PASSWORD)).statusCode());
        }
    }

    @Test
    void query_runsOnTheApplicationsDataSource_atItsPathAndUser() throws Exception {
        try (Shop app = start(DatabaseShop.class, "--helloretail.order-feed.password=" + PASSWORD,
                "--helloretail.order-feed.query=" + shop.query(), "--helloretail.order-feed.user=reader",
                "--helloretail.order-feed.path=/feeds/orders", "--helloretail.order-feed.zone=UTC")) {
            HttpResponse<String> feed = app.send("GET", "/feeds/orders?daysBack=1", "Authorization",
                    basic("reader:" + PASSWORD));
            assertEquals(200, feed.statusCode());
            assertEquals("[{\"total\":120.00,\"orderNumber\":\"db-1\",\"email\":\"buyer@example.com\","
                    + "\"customerId\":\"77\",\"date\":\"" + date() + "\",\"products\":["
                    + "{\"productNumber\":\"p-1\",\"quantity\":2,\"lineTotal\":100.00},"
                    + "{\"url\":\"https://shop.example/p/2\",\"quantity\":1,\"lineTotal\":20.00}]}]", feed.body());
            assertEquals(401, app.send("GET", "/feeds/orders", "Authorization", basic("helloretail:" + PASSWORD))
                    .statusCode());
        }
    }

    @Test
    void queryLackingAColumn_failsTheStartNamingItAndTheProperty(CapturedOutput output) {
        String query = shop.query().replace(" o.email,", "");
        assertThrows(RuntimeException.class, () -> start(DatabaseShop.class,
                "--helloretail.order-feed.password=" + PASSWORD, "--helloretail.order-feed.query=" + query));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.order-feed.query (\"helloretail.order-feed.query\""
                + " from property source \"commandLineArgs\") does not work on the application's DataSource: the order"
                + " feed's query has no column email (it needs order_number, order_date, total, email, customer_id,"
                + " product_number, product_url, quantity, line_total;"), output.getOut());
        assertFalse(output.getOut().contains(PASSWORD));
    }

    @Test
    void passwordWithoutASource_failsTheStartSayingWhatToAdd(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> start(ShopApplication.class,
                "--helloretail.order-feed.password=" + PASSWORD));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.order-feed.password"
                + " (\"helloretail.order-feed.password\" from property source \"commandLineArgs\") is set, but the order"
                + " feed has no orders to serve: declare a bean of io.github.helloretail4j.feed.OrderSource over the"
                + " shop's orders, or set helloretail.order-feed.query to the SQL that reads them from the"
                + " application's DataSource"), output.getOut());
        assertFalse(output.getOut().contains(PASSWORD));
    }

    @Test
    void shortPasswordOrBadZone_failsTheStartNamingTheProperty(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> start(SourceShop.class, "--helloretail.order-feed.password=short1"));
        assertTrue(output.getOut().contains("helloretail.order-feed.password (\"helloretail.order-feed.password\" from"
                + " property source \"commandLineArgs\") must be at least 8 characters without control characters:"
                + " (not shown)"), output.getOut());
        assertFalse(output.getOut().contains("short1"));
        assertThrows(RuntimeException.class, () -> start(SourceShop.class,
                "--helloretail.order-feed.password=" + PASSWORD, "--helloretail.order-feed.zone=Mars/Olympus"));
        assertTrue(output.getOut().contains("helloretail.order-feed.zone (\"helloretail.order-feed.zone\" from property"
                + " source \"commandLineArgs\") must be a time zone ID like Europe/Copenhagen or UTC: \"Mars/Olympus\""),
                output.getOut());
    }
}
