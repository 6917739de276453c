package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.TestOrderSources.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code OrderFeedServlet} declared in web.xml with a bad or missing init-param: its {@code init}
 * fails naming the parameter, where it was found and the value. Jetty then fails the
 * deployment; Tomcat starts the application (as it does for any servlet whose start fails, unless
 * the context's {@code failCtxIfServletStartFails} is set), logs the message and answers the
 * feed's URL with an error, never with orders.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFeedDeploymentTest {

    private static final String FEED = "/helloretail/orderfeed";

    private Containers.EachKind containers;
    @TempDir
    Path temp;
    private int counter;

    @BeforeAll
    void start() throws Exception {
        containers = new Containers.EachKind();
    }

    @AfterAll
    void stop() throws Exception {
        containers.close();
    }

    private static Map<String, String> params(String... namesAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("helloretail.orderFeedPassword", PASSWORD);
        params.put("helloretail.orderFeedDataSource", "java:comp/env/jdbc/shop");
        params.put("helloretail.orderFeedQuery", "SELECT * FROM order_feed WHERE placed_at >= ? AND placed_at < ?");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] == null) {
                params.remove(namesAndValues[i]);
            } else {
                params.put(namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return params;
    }

    static Stream<Arguments> misconfigurations() {
        List<Arguments> cases = List.of(
                Arguments.of(params("helloretail.orderFeedPassword", null),
                        "helloretail.orderFeedPassword is required: the order feed is served only with a password;"
                                + " set it as an init-param of the servlet or a context-param"),
                Arguments.of(params("helloretail.orderFeedPassword", "secret"),
                        "helloretail.orderFeedPassword (init-param) must be at least 8 characters without control"
                                + " characters: (not shown)"),
                Arguments.of(params("helloretail.orderFeedUser", "hello:retail"),
                        "helloretail.orderFeedUser (init-param) must be 1 to 256 characters without ':' or control"
                                + " characters: \"hello:retail\""),
                Arguments.of(params("helloretail.orderFeedZone", "Europe/Kopenhagen"),
                        "helloretail.orderFeedZone (init-param) must be a time zone ID like Europe/Copenhagen or UTC:"
                                + " \"Europe/Kopenhagen\""),
                Arguments.of(params("helloretail.orderFeedDataSource", null),
                        "helloretail.orderFeedDataSource is required: the JNDI name of the DataSource the order feed's"
                                + " query runs on, e.g. java:comp/env/jdbc/shop"),
                Arguments.of(params("helloretail.orderFeedQuery", null),
                        "helloretail.orderFeedQuery is required: the SQL that reads the orders, one row per order"
                                + " line, with the columns order_number, order_date, total, email, customer_id,"
                                + " product_number, product_url, quantity, line_total"),
                Arguments.of(params("helloretail.orderFeedPasword", "typo-in-the-name"),
                        "unknown init-param \"helloretail.orderFeedPasword\"; the order feed's parameters are"
                                + " helloretail.orderFeedPassword, helloretail.orderFeedUser,"
                                + " helloretail.orderFeedDataSource, helloretail.orderFeedQuery, helloretail.orderFeedZone"),
                Arguments.of(params("helloretail.orderFeedDataSource", "java:comp/env/jdbc/nowhere"),
                        "helloretail.orderFeedDataSource (init-param) cannot be looked up in JNDI ("));
        return Stream.of(Containers.Kind.values()).flatMap(k -> cases.stream()
                .map(c -> Arguments.of(k, c.get()[0], c.get()[1])));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("misconfigurations")
    void badInitParam_failsTheServletNamingTheParameter(Containers.Kind kind, Map<String, String> params,
                                                          String message) throws Exception {
        Path dir = FeedWebApp.declared(params).write(temp.resolve("app" + (++counter)));
        List<String> logged = new java.util.ArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                    synchronized (logged) {
                        logged.add(String.valueOf(t.getMessage()));
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger catalina = java.util.logging.Logger.getLogger("org.apache.catalina");
        catalina.addHandler(capture);
        try {
            if (kind == Containers.Kind.JETTY) {
                var failure = assertThrows(Containers.DeploymentFailed.class,
                        () -> containers.get(kind).deploy(dir, "/bad" + counter));
                assertTrue(failure.getMessage().contains(message), failure.getMessage());
                return;
            }
            try (var d = containers.get(kind).deploy(dir, "/bad" + counter)) {
                synchronized (logged) {
                    assertTrue(logged.stream().anyMatch(m -> m.startsWith(message)), String.join("\n", logged));
                }
                var response = RawHttp.get(containers.get(kind).port(), "/bad" + counter + FEED,
                        "Authorization: " + TestOrderSources.AUTHORIZATION);
                assertEquals(500, response.status());
            }
        } finally {
            catalina.removeHandler(capture);
        }
    }
}
