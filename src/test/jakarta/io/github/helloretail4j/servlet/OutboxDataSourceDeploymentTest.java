package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.CONVERSION;
import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.TestCollector;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
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
 * {@code helloretail.outboxDataSource} in a real container: Tomcat 11 with its JNDI enabled, the
 * shop's DataSource declared as the context's resource {@code jdbc/shop} (as a context.xml
 * {@code <Resource>} would), backed by the run's throwaway PostgreSQL. Tomcat, because its
 * embedded form has JNDI built in; Jetty needs jetty-plus and jetty-jndi for it.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxDataSourceDeploymentTest {

    private static final String COOKIE = "Cookie: hello_retail_id=" + ID;
    private static final String JNDI_NAME = "java:comp/env/jdbc/shop";

    private final PostgresCluster pg;
    private final TestCollector collector = TestCollector.start();
    private final Containers.TomcatContainer tomcat;
    @TempDir
    Path temp;
    private int counter;

    OutboxDataSourceDeploymentTest(PostgresCluster pg) throws Exception {
        this.pg = pg;
        this.tomcat = new Containers.TomcatContainer(true);
    }

    @AfterAll
    void stop() throws Exception {
        tomcat.close();
        collector.close();
    }

    /**
     * The shop's resources: {@code jdbc/shop}, a PGSimpleDataSource made by Tomcat's generic
     * bean factory (tomcat-embed-core has no pool of its own), and {@code jdbc/notADataSource},
     * a String, for the lookup that finds something else.
     */
    private Consumer<StandardContext> resources() {
        return context -> {
            ContextResource shop = new ContextResource();
            shop.setName("jdbc/shop");
            shop.setType("org.postgresql.ds.PGSimpleDataSource");
            shop.setProperty("factory", "org.apache.naming.factory.BeanFactory");
            shop.setProperty("url", pg.jdbcUrl());
            shop.setProperty("user", PostgresCluster.USER);
            context.getNamingResources().addResource(shop);
            ContextEnvironment text = new ContextEnvironment();
            text.setName("jdbc/notADataSource");
            text.setType("java.lang.String");
            text.setValue("jdbc:postgresql://127.0.0.1/shop");
            context.getNamingResources().addEnvironment(text);
        };
    }

    private TestWebApp app() {
        return new TestWebApp()
                .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", collector.endpoint().toString());
    }

    private Containers.Deployment deploy(TestWebApp app, String contextPath) throws Exception {
        return tomcat.deploy(app.write(temp.resolve("app" + (++counter))), contextPath, resources());
    }

    @Test
    void conversion_landsInTheTableOfTheJndiDataSource_andIsDeliveredOnce() throws Exception {
        String table = pg.freshTable("webxml");
        String order = "jndi-" + System.nanoTime();
        try (var d = deploy(app().contextParam("helloretail.outboxDataSource", JNDI_NAME)
                .contextParam("helloretail.outboxTable", table), "/shop")) {
            assertEquals("ACCEPTED " + order + " id=" + ID,
                    RawHttp.get(tomcat.port(), "/shop/order?number=" + order, COOKIE).body());
            // The row is there as soon as trackConversion returned (it is the outbox, not a copy)...
            assertEquals(1, rows(table, order, null));
            // ...and the tracker delivers it from there, once, and marks it so.
            Await.until("the row delivered", Duration.ofSeconds(30), () -> rows(table, order, "delivered"),
                    n -> n == 1);
            Thread.sleep(300); // a second (wrong) delivery would arrive within this
            assertEquals(1L, collector.acceptedOrders().get(order));
            assertEquals(1, collector.requests(CONVERSION).stream()
                    .filter(r -> r.json().get("orderNumber").asText().equals(order)).count());
        }
        assertEquals(1, rows(table, order, "delivered"));
    }

    @Test
    void outboxDirectoryAndOutboxDataSource_failTheDeploymentNamingBoth() {
        Path dir = temp.resolve("outbox");
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(app()
                .contextParam("helloretail.outboxDirectory", dir.toString())
                .contextParam("helloretail.outboxDataSource", JNDI_NAME), "/both"));
        assertTrue(failure.getMessage().contains("helloretail.outboxDirectory (context-param) \"" + dir
                + "\" and helloretail.outboxDataSource (context-param) \"java:comp/env/jdbc/shop\" are both set;"
                + " conversions wait in one of them: keep helloretail.outboxDataSource for a shop of several"
                + " nodes, or helloretail.outboxDirectory for one"), failure.getMessage());
    }

    @Test
    void unknownJndiName_failsTheDeploymentNamingParameterAndValue() {
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(app()
                .contextParam("helloretail.outboxDataSource", "java:comp/env/jdbc/nope"), "/nope"));
        assertTrue(failure.getMessage().contains("helloretail.outboxDataSource (context-param) cannot be looked up"
                + " in JNDI (NameNotFoundException: Name [nope] is not bound in this Context. Unable to find"
                + " [nope].): \"java:comp/env/jdbc/nope\""), failure.getMessage());
    }

    @Test
    void nameOfSomethingElse_failsTheDeploymentNamingWhatItFound() {
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(app()
                .contextParam("helloretail.outboxDataSource", "java:comp/env/jdbc/notADataSource"), "/text"));
        assertTrue(failure.getMessage().contains("helloretail.outboxDataSource (context-param) names a"
                + " java.lang.String in JNDI, not a javax.sql.DataSource: \"java:comp/env/jdbc/notADataSource\""),
                failure.getMessage());
    }

    @Test
    void outboxTableWithoutOutboxDataSource_failsTheDeployment() {
        var failure = assertThrows(Containers.DeploymentFailed.class, () -> deploy(app()
                .contextParam("helloretail.outboxTable", "shop.conversions"), "/table"));
        assertTrue(failure.getMessage().contains("helloretail.outboxTable (context-param) is set without"
                + " helloretail.outboxDataSource; it names the database outbox's table: \"shop.conversions\""),
                failure.getMessage());
    }

    /** Rows for the order in the table; {@code state} null: in any state. */
    private long rows(String table, String order, String state) throws Exception {
        try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + table
                + " WHERE order_number = ?" + (state == null ? "" : " AND state = ?"))) {
            s.setString(1, order);
            if (state != null) {
                s.setString(2, state);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
