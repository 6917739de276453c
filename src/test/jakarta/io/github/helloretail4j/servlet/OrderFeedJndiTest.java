package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
import io.github.helloretail4j.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.catalina.core.StandardContext;
import org.apache.tomcat.util.descriptor.web.ContextEnvironment;
import org.apache.tomcat.util.descriptor.web.ContextResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order feed served from the shop's database through JNDI, both ways a shop sets it up:
 * {@code OrderFeedServlet} mapped in web.xml with init-params (a shop without code for it), and
 * context-params alone, which the library's web fragment turns into the feed at
 * {@code helloretail.orderFeedPath}. Tomcat 11 with its JNDI enabled, the DataSource declared as
 * {@code jdbc/shop} as a context.xml would, backed by the run's PostgreSQL.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFeedJndiTest {

    private static final String JNDI_NAME = "java:comp/env/jdbc/shop";
    private static final String PASSWORD = "context-param-secret-42";
    private static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    /** The tracker runs, and would send nothing anywhere: the feed is JSON, never a page view. */
    private static final String NOWHERE = "http://127.0.0.1:1/serve/";

    private final PostgresCluster pg;
    /** Tables of the test's own: each test's feed holds its own orders alone. */
    private ShopSchema shop;
    private final Containers.TomcatContainer tomcat;
    @TempDir
    Path temp;
    private int counter;

    OrderFeedJndiTest(PostgresCluster pg) throws Exception {
        this.pg = pg;
        this.tomcat = new Containers.TomcatContainer(true);
    }

    @BeforeEach
    void freshTables() throws Exception {
        shop = new ShopSchema(pg);
    }

    @AfterAll
    void stop() throws Exception {
        tomcat.close();
    }

    /** {@code jdbc/shop}, and {@code jdbc/notADataSource}, a String; a servlet that fails to start fails the context. */
    private Consumer<StandardContext> resources() {
        return context -> {
            ContextResource shopResource = new ContextResource();
            shopResource.setName("jdbc/shop");
            shopResource.setType("org.postgresql.ds.PGSimpleDataSource");
            shopResource.setProperty("factory", "org.apache.naming.factory.BeanFactory");
            shopResource.setProperty("url", pg.jdbcUrl());
            shopResource.setProperty("user", PostgresCluster.USER);
            context.getNamingResources().addResource(shopResource);
            ContextEnvironment text = new ContextEnvironment();
            text.setName("jdbc/notADataSource");
            text.setType("java.lang.String");
            text.setValue("jdbc:postgresql://127.0.0.1/shop");
            context.getNamingResources().addEnvironment(text);
            context.setFailCtxIfServletStartFails(true);
        };
    }

    private Containers.Deployment deploy(FeedWebApp app, String contextPath) throws Exception {
        return tomcat.deploy(app.write(temp.resolve("app" + (++counter))), contextPath, resources());
    }

    /** The shop's web.xml for the fragment: the tracker's context-params and the feed's. */
    private FeedWebApp contextParams(String query) {
        return FeedWebApp.fromContextParams()
                .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", NOWHERE)
                .contextParam("helloretail.orderFeedPassword", PASSWORD)
                .contextParam("helloretail.orderFeedDataSource", JNDI_NAME)
                .contextParam("helloretail.orderFeedQuery", query)
                .contextParam("helloretail.orderFeedZone", "UTC");
    }

    private RawHttp.Response fetch(String path, String credentials) throws Exception {
        // HTTP/1.1 with Connection: close, so that the feed's body comes whole and unchunked
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (credentials == null ? "" : "Authorization: " + TestOrderSources.basic(credentials) + "\r\n")
                + "\r\n";
        return RawHttp.exchange(tomcat.port(), request.getBytes(StandardCharsets.ISO_8859_1), 20_000).get(0);
    }

    // --- OrderFeedServlet mapped in web.xml --------------------------------------------------

    @Test
    void webXml_jndiDataSourceAndQuery_serveTheShopsOrders() throws Exception {
        Instant placed = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        long order = shop.order("jndi-1", placed, "99.50", "customer@example.com", null);
        shop.line(order, 1, "p-1", "https://shop.example/p/1", "1", "99.50");
        var app = FeedWebApp.declared(Map.of(
                        "helloretail.orderFeedPassword", "another-secret-5678",
                        "helloretail.orderFeedUser", "feed-reader",
                        "helloretail.orderFeedDataSource", JNDI_NAME,
                        "helloretail.orderFeedZone", "UTC"))
                .contextParam("helloretail.orderFeedQuery", shop.query());
        try (var d = deploy(app, "/shop")) {
            var response = fetch("/shop/helloretail/orderfeed?daysBack=1", "feed-reader:another-secret-5678");
            assertEquals(200, response.status());
            assertEquals("[{\"total\":99.50,\"orderNumber\":\"jndi-1\",\"email\":\"customer@example.com\",\"date\":\""
                    + placed.toString().replace('T', ' ').replace("Z", "") + "\",\"products\":[{\"productNumber\":"
                    + "\"p-1\",\"url\":\"https://shop.example/p/1\",\"quantity\":1,\"lineTotal\":99.50}]}]",
                    response.body());
            assertEquals(401, fetch("/shop/helloretail/orderfeed?daysBack=1", "helloretail:another-secret-5678").status());
        }
    }

    @Test
    void webXml_queryWithoutAColumn_failsTheStartNamingTheColumn() {
        String query = shop.query().replace(" o.email,", "");
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(FeedWebApp.declared(Map.of(
                "helloretail.orderFeedPassword", "another-secret-5678",
                "helloretail.orderFeedDataSource", JNDI_NAME,
                "helloretail.orderFeedQuery", query)), "/nocolumn"));
        assertTrue(failure.getMessage().contains("helloretail.orderFeedQuery (init-param) does not work on"
                + " helloretail.orderFeedDataSource (init-param) \"java:comp/env/jdbc/shop\": the order feed's query has"
                + " no column email (it needs order_number, order_date, total, email, customer_id, product_number,"
                + " product_url, quantity, line_total; it has order_number, order_date, total, customer_id,"
                + " product_number, product_url, quantity, line_total)"), failure.getMessage());
    }

    @Test
    void webXml_jndiNameOfSomethingElse_failsTheStartNamingIt() {
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(FeedWebApp.declared(Map.of(
                "helloretail.orderFeedPassword", "another-secret-5678",
                "helloretail.orderFeedDataSource", "java:comp/env/jdbc/notADataSource",
                "helloretail.orderFeedQuery", shop.query())), "/notds"));
        assertTrue(failure.getMessage().contains("helloretail.orderFeedDataSource (init-param) names a java.lang.String"
                + " in JNDI, not a javax.sql.DataSource: \"java:comp/env/jdbc/notADataSource\""), failure.getMessage());
    }

    // --- context-params alone, through the web fragment ------------------------------------

    @Test
    void contextParamsAlone_serveTheShopsOrders_onlyWithThePassword() throws Exception {
        Instant placed = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        long order = shop.order("fragment-1", placed, "120.00", "buyer@example.com", 77L);
        shop.line(order, 1, "p-1", null, "2", "100.00").line(order, 2, null, "https://shop.example/p/2", "1", "20.00");
        try (LogCapture log = new LogCapture(); var d = deploy(contextParams(shop.query()), "/shop")) {
            var served = fetch("/shop/helloretail/orderfeed?daysBack=1", "helloretail:" + PASSWORD);
            assertEquals(200, served.status());
            assertEquals("[{\"total\":120.00,\"orderNumber\":\"fragment-1\",\"email\":\"buyer@example.com\",\"customerId\":\"77\","
                    + "\"date\":\"" + placed.toString().replace('T', ' ').replace("Z", "") + "\",\"products\":["
                    + "{\"productNumber\":\"p-1\",\"quantity\":2,\"lineTotal\":100.00},"
                    + "{\"url\":\"https://shop.example/p/2\",\"quantity\":1,\"lineTotal\":20.00}]}]", served.body());

            var anonymous = fetch("/shop/helloretail/orderfeed", null);
            assertEquals(401, anonymous.status());
            assertEquals(java.util.List.of("Basic realm=\"Hello Retail order feed\", charset=\"UTF-8\""),
                    anonymous.header("WWW-Authenticate"));
            assertFalse(anonymous.body().contains("fragment-1"));
            assertEquals(401, fetch("/shop/helloretail/orderfeed", "helloretail:wrong-password-1").status());

            assertTrue(log.text().contains("INFO io.github.helloretail4j.feed - Hello Retail order feed for /shop at"
                    + " /helloretail/orderfeed (user helloretail, zone UTC): SqlOrderSource{"), log.text());
            assertFalse(log.text().contains(PASSWORD), log.text());
        }
    }

    @Test
    void orderFeedPath_movesTheFeed() throws Exception {
        try (var d = deploy(contextParams(shop.query()).contextParam("helloretail.orderFeedPath", "/feeds/orders.json"),
                "/moved")) {
            assertEquals(200, fetch("/moved/feeds/orders.json", "helloretail:" + PASSWORD).status());
            assertEquals(404, fetch("/moved/helloretail/orderfeed", "helloretail:" + PASSWORD).status());
        }
    }

    /** The library switched off: no feed either, though it is configured. */
    @Test
    void enabledFalse_registersNoFeed() throws Exception {
        try (var d = deploy(contextParams(shop.query()).contextParam("helloretail.enabled", "false"), "/off")) {
            assertEquals(404, fetch("/off/helloretail/orderfeed", "helloretail:" + PASSWORD).status());
        }
    }

    @Test
    void queryWithoutAColumn_failsTheDeploymentNamingTheColumn() {
        String query = shop.query().replace(" o.email,", "");
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(contextParams(query), "/nocolumn"));
        assertTrue(failure.getMessage().contains("helloretail.orderFeedQuery (context-param) does not work on"
                + " helloretail.orderFeedDataSource (context-param) \"java:comp/env/jdbc/shop\": the order feed's query"
                + " has no column email"), failure.getMessage());
        assertFalse(failure.getMessage().contains(PASSWORD), failure.getMessage());
    }

    /** web.xml maps the servlet itself, at a path of its own: the fragment adds no second one. */
    @Test
    void servletMappedInWebXml_isTheOnlyFeed() throws Exception {
        FeedWebApp app = FeedWebApp.declared(Map.of("helloretail.orderFeedUser", "by-hand"))
                .withFragmentJar()
                .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", NOWHERE)
                .contextParam("helloretail.orderFeedPassword", PASSWORD)
                .contextParam("helloretail.orderFeedDataSource", JNDI_NAME)
                .contextParam("helloretail.orderFeedQuery", shop.query());
        try (var d = deploy(app, "/byhand")) {
            assertEquals(200, fetch("/byhand/helloretail/orderfeed", "by-hand:" + PASSWORD).status());
            assertEquals(401, fetch("/byhand/helloretail/orderfeed", "helloretail:" + PASSWORD).status());
        }
    }
}
