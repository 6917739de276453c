package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.Fixtures.TRACKING_USER;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.LogCapture;
import io.github.helloretail4j.testing.TestCollector;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PageViewFilter configured from web.xml, deployed on embedded Jetty 12 and Tomcat 11, with
 * real HTTP requests; asserts the exact page views the loopback collector received.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PageViewFilterContainerTest {

    static final String COOKIE = "Cookie: hello_retail_id=" + ID;
    static final String PATTERN = "/products/(?<productNumber>[^/]+)";

    private final TestCollector collector = TestCollector.start();
    private Containers.EachKind containers;
    private final Map<Containers.Kind, Containers.Deployment> shops = new EnumMap<>(Containers.Kind.class);
    private final AtomicInteger deployments = new AtomicInteger();
    @TempDir
    Path temp;

    /** A deployed test shop: its port, context path and tracker name. */
    record Shop(Containers.Container container, String contextPath, Containers.Deployment deployment) {
        int port() {
            return container.port();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + contextPath + path;
        }

        RawHttp.Response get(String path, String... headers) throws Exception {
            return RawHttp.get(port(), contextPath + path, headers);
        }

        String trackerName() {
            return WebTracking.trackerName(contextPath);
        }
    }

    @BeforeAll
    void startContainers() throws Exception {
        containers = new Containers.EachKind();
    }

    @AfterAll
    void stopContainers() throws Exception {
        for (Containers.Deployment d : shops.values()) {
            d.close();
        }
        containers.close();
        collector.close();
    }

    @BeforeEach
    void resetCollector() {
        collector.reset();
        ExceptionProbeFilter.SEEN.clear();
    }

    private TestWebApp standardConfig() {
        return new TestWebApp()
                .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                .contextParam("helloretail.endpoint", collector.endpoint().toString())
                .filterParam("helloretail.productNumberPattern", PATTERN)
                .filterParam("helloretail.productNumberParameter", "productId");
    }

    /** The standard shop of this container, deployed once and shared by the tests. */
    private Shop shop(Containers.Kind kind) throws Exception {
        String contextPath = "/shop-" + kind.name().toLowerCase();
        if (!shops.containsKey(kind)) {
            Path dir = standardConfig().write(Files.createTempDirectory("shop"));
            shops.put(kind, containers.get(kind).deploy(dir, contextPath));
        }
        return new Shop(containers.get(kind), contextPath, shops.get(kind));
    }

    /** A shop of its own with a variation of the standard configuration; undeploy it when done. */
    private Shop deploy(Containers.Kind kind, UnaryOperator<TestWebApp> config) throws Exception {
        String contextPath = "/custom" + deployments.incrementAndGet();
        Path dir = config.apply(standardConfig()).write(temp.resolve(contextPath.substring(1)));
        return new Shop(containers.get(kind), contextPath, containers.get(kind).deploy(dir, contextPath));
    }

    /**
     * Ends a test's requests with a tracked marker page and waits until the tracker has nothing
     * pending, so that everything the earlier requests caused has reached the collector.
     */
    private List<JsonNode> pageViewsAfter(Shop shop, String... markerHeaders) throws Exception {
        String marker = "/page?marker=" + System.nanoTime();
        assertEquals(200, shop.get(marker, markerHeaders.length == 0 ? new String[] {COOKIE} : markerHeaders).status());
        collector.await(Duration.ofSeconds(20), all -> all.stream()
                .anyMatch(r -> r.path().equals(PAGEVIEW) && r.body().contains(marker.substring(6))));
        ObjectName bean = new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\"" + shop.trackerName() + "\"");
        Await.until("the tracker to have no page view pending",
                () -> (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "PageViewsPending"),
                pending -> pending == 0);
        List<JsonNode> views = new ArrayList<>(collector.accepted(PAGEVIEW));
        views.removeIf(v -> v.get("location").asText().contains("?marker="));
        collector.reset();
        return views;
    }

    private void assertNotTracked(Shop shop, String method, String path, String... headers) throws Exception {
        assertNotTrackedWithMarker(shop, new String[] {COOKIE}, method, path, headers);
    }

    private void assertNotTrackedWithMarker(Shop shop, String[] markerHeaders, String method, String path,
                                            String... headers) throws Exception {
        RawHttp.send(shop.port(), method, shop.contextPath() + path, headers);
        assertEquals(List.of(), pageViewsAfter(shop, markerHeaders), method + " " + path + " " + List.of(headers));
    }

    private static String body(String location, String referrer, String productNumber, String url) {
        return "{\"location\":\"" + location + "\",\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + WEBSITE_UUID + "\""
                + (referrer == null ? "" : ",\"referrer\":\"" + referrer + "\"")
                + (url == null ? "" : ",\"url\":\"" + url + "\"")
                + (productNumber == null ? "" : ",\"productNumber\":\"" + productNumber + "\"") + "}";
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void productPage_isTrackedWithEveryField(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertEquals(200, shop.get("/products/p-1?color=red&size=42", COOKIE, "Referer: https://www.google.com/").status());
        List<JsonNode> views = pageViewsAfter(shop);
        assertEquals(1, views.size());
        assertEquals(body(shop.url("/products/p-1?color=red&size=42"), "https://www.google.com/", "p-1", null),
                views.get(0).toString());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void percentEncodedProductNumber_isDecoded(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/products/sko%20r%C3%B8d", COOKIE);
        List<JsonNode> views = pageViewsAfter(shop);
        assertEquals("sko rød", views.get(0).get("productNumber").asText());
        assertEquals(shop.url("/products/sko%20r%C3%B8d"), views.get(0).get("location").asText());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void productNumberParameter_isTheFirstValueDecoded_afterAttributeAndPattern(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/page?productId=FI-SW-01", COOKIE);
        shop.get("/page?category=fish&productId=sko%20r%C3%B8d+2", COOKIE);
        shop.get("/page?productId=A-1&productId=B-2", COOKIE);
        shop.get("/page?productId=", COOKIE);
        shop.get("/page?productId=&productId=B-3", COOKIE);
        shop.get("/products/p-5?productId=other", COOKIE);
        shop.get("/attributes?productId=other", COOKIE);
        assertEquals(List.of(
                        body(shop.url("/attributes?productId=other"), null, "attr-7", "https://shop.example/products/attr-7"),
                        body(shop.url("/page?category=fish&productId=sko%20r%C3%B8d+2"), null, "sko rød 2", null),
                        body(shop.url("/page?productId="), null, null, null),
                        body(shop.url("/page?productId=&productId=B-3"), null, null, null),
                        body(shop.url("/page?productId=A-1&productId=B-2"), null, "A-1", null),
                        body(shop.url("/page?productId=FI-SW-01"), null, "FI-SW-01", null),
                        body(shop.url("/products/p-5?productId=other"), null, "p-5", null)),
                pageViewsAfter(shop).stream().map(JsonNode::toString).sorted().toList());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void sessionIdWrittenIntoTheUrl_isNeverSent_andTheProductIsFound(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        // A browser that has not got the container's session cookie yet posts a form and follows the redirect.
        RawHttp.Response posted = RawHttp.send(shop.port(), "POST", shop.contextPath() + "/login", COOKIE);
        assertEquals(302, posted.status());
        String redirect = posted.header("Location").get(0);
        Matcher rewritten = Pattern.compile("(?:http://[^/]+)?(" + Pattern.quote(shop.contextPath())
                + "/products/p-6;jsessionid=([^;/?#]+))").matcher(redirect);
        assertTrue(rewritten.matches(), "the container wrote no session id into " + redirect);
        String page = rewritten.group(1);
        String sessionId = rewritten.group(2);
        assertEquals(200, RawHttp.get(shop.port(), page, COOKIE).status());
        assertEquals(200, shop.get("/products/p-7", COOKIE, "Referer: http://127.0.0.1:" + shop.port() + page).status());

        List<String> views = pageViewsAfter(shop).stream().map(JsonNode::toString).sorted().toList();
        assertEquals(List.of(
                body(shop.url("/products/p-6"), null, "p-6", null),
                body(shop.url("/products/p-7"), shop.url("/products/p-6"), "p-7", null)), views);
        assertFalse(views.toString().toLowerCase(Locale.ROOT).contains("jsessionid"), views.toString());
        assertFalse(views.toString().contains(sessionId), views.toString());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void secretQueryParameters_areNeverSent(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/reset?token=SECRET&lang=en", COOKIE, "Referer: https://mail.example/inbox?SID=MAILSESSION&folder=1#m-9");
        shop.get("/products/p-8?code=OAUTHCODE&state=OAUTHSTATE&color=red", COOKIE,
                "Referer: https://accounts.example/authorize;jsessionid=IDPSESSION?client_id=shop&redirect_uri=x");
        shop.get("/page?access%5Ftoken=ENCODEDTOKEN&productId=FI-SW-01", COOKIE);
        shop.get("/canonical-with-secrets", COOKIE);

        List<String> views = pageViewsAfter(shop).stream().map(JsonNode::toString).sorted().toList();
        assertEquals(List.of(
                body(shop.url("/canonical-with-secrets"), null, null, "https://shop.example/products/p-9?color=red"),
                body(shop.url("/page?productId=FI-SW-01"), null, "FI-SW-01", null),
                body(shop.url("/products/p-8?color=red"),
                        "https://accounts.example/authorize?client_id=shop&redirect_uri=x", "p-8", null),
                body(shop.url("/reset?lang=en"), "https://mail.example/inbox?folder=1", null, null)), views);
        for (String secret : List.of("SECRET", "MAILSESSION", "OAUTHCODE", "OAUTHSTATE", "IDPSESSION", "ENCODEDTOKEN",
                "CANONICALSESSION", "SIGNED")) {
            assertFalse(views.toString().contains(secret), secret + " in " + views);
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void removeQueryParameters_replacesTheDefault(Containers.Kind kind) throws Exception {
        Shop shop = deploy(kind, c -> c.filterParam("helloretail.removeQueryParameters", "voucher"));
        try (var d = shop.deployment()) {
            shop.get("/page;jsessionid=ABC?voucher=V-1&code=kept&lang=en", COOKIE);
            assertEquals(List.of(shop.url("/page?code=kept&lang=en")),
                    pageViewsAfter(shop).stream().map(v -> v.get("location").asText()).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void trackConversion_takesTheVisitorsId_unlessTheBuilderHasOne(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        String n = kind + "-" + System.nanoTime();
        assertEquals("ACCEPTED " + n + "-1 id=" + ID, shop.get("/order?number=" + n + "-1", COOKIE).body());
        assertEquals("ACCEPTED " + n + "-2 id=none", shop.get("/order?number=" + n + "-2").body());
        assertEquals("ACCEPTED " + n + "-3 id=0123456789abcdef01234567",
                shop.get("/order?number=" + n + "-3&id=0123456789abcdef01234567", COOKIE).body());
        RawHttp.Response bad = shop.get("/order?number=" + n + "-4&id=NOT-AN-ID", COOKIE);
        assertEquals(200, bad.status(), "the shopper's page is not failed by tracking");
        assertEquals("INVALID: trackingUserId must be 24 lowercase hex characters: \"NOT-AN-ID\"", bad.body());
        List<TestCollector.Received> sent = collector.await(Duration.ofSeconds(20), all -> all.stream()
                .filter(r -> r.path().equals("/serve/collect/conversion")).count() == 3);
        Map<String, String> idByOrder = new java.util.TreeMap<>();
        sent.stream().filter(r -> r.path().equals("/serve/collect/conversion")).map(TestCollector.Received::json)
                .forEach(c -> idByOrder.put(c.get("orderNumber").asText(),
                        c.has("trackingUserId") ? c.get("trackingUserId").asText() : "none"));
        assertEquals(Map.of(n + "-1", ID, n + "-2", "none", n + "-3", "0123456789abcdef01234567"), idByOrder);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void trackCart_takesTheVisitorsIdFromTheCookie_andAnEmptyCartClears(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertEquals("queued [sh-101, bg-201] id=" + ID, shop.get("/cart?items=sh-101,bg-201", COOKIE).body());
        assertEquals("queued [] id=" + ID, shop.get("/cart?items=", COOKIE).body());
        List<TestCollector.Received> sent = collector.await(Duration.ofSeconds(20), all -> all.stream()
                .filter(r -> r.path().equals("/serve/collect/cart")).anyMatch(r -> r.body().contains("\"productNumbers\":[]")));
        TestCollector.Received last = sent.stream().filter(r -> r.path().equals("/serve/collect/cart"))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("{\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\"" + TestCollector.WEBSITE_UUID
                + "\",\"total\":0,\"productNumbers\":[]}", last.body());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void notPageViews_areNotTracked(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertNotTracked(shop, "POST", "/checkout", COOKIE);
        assertNotTracked(shop, "HEAD", "/page", COOKIE);
        assertNotTracked(shop, "GET", "/missing", COOKIE);
        assertNotTracked(shop, "GET", "/redirect", COOKIE);
        assertNotTracked(shop, "GET", "/json", COOKIE);
        assertNotTracked(shop, "GET", "/style.css", COOKIE);
        assertNotTracked(shop, "GET", "/skip", COOKIE);
        assertNotTracked(shop, "GET", "/fails", COOKIE);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void botsPrefetchAndScripts_areNotTracked(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertNotTracked(shop, "GET", "/page", COOKIE,
                "User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        assertNotTracked(shop, "GET", "/page", COOKIE, "User-Agent: curl/8.5.0");
        assertNotTracked(shop, "GET", "/page", COOKIE, "User-Agent: Mozilla/5.0 HeadlessChrome/126.0.0.0");
        assertNotTracked(shop, "GET", "/page", COOKIE, "Sec-Purpose: prefetch");
        assertNotTracked(shop, "GET", "/page", COOKIE, "Sec-Purpose: prefetch;prerender");
        assertNotTracked(shop, "GET", "/page", COOKIE, "Purpose: prefetch");
        assertNotTracked(shop, "GET", "/page", COOKIE, "X-Moz: prefetch");
        assertNotTracked(shop, "GET", "/page", COOKIE, "X-Requested-With: XMLHttpRequest");
        assertNotTracked(shop, "GET", "/page", COOKIE, "Sec-Fetch-Dest: empty");
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void visitorWithoutValidId_isNotTracked(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertNotTracked(shop, "GET", "/page");
        assertNotTracked(shop, "GET", "/page", "Cookie: hello_retail_id=62A0317D17698AA57D369DB9");
        assertNotTracked(shop, "GET", "/page", "Cookie: hello_retail_id=62a0317d17698aa57d369db");
        assertNotTracked(shop, "GET", "/page", "Cookie: hello_retail_id=\"<script>alert(1)</script>\"");
        assertNotTracked(shop, "GET", "/page", "Cookie: hello_retail_id=62a0317d17698aa57d369db9x");
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void visitorsWithoutAnId_areCounted_andSaidOnce_namingCreateTrackingUser(Containers.Kind kind) throws Exception {
        String log;
        try (LogCapture capture = new LogCapture()) {
            Shop shop = deploy(kind, config -> config);
            try {
                shop.get("/page");
                shop.get("/products/p-1");
                shop.get("/page", "Cookie: hello_retail_id=not-an-id");
                shop.get("/whoami"); // not a page: text/plain
                shop.get("/page", COOKIE);
                assertEquals("3", shop.get("/without-id").body());
            } finally {
                shop.deployment().close();
            }
            log = capture.text();
        }
        String said = "a page view was not tracked: the visitor has no hello_retail_id cookie yet. The cookie comes"
                + " from Hello Retail's script on the shop's pages; a shop without it sets"
                + " helloretail.createTrackingUser=true, and the filter creates ids itself.";
        assertEquals(1, log.split(Pattern.quote(said), -1).length - 1, log);
        assertTrue(log.contains("INFO io.github.helloretail4j.filter - " + said), log);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void optedOutIdAndDuplicateCookies_areHandled(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/page?opted-out", "Cookie: hello_retail_id=000000000000000000000000");
        shop.get("/page?second-is-valid", "Cookie: hello_retail_id=bogus; hello_retail_id=" + ID);
        List<JsonNode> views = pageViewsAfter(shop);
        assertEquals(2, views.size());
        Map<String, String> idByLocation = new java.util.HashMap<>();
        views.forEach(v -> idByLocation.put(v.get("location").asText(), v.get("trackingUserId").asText()));
        assertEquals("000000000000000000000000", idByLocation.get(shop.url("/page?opted-out")));
        assertEquals(ID, idByLocation.get(shop.url("/page?second-is-valid")));
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void dispatches_giveOnePageViewPerVisitorRequest(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/forward", COOKIE);
        shop.get("/include", COOKIE);
        shop.get("/async", COOKIE);
        shop.get("/async-dispatch", COOKIE);
        List<String> locations = pageViewsAfter(shop).stream().map(v -> v.toString()).sorted().toList();
        assertEquals(List.of(
                body(shop.url("/async"), null, "async-1", null),
                body(shop.url("/async-dispatch"), null, null, null),
                body(shop.url("/forward"), null, null, null),
                body(shop.url("/include"), null, null, null)), locations);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void requestAttributes_setProductNumberAndCanonicalUrl(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/attributes", COOKIE);
        assertEquals(List.of(body(shop.url("/attributes"), null, "attr-7", "https://shop.example/products/attr-7")),
                pageViewsAfter(shop).stream().map(JsonNode::toString).toList());
        shop.get("/bad-attributes", COOKIE);
        assertEquals(List.of(body(shop.url("/bad-attributes"), null, null, null)),
                pageViewsAfter(shop).stream().map(JsonNode::toString).toList());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void invalidReferer_isLeftOut(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        shop.get("/page?r", COOKIE, "Referer: /relative");
        shop.get("/page?r2", COOKIE, "Referer: javascript:alert(1)");
        List<JsonNode> views = pageViewsAfter(shop);
        assertEquals(2, views.size());
        assertTrue(views.stream().noneMatch(v -> v.has("referrer")), views.toString());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void shopExceptions_passThroughUnchanged(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertEquals(500, shop.get("/fails-runtime", COOKIE).status());
        assertEquals(1, ExceptionProbeFilter.SEEN.size());
        Throwable seen = ExceptionProbeFilter.SEEN.get(0);
        assertSame(IllegalStateException.class, seen.getClass());
        assertEquals("the shop's own runtime failure", seen.getMessage());
        assertEquals(List.of(), pageViewsAfter(shop));
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void trackingUserId_readsTheValidCookieOnly(Containers.Kind kind) throws Exception {
        Shop shop = shop(kind);
        assertEquals(ID, shop.get("/whoami", COOKIE).body());
        assertEquals("none", shop.get("/whoami", "Cookie: hello_retail_id=nope").body());
        assertEquals("none", shop.get("/whoami").body());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void consentCookie_isRequiredWhenConfigured(Containers.Kind kind) throws Exception {
        Shop shop = deploy(kind, c -> c.contextParam("helloretail.consentCookie", "consent=yes"));
        try (var d = shop.deployment()) {
            String[] consented = {COOKIE + "; consent=yes"};
            assertNotTrackedWithMarker(shop, consented, "GET", "/page?no-consent", COOKIE);
            assertNotTrackedWithMarker(shop, consented, "GET", "/page?refused", COOKIE + "; consent=no");
            assertEquals("none", shop.get("/whoami", COOKIE).body());
            assertEquals(ID, shop.get("/whoami", COOKIE + "; consent=yes").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void globalPrivacyControl_isHonouredWhenConfigured(Containers.Kind kind) throws Exception {
        Shop shop = deploy(kind, c -> c.filterParam("helloretail.honorGlobalPrivacyControl", "true"));
        try (var d = shop.deployment()) {
            assertNotTracked(shop, "GET", "/page?gpc", COOKIE, "Sec-GPC: 1");
        }
        // off by default: the standard shop tracks the same request
        Shop standard = shop(kind);
        standard.get("/page?gpc", COOKIE, "Sec-GPC: 1");
        assertEquals(1, pageViewsAfter(standard).size());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void publicBaseUrl_replacesSchemeHostAndPort(Containers.Kind kind) throws Exception {
        Shop shop = deploy(kind, c -> c.contextParam("helloretail.publicBaseUrl", "https://shop.example/"));
        try (var d = shop.deployment()) {
            shop.get("/products/p-9?x=1", COOKIE);
            assertEquals(List.of("https://shop.example" + shop.contextPath() + "/products/p-9?x=1"),
                    pageViewsAfter(shop).stream().map(v -> v.get("location").asText()).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void forwardedHeaders_areUsedOnlyWhenTrusted(Containers.Kind kind) throws Exception {
        Shop standard = shop(kind);
        standard.get("/page?fwd", COOKIE, "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example");
        assertEquals(List.of(standard.url("/page?fwd")),
                pageViewsAfter(standard).stream().map(v -> v.get("location").asText()).toList());

        Shop trusting = deploy(kind, c -> c.filterParam("helloretail.trustForwardedHeaders", "true"));
        try (var d = trusting.deployment()) {
            trusting.get("/page?xf", COOKIE, "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example");
            trusting.get("/page?rfc", COOKIE, "Forwarded: for=1.2.3.4;proto=https;host=\"shop.example:8443\"");
            trusting.get("/page?junk", COOKIE, "X-Forwarded-Host: shop.example/evil?");
            List<String> locations = pageViewsAfter(trusting).stream().map(v -> v.get("location").asText()).sorted().toList();
            assertEquals(List.of(
                    "http://127.0.0.1:" + trusting.port() + trusting.contextPath() + "/page?junk",
                    "https://shop.example" + trusting.contextPath() + "/page?xf",
                    "https://shop.example:8443" + trusting.contextPath() + "/page?rfc"), locations);
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void createTrackingUser_givesNewVisitorsACookie_butNotBots(Containers.Kind kind) throws Exception {
        Shop shop = deploy(kind, c -> c.filterParam("helloretail.createTrackingUser", "true")
                .contextParam("helloretail.createTrackingUser", "true"));
        try (var d = shop.deployment()) {
            RawHttp.Response first = untilSetCookie(shop, "/whoami-html");
            List<String> setCookie = first.header("Set-Cookie");
            assertEquals(1, setCookie.size(), first.headers().toString());
            String cookie = setCookie.get(0);
            String id = cookie.substring("hello_retail_id=".length(), "hello_retail_id=".length() + 24);
            assertTrue(io.github.helloretail4j.internal.Ids.isTrackingUserId(id), cookie);
            assertTrue(cookie.startsWith("hello_retail_id=" + id + ";"), cookie);
            assertTrue(cookie.contains("Max-Age=31536000"), cookie);
            assertTrue(cookie.contains("Path=/"), cookie);
            assertTrue(cookie.contains("SameSite=Lax"), cookie);
            assertFalse(cookie.contains("Secure"), cookie);
            // the shop's code sees the new id in the same request
            assertTrue(first.body().contains("id=" + id), first.body());
            List<JsonNode> views = pageViewsAfter(shop);
            assertTrue(views.stream().anyMatch(v -> v.get("trackingUserId").asText().equals(id)
                    && v.get("location").asText().equals(shop.url("/whoami-html"))), views.toString());

            RawHttp.Response bot = shop.get("/page", "User-Agent: Googlebot/2.1");
            assertEquals(List.of(), bot.header("Set-Cookie"));
            RawHttp.Response known = shop.get("/page", COOKIE);
            assertEquals(List.of(), known.header("Set-Cookie"));
        }
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void createTrackingUser_waitsForConsent(Containers.Kind kind) throws Exception {
        Shop shop = deploy(kind, c -> c.contextParam("helloretail.createTrackingUser", "true")
                .contextParam("helloretail.consentCookie", "consent"));
        try (var d = shop.deployment()) {
            for (int i = 0; i < 20; i++) {
                assertEquals(List.of(), shop.get("/page").header("Set-Cookie"));
                Thread.sleep(20);
            }
            assertEquals(0, collector.requests(TRACKING_USER).size(), "no id created before consent");
            // the first consenting visitor starts the stock, and gets an id
            RawHttp.Response consenting = untilSetCookie(shop, "/page", "Cookie: consent=1");
            assertEquals(1, consenting.header("Set-Cookie").size(), consenting.headers().toString());
            assertTrue(consenting.header("Set-Cookie").get(0).startsWith("hello_retail_id="), consenting.headers().toString());
            assertTrue(collector.requests(TRACKING_USER).size() > 0);
        }
    }

    /**
     * The page, asked for until its answer sets a cookie (for at most 20 s): ids are fetched in
     * the background, so the first visitor may arrive before one is ready.
     */
    private static RawHttp.Response untilSetCookie(Shop shop, String path, String... headers) {
        return Await.until("an answer to " + path + " that sets a cookie", () -> shop.get(path, headers),
                r -> !r.header("Set-Cookie").isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void disabled_tracksNothing_andNeedsNoWebsiteUuid(Containers.Kind kind) throws Exception {
        Path dir = new TestWebApp().contextParam("helloretail.enabled", "false")
                .write(temp.resolve("disabled-" + kind));
        try (Containers.Deployment d = containers.get(kind).deploy(dir, "/disabled")) {
            RawHttp.get(containers.get(kind).port(), "/disabled/page", COOKIE);
            assertEquals(ID, RawHttp.get(containers.get(kind).port(), "/disabled/whoami", COOKIE).body());
            Thread.sleep(200);
            assertEquals(List.of(), collector.requests());
        }
    }
}
