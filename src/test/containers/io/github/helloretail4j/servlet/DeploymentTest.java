package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.Fixtures.threads;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.TestCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Deploying, misconfiguring and undeploying web applications on Jetty and Tomcat. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentTest {

    private static final String COOKIE = "Cookie: hello_retail_id=" + ID;
    private final TestCollector collector = TestCollector.start();
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
        collector.close();
    }

    private TestWebApp valid() {
        return new TestWebApp()
                .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", collector.endpoint().toString());
    }

    private Containers.Deployment deploy(Containers.Kind kind, TestWebApp app, String contextPath) throws Exception {
        return containers.get(kind).deploy(app.write(temp.resolve("app" + (++counter))), contextPath);
    }

    static Stream<Arguments> misconfigurations() {
        List<Arguments> cases = List.of(
                Arguments.of((UnaryOperator<TestWebApp>) a -> new TestWebApp(),
                        "helloretail.websiteUuid is required: set it as a context-param, a system property or the"
                                + " environment variable HELLORETAIL_WEBSITE_UUID (or set helloretail.enabled=false)"),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.websiteUuid", "my-shop"),
                        "helloretail.websiteUuid (context-param) must be a UUID like"
                                + " 4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf: \"my-shop\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.productNumberPattern", "/p/(?<productNumber>[^/]+"),
                        "helloretail.productNumberPattern (init-param) is not a valid regular expression (Unclosed group"
                                + " near index 25): \"/p/(?<productNumber>[^/]+\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.productNumberPattern", "/p/([^/]+)"),
                        "helloretail.productNumberPattern (init-param) must have a named group (?<productNumber>...),"
                                + " e.g. /products/(?<productNumber>[^/]+): \"/p/([^/]+)\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.websiteUUID", WEBSITE_UUID),
                        "unknown context-param \"helloretail.websiteUUID\"; the parameters are helloretail.websiteUuid,"),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.excludePath", "/admin/**"),
                        "unknown init-param \"helloretail.excludePath\"; the parameters are"),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.orderFeedPassword", "feed-secret-77"),
                        "helloretail.orderFeedPassword (init-param) is not a parameter of the filter: the order feed"
                                + " reads it as a context-param (the library's web fragment then serves the feed) or as"
                                + " an init-param of OrderFeedServlet"),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.endpoint", "http://collector.example/serve/"),
                        "helloretail.endpoint (context-param) must use https (http only for a loopback address):"
                                + " \"http://collector.example/serve/\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.trustForwardedHeaders", "yes"),
                        "helloretail.trustForwardedHeaders (init-param) must be true or false: \"yes\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.publicBaseUrl", "https://shop.example/shop"),
                        "helloretail.publicBaseUrl (context-param) must be scheme://host[:port] with no path, e.g."
                                + " https://shop.example: \"https://shop.example/shop\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.outboxDirectory", "var/outbox"),
                        "helloretail.outboxDirectory (context-param) must be an absolute path: \"var/outbox\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.outboxDirectory", "/proc/helloretail-outbox"),
                        "helloretail.outboxDirectory (context-param) \"/proc/helloretail-outbox\" cannot be used: "),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.maxRequestsInFlight", "0"),
                        "helloretail.maxRequestsInFlight (init-param) must be a whole number from 1 to 64: \"0\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.senderThreads", "0"),
                        "helloretail.senderThreads (init-param) must be a whole number from 1 to 64: \"0\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.senderThreads", "4")
                                .contextParam("helloretail.maxRequestsInFlight", "8"),
                        "helloretail.maxRequestsInFlight (context-param) \"8\" and helloretail.senderThreads"
                                + " (context-param) \"4\" are both set; helloretail.senderThreads is the deprecated"
                                + " name of helloretail.maxRequestsInFlight: keep helloretail.maxRequestsInFlight alone"),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.productNumberParameter", "product id"),
                        "helloretail.productNumberParameter (init-param) must be a query parameter name of letters,"
                                + " digits, '-', '.', '_' or '~', e.g. productId: \"product id\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.removeQueryParameters", "token&code"),
                        "helloretail.removeQueryParameters (init-param) has a name with a space, control character, '&',"
                                + " '=' or '#': \"token&code\" in the list: \"token&code\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.filterParam("helloretail.productNumberParameter", "code"),
                        "helloretail.productNumberParameter (init-param) is in helloretail.removeQueryParameters"
                                + " (default), the query parameters taken out of the URLs sent; set"
                                + " helloretail.removeQueryParameters to a list without it, or name another parameter:"
                                + " \"code\""),
                Arguments.of((UnaryOperator<TestWebApp>) a -> a.contextParam("helloretail.consentCookie", "my consent"),
                        "helloretail.consentCookie (context-param) must be a cookie name, or name=value, e.g."
                                + " cookie_consent=yes: \"my consent\""));
        return Stream.of(Containers.Kind.values()).flatMap(k -> cases.stream()
                .map(c -> Arguments.of(k, c.get()[0], c.get()[1])));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("misconfigurations")
    void badConfiguration_failsTheDeploymentNamingParameterAndValue(Containers.Kind kind,
            UnaryOperator<TestWebApp> config, String message) {
        var failure = assertThrows(Containers.DeploymentFailed.class,
                () -> deploy(kind, config.apply(valid()), "/bad" + counter));
        assertTrue(failure.getMessage().contains(message), failure.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void webFragment_jarAndWebsiteUuidAreTheWholeSetup(Containers.Kind kind) throws Exception {
        collector.reset();
        try (var d = deploy(kind, valid().withoutFilter().withFragmentJar(), "/fragment")) {
            int port = containers.get(kind).port();
            assertEquals(200, RawHttp.get(port, "/fragment/page?via=fragment", COOKIE).status());
            collector.awaitRequests(PAGEVIEW, 1);
            assertEquals("http://127.0.0.1:" + port + "/fragment/page?via=fragment",
                    collector.accepted(PAGEVIEW).get(0).get("location").asText());
            assertEquals(ID, RawHttp.get(port, "/fragment/whoami", COOKIE).body());
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void webFragment_withFilterInWebXml_tracksOnce(Containers.Kind kind) throws Exception {
        collector.reset();
        try (var d = deploy(kind, valid().withFragmentJar().requestDispatchOnly(), "/both")) {
            int port = containers.get(kind).port();
            RawHttp.get(port, "/both/page?once", COOKIE);
            collector.awaitRequests(PAGEVIEW, 1);
            Thread.sleep(300); // a second (wrong) page view would arrive within this
            assertEquals(1, collector.requests(PAGEVIEW).size());
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void webFragment_installFilterFalse_keepsTheTrackerButAddsNoFilter(Containers.Kind kind) throws Exception {
        collector.reset();
        try (var d = deploy(kind, valid().withoutFilter().withFragmentJar()
                .contextParam("helloretail.installFilter", "false"), "/nofilter")) {
            int port = containers.get(kind).port();
            assertEquals(200, RawHttp.get(port, "/nofilter/page", COOKIE).status());
            // the tracker is there for the shop's conversions...
            assertEquals("conversions tracked=0", RawHttp.get(port, "/nofilter/tracker", COOKIE).body());
            assertEquals(ID, RawHttp.get(port, "/nofilter/whoami", COOKIE).body());
            Thread.sleep(300);
            // ...but no page was tracked
            assertEquals(List.of(), collector.requests());
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void redeploy20Times_leavesNoThreadOfOurs(Containers.Kind kind) throws Exception {
        for (int i = 0; i < 20; i++) {
            TestWebApp app = i % 2 == 0 ? valid() : valid().withoutFilter().withFragmentJar();
            app.filterParam("helloretail.createTrackingUser", "true").contextParam("helloretail.createTrackingUser", "true");
            try (var d = deploy(kind, app, "/cycle")) {
                int port = containers.get(kind).port();
                assertEquals(200, RawHttp.get(port, "/cycle/page?cycle=" + i, COOKIE).status());
                RawHttp.get(port, "/cycle/page?new-visitor=" + i); // starts the id fetcher
                assertTrue(ourThreads().size() >= 1, "sender started");
            }
            assertEquals(List.of(), ourThreads(), "after undeploy " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void redeploy50Times_selfContainedWar_classLoadersAreCollected(Containers.Kind kind) throws Exception {
        List<java.lang.ref.WeakReference<ClassLoader>> loaders = new java.util.ArrayList<>();
        int port = containers.get(kind).port();
        for (int i = 0; i < 50; i++) {
            TestWebApp app = valid().selfContained().contextParam("helloretail.createTrackingUser", "true");
            Containers.Deployment d = containers.get(kind).deploy(app.write(temp.resolve("war" + (++counter))),
                    "/war", true);
            ClassLoader loader = d.classLoader();
            // the library really is the application's own, not the test classpath's
            assertTrue(loader.loadClass("io.github.helloretail4j.HelloRetailTracker").getClassLoader() == loader);
            loaders.add(new java.lang.ref.WeakReference<>(loader));
            loader = null;
            assertEquals(200, RawHttp.get(port, "/war/page?cycle=" + i, COOKIE).status());
            RawHttp.get(port, "/war/page?new-visitor=" + i); // starts the id fetcher and its client's I/O threads
            d.close();
            assertEquals(List.of(), ourThreads(), "after undeploy " + i);
        }
        Await.until("the 50 web application class loaders collected (those not yet collected)",
                Duration.ofSeconds(30), () -> {
                    System.gc();
                    return loaders.stream().filter(r -> r.get() != null).count();
                }, alive -> alive == 0);
    }

    private static List<String> ourThreads() {
        return threads("helloretail4j").stream().map(Thread::getName).sorted().toList();
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void undeploy_deliversWhatIsQueued(Containers.Kind kind) throws Exception {
        collector.reset();
        int port = containers.get(kind).port();
        try (var d = deploy(kind, valid(), "/flush")) {
            for (int i = 0; i < 50; i++) {
                RawHttp.get(port, "/flush/page?n=" + i, COOKIE);
            }
        }
        collector.await(Duration.ofSeconds(1), all -> all.size() == 50);
    }
}
