package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
import io.github.helloretail4j.testing.LogCapture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/** The servlet's parameters read and checked, without a container: where each value comes from. */
@ExtendWith(PostgresExtension.class)
class OrderFeedParametersTest {

    private final PostgresCluster pg;
    private final ShopSchema shop;

    OrderFeedParametersTest(PostgresCluster pg) throws SQLException {
        this.pg = pg;
        this.shop = new ShopSchema(pg);
    }

    private PGSimpleDataSource dataSource(int port) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + PostgresCluster.DATABASE);
        ds.setUser(PostgresCluster.USER);
        ds.setConnectTimeout(2);
        return ds;
    }

    private OrderFeed.Config parse(Map<String, String> init, Map<String, String> context, Object found) {
        return OrderFeedParameters.parse(init, context, name -> found);
    }

    @Test
    void parse_initParamsBeforeContextParams_andDefaults() {
        OrderFeed.Config config = parse(
                Map.of("helloretail.orderFeedPassword", "from-the-init-param",
                        "helloretail.orderFeedDataSource", "java:comp/env/jdbc/shop"),
                Map.of("helloretail.orderFeedPassword", "from-the-context-param",
                        "helloretail.orderFeedQuery", shop.query(),
                        "helloretail.orderFeedZone", "Europe/Copenhagen"),
                dataSource(pg.port()));
        assertEquals("from-the-init-param", config.password());
        assertEquals("helloretail", config.user());
        assertEquals(ZoneId.of("Europe/Copenhagen"), config.zone());
        assertTrue(config.source().toString().startsWith("SqlOrderSource{query=\"SELECT o.number AS order_number"),
                config.source().toString());
        assertEquals(ZoneId.systemDefault(), parse(Map.of("helloretail.orderFeedPassword", "from-the-init-param",
                "helloretail.orderFeedDataSource", "jdbc/shop", "helloretail.orderFeedQuery", shop.query()), Map.of(),
                dataSource(pg.port())).zone());
    }

    @Test
    void parse_badValueFromContextParam_saysSo() {
        var e = assertThrows(IllegalArgumentException.class, () -> parse(Map.of(),
                Map.of("helloretail.orderFeedPassword", "short"), null));
        assertEquals("helloretail.orderFeedPassword (context-param) must be at least 8 characters without control"
                + " characters: (not shown)", e.getMessage());
        assertFalse(e.getMessage().contains("short"));
    }

    @Test
    void parse_databaseDownAtStart_logsAndServesLater() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (LogCapture log = new LogCapture()) {
            OrderFeed.Config config = parse(Map.of("helloretail.orderFeedPassword", "from-the-init-param",
                    "helloretail.orderFeedDataSource", "java:comp/env/jdbc/shop",
                    "helloretail.orderFeedQuery", shop.query()), Map.of(), dataSource(port));
            assertTrue(log.text().contains("WARN io.github.helloretail4j.feed - order feed: helloretail.orderFeedQuery"
                    + " could not be checked, helloretail.orderFeedDataSource gave no connection (PSQLException:"),
                    log.text());
            assertEquals("helloretail", config.user());
        }
    }

    @Test
    void parse_unknownInitParam_isRefusedButOtherInitParamsAreNot() {
        assertEquals("unknown init-param \"helloretail.orderFeedPath\"; the order feed's parameters are"
                + " helloretail.orderFeedPassword, helloretail.orderFeedUser, helloretail.orderFeedDataSource,"
                + " helloretail.orderFeedQuery, helloretail.orderFeedZone",
                assertThrows(IllegalArgumentException.class, () -> OrderFeedParameters.parse(
                        Map.of("helloretail.orderFeedPath", "/feed"), Map.of(), n -> null)).getMessage());
        assertEquals("helloretail.orderFeedPassword is required: the order feed is served only with a password; set"
                + " it as an init-param of the servlet or a context-param",
                assertThrows(IllegalArgumentException.class, () -> OrderFeedParameters.parse(
                        Map.of("myapp.debug", "true"), Map.of(), n -> null)).getMessage());
    }
}
