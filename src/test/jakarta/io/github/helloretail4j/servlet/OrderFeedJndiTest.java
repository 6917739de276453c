package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code OrderFeedServlet} in web.xml, as a shop without code for it maps it: the query from an
 * init-param (or a context-param) run on the DataSource its JNDI name finds. Tomcat 11 with its
 * JNDI enabled, the DataSource declared as {@code jdbc/shop} as a context.xml would, backed by the
 * run's PostgreSQL.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFeedJndiTest {

    private static final String JNDI_NAME = "java:comp/env/jdbc/shop";

    private final PostgresCluster pg;
    private final ShopSchema shop;
    private final Containers.TomcatContainer tomcat;
    @TempDir
    Path temp;
    private int counter;

    OrderFeedJndiTest(PostgresCluster pg) throws Exception {
        this.pg = pg;
        this.shop = new ShopSchema(pg);
        this.tomcat = new Containers.TomcatContainer(true);
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
            String request = "GET /shop/helloretail/orderfeed?daysBack=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection:"
                    + " close\r\nAuthorization: ";
            var response = RawHttp.exchange(tomcat.port(), (request + TestOrderSources.basic("feed-reader:another-secret-5678")
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 20_000).get(0);
            assertEquals(200, response.status());
            assertEquals("[{\"total\":99.50,\"orderNumber\":\"jndi-1\",\"email\":\"customer@example.com\",\"date\":\""
                    + placed.toString().replace('T', ' ').replace("Z", "") + "\",\"products\":[{\"productNumber\":"
                    + "\"p-1\",\"url\":\"https://shop.example/p/1\",\"quantity\":1,\"lineTotal\":99.50}]}]",
                    response.body());
            var wrongUser = RawHttp.exchange(tomcat.port(), (request + TestOrderSources.basic("helloretail:another-secret-5678")
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 20_000).get(0);
            assertEquals(401, wrongUser.status());
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
}
