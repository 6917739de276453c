package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.TestOrderSources.AUTHORIZATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
import io.github.helloretail4j.feed.SqlOrderSource;
import io.github.helloretail4j.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The feed on Jetty and Tomcat reading a real PostgreSQL through {@link SqlOrderSource} and a
 * HikariCP pool: the connection it takes goes back to the pool whatever ends the answer.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFeedDatabaseTest {

    private static final String FEED = "/shop" + OrderFeedTestListener.PATH;
    private static final String REQUEST = "GET " + FEED + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + AUTHORIZATION + "\r\n\r\n";

    private final PostgresCluster pg;
    private final HikariDataSource pool;
    private Containers.EachKind containers;
    @TempDir
    static Path temp;

    OrderFeedDatabaseTest(PostgresCluster pg) {
        this.pg = pg;
        this.pool = pg.pool("orderfeed", 4);
    }

    @BeforeAll
    void start() throws Exception {
        containers = new Containers.EachKind()
                .deployOnEach(kind -> FeedWebApp.registered().write(temp.resolve(kind.name())), "/shop");
    }

    @AfterAll
    void stop() throws Exception {
        containers.close();
        pool.close();
    }

    private SqlOrderSource serving(String query) {
        SqlOrderSource source = SqlOrderSource.builder().dataSource(pool).query(query).build();
        TestOrderSources.current.set(source);
        return source;
    }

    private int active() {
        return pool.getHikariPoolMXBean().getActiveConnections();
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_shopTables_answerTheirOrdersExactly(Containers.Kind kind) throws Exception {
        ShopSchema shop = new ShopSchema(pg);
        // Today at 08:04:05 in Copenhagen, or yesterday's when the test runs earlier than that.
        java.time.ZoneId zone = java.time.ZoneId.of("Europe/Copenhagen");
        java.time.ZonedDateTime placed = java.time.ZonedDateTime.now(zone).truncatedTo(ChronoUnit.DAYS)
                .withHour(8).withMinute(4).withSecond(5);
        if (placed.toInstant().isAfter(Instant.now())) {
            placed = placed.minusDays(1);
        }
        String date = placed.toLocalDate() + " 08:04:05";
        long order = shop.order("110-2347", placed.toInstant(), "2185.85", "customer@example.com", 53967L);
        shop.line(order, 1, "p-1234", "https://shop.example/p/1234", "1", "785.95")
                .line(order, 2, "p-4567", null, "2", "1399.90")
                .line(order, 3, null, "https://shop.example/p/89", "1", "0.00");
        shop.line(shop.order("too-old", placed.toInstant().minus(Duration.ofDays(30)), "1.00", "a@example.com", null),
                1, "p-1", null, "1", "1.00");
        serving(shop.query()).check();
        var response = RawHttp.exchange(containers.get(kind).port(),
                REQUEST.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                20_000).get(0);
        assertEquals(200, response.status());
        assertEquals("[{\"total\":2185.85,\"orderNumber\":\"110-2347\",\"email\":\"customer@example.com\","
                + "\"customerId\":\"53967\",\"date\":\"" + date + "\",\"products\":["
                + "{\"productNumber\":\"p-1234\",\"url\":\"https://shop.example/p/1234\",\"quantity\":1,\"lineTotal\":785.95},"
                + "{\"productNumber\":\"p-4567\",\"quantity\":2,\"lineTotal\":1399.90},"
                + "{\"url\":\"https://shop.example/p/89\",\"quantity\":1,\"lineTotal\":0.00}]}]", response.body());
        assertEquals(0, active());
    }

    /** Ten million generated orders; the client reads 256 KB of them and hangs up. */
    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_clientHangingUpMidFeed_returnsTheConnectionToThePool(Containers.Kind kind) throws Exception {
        serving(ShopSchema.generatedQuery(10_000_000));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", containers.get(kind).port()), 5000);
            socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            assertEquals(256 * 1024, in.readNBytes(256 * 1024).length);
            assertEquals(1, active());
        }
        long start = System.nanoTime();
        Await.until("the feed's connection back in the pool", Duration.ofSeconds(20), this::active, n -> n == 0);
        System.out.printf("%s: connection back %d ms after the client hung up%n", kind,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** The database fails at the 5,000th row (a division by zero): the transfer is broken off. */
    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_databaseFailingHalfWay_breaksTheTransferOffAndReturnsTheConnection(Containers.Kind kind)
            throws IOException, SQLException {
        serving(ShopSchema.generatedQuery(100_000).replace("1 AS quantity", "1 + 0 / (g - 5000) AS quantity"));
        String raw = OrderFeedContainerTest.rawResponse(containers.get(kind).port(), REQUEST);
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw.substring(0, 40));
        var body = OrderFeedContainerTest.dechunk(raw.substring(raw.indexOf("\r\n\r\n") + 4));
        assertFalse(body.complete(), "a last chunk was sent");
        assertTrue(body.text().contains("\"orderNumber\":\"o-3000\""), "orders before the failure");
        assertFalse(body.text().contains("\"orderNumber\":\"o-5000\""));
        assertFalse(body.text().endsWith("]"));
        assertEquals(0, active());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_databaseFailingBeforeTheFirstOrder_answers500(Containers.Kind kind) throws IOException {
        serving(ShopSchema.generatedQuery(100_000).replace("1 AS quantity", "1 + 0 / (g - 1) AS quantity"));
        var response = RawHttp.exchange(containers.get(kind).port(),
                REQUEST.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                20_000).get(0);
        assertEquals(500, response.status());
        assertEquals("The order feed could not be read; the shop's log says why.", response.body());
        assertEquals(List.of("no-store"), response.header("Cache-Control"));
        assertEquals(0, active());
    }
}
