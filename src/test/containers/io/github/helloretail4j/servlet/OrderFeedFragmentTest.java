package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.TestOrderSources.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The order feed from context-params alone, through the library's web fragment: not served
 * without a password, and every misconfiguration fails the deployment naming the parameter and
 * the value (never the password's). The feed served from a JNDI DataSource is {@code OrderFeedJndiTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFeedFragmentTest {

    private static final String FEED = "/helloretail/orderfeed";
    private static final String WEBSITE_UUID = "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf";
    /** The tracker runs, and would send nothing anywhere: the feed is JSON, never a page view. */
    private static final String NOWHERE = "http://127.0.0.1:1/serve/";
    private static final String QUERY = "SELECT * FROM order_feed WHERE placed_at >= ? AND placed_at < ?";

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

    /** The tracker's context-params, and these (a null value leaves the name out). */
    private Path app(Map<String, String> params) throws Exception {
        FeedWebApp app = FeedWebApp.fromContextParams().contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", NOWHERE);
        params.forEach((k, v) -> {
            if (v != null) {
                app.contextParam(k, v);
            }
        });
        return app.write(temp.resolve("app" + (++counter)));
    }

    private static Map<String, String> params(String... namesAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return params;
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void noPassword_theFeedIsNotServed(Containers.Kind kind) throws Exception {
        var container = containers.get(kind);
        try (var d = container.deploy(app(params("helloretail.orderFeedQuery", QUERY,
                "helloretail.orderFeedDataSource", "java:comp/env/jdbc/shop")), "/nopassword")) {
            var response = RawHttp.get(container.port(), "/nopassword" + FEED,
                    "Authorization: " + TestOrderSources.AUTHORIZATION);
            assertEquals(404, response.status());
        }
    }

    static Stream<Arguments> misconfigurations() {
        List<Arguments> cases = List.of(
                Arguments.of(params("helloretail.orderFeedPassword", PASSWORD),
                        "helloretail.orderFeedPassword (context-param) is set, but the order feed has no orders to"
                                + " serve: set helloretail.orderFeedDataSource (the JNDI name of the shop's"
                                + " DataSource) and helloretail.orderFeedQuery (the SQL that reads the orders), or"
                                + " map OrderFeedServlet with the shop's own OrderSource in code"),
                Arguments.of(params("helloretail.orderFeedPassword", PASSWORD, "helloretail.orderFeedQuery", QUERY),
                        "helloretail.orderFeedDataSource is required: the JNDI name of the DataSource the order feed's"
                                + " query runs on, e.g. java:comp/env/jdbc/shop"),
                Arguments.of(params("helloretail.orderFeedPassword", PASSWORD,
                                "helloretail.orderFeedDataSource", "java:comp/env/jdbc/shop"),
                        "helloretail.orderFeedQuery is required: the SQL that reads the orders, one row per order"
                                + " line, with the columns order_number, order_date, total, email, customer_id,"
                                + " product_number, product_url, quantity, line_total"),
                Arguments.of(params("helloretail.orderFeedPassword", "short-1"),
                        "helloretail.orderFeedPassword (context-param) must be at least 8 characters without control"
                                + " characters: (not shown)"),
                Arguments.of(params("helloretail.orderFeedPassword", PASSWORD, "helloretail.orderFeedZone",
                                "Europe/Kopenhagen"),
                        "helloretail.orderFeedZone (context-param) must be a time zone ID like Europe/Copenhagen or"
                                + " UTC: \"Europe/Kopenhagen\""),
                Arguments.of(params("helloretail.orderFeedPassword", PASSWORD, "helloretail.orderFeedPath",
                                "/helloretail/*"),
                        "helloretail.orderFeedPath (context-param) must be a path in the web application, starting"
                                + " with / and without a wildcard or a trailing /, e.g. /helloretail/orderfeed:"
                                + " \"/helloretail/*\""),
                Arguments.of(params("helloretail.orderFeedPasword", PASSWORD),
                        "unknown context-param \"helloretail.orderFeedPasword\"; the parameters are"),
                Arguments.of(params("helloretail.orderFeedPassword", PASSWORD,
                                "helloretail.orderFeedDataSource", "java:comp/env/jdbc/nowhere",
                                "helloretail.orderFeedQuery", QUERY),
                        "helloretail.orderFeedDataSource (context-param) cannot be looked up in JNDI ("));
        return Stream.of(Containers.Kind.values()).flatMap(k -> cases.stream()
                .map(c -> Arguments.of(k, c.get()[0], c.get()[1])));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("misconfigurations")
    void misconfiguration_failsTheDeploymentNamingTheParameter(Containers.Kind kind, Map<String, String> params,
                                                               String message) throws Exception {
        Path dir = app(params);
        var failure = assertThrows(Containers.DeploymentFailed.class,
                () -> containers.get(kind).deploy(dir, "/bad" + counter).close());
        assertTrue(failure.getMessage().contains(message), failure.getMessage());
        assertFalse(failure.getMessage().contains("short-1"), failure.getMessage());
        if (message.contains("cannot be looked up")) {
            assertTrue(failure.getMessage().contains(": \"java:comp/env/jdbc/nowhere\""), failure.getMessage());
        }
    }
}
