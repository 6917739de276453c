package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.Urls;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testing.CleanUrls;
import io.github.helloretail4j.testing.HostileStrings;
import io.github.helloretail4j.testing.TestCollector;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile visitors against PageViewFilter deployed on embedded Jetty 12 and Tomcat 11, over real
 * sockets, with raw bytes: random and malicious {@code hello_retail_id} cookies (many of one
 * name), {@code Host}, {@code Referer}, user agents, {@code Forwarded} / {@code X-Forwarded-*}
 * (one deployment per container trusts them), paths and query strings with invalid escapes,
 * CR/LF, NUL, overlong values, non-UTF-8 bytes and Unicode.
 *
 * <p>For every request: the status is the shop's or the container's own (never a 500 but
 * Tomcat's own failed redirect, see {@link #CONNECTOR_ERRORS}), no exception reaches the
 * container, the filter's own code never fails ({@link PageViews#FAILURES}), the request
 * returns within seconds, at most one page view per served request reaches the collector, and
 * each is accepted by it and carries only a valid id the visitor sent and absolute URLs that
 * {@code Urls.urlProblem} accepts; where a part of the request is what a browser sends, the field made from
 * it is exact. Browser visits with hostile content, and a trusted proxy's forwarded headers with
 * hostile extras, are tracked with exactly the expected fields.
 *
 * <p>Each container and each deployment is started once for the whole class.
 */
class PageViewFilterPropertiesTest {

    static final List<String> IDS = List.of(ID, "000000000000000000000000", "0123456789abcdef01234567",
            "ffffffffffffffffffffffff");
    /**
     * 200: a page the shop served. 404: the shop's own answer to a path the container normalised
     * away from its pages ({@code /products/..;/x}). 400, 414, 431, 505: the container's refusal
     * of a request line or header it will not parse, before any filter runs (505: Jetty's answer
     * to a request line without version, HTTP/0.9).
     */
    static final Set<Integer> STATUSES = Set.of(200, 400, 404, 414, 431, 505);
    private static final Pattern ERROR_PAGE = Pattern.compile("HTTP Status (\\d{3})");
    /** Hosts only ever sent in forwarded headers: a shop that does not trust them never sends them. */
    static final List<String> FORWARDED_ONLY = List.of("fwd.example", "fwd.example:8443", "[2001:db8::f]",
            "[2001:db8::f]:444", "FWD.example");
    static final List<String> BROWSERS = List.of(RawHttp.Visitors.BROWSER,
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1");
    private static final Pattern SENT_ID = Pattern.compile("hello_retail_id\\s*=\\s*\"?([0-9a-f]{24})(?![0-9a-zA-Z])");
    private static final long BLOCKING_BOUND_MILLIS = 5_000;
    private static final PathGlobs DEFAULT_EXCLUDES = PathGlobs.parse(PathGlobs.DEFAULT);
    private static final List<String> SECRET_NAMES = List.of(Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS.split(","));

    /**
     * What Tomcat's connector logged with an exception. Tomcat 11 implements Servlet 6.1, where
     * {@code sendRedirect(String)} is a default method; the test classpath has
     * jakarta.servlet-api 6.0.0 first, where it is abstract. So Tomcat's own redirect of a context
     * root without its slash ({@code /ctx/products/%2e%2e} is {@code /ctx}) fails with
     * AbstractMethodError in {@code CoyoteAdapter.postParseRequest}, before any filter, and Tomcat
     * answers 500. That 500, and only it, is accepted: see {@link #assertHarmless}.
     */
    private static final List<Throwable> CONNECTOR_ERRORS = new CopyOnWriteArrayList<>();
    private static final Logger COYOTE = Logger.getLogger("org.apache.coyote");
    private static final Handler CONNECTOR_LOG = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                CONNECTOR_ERRORS.add(record.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static TestCollector collector;
    private static final Map<Containers.Kind, Containers.Container> CONTAINERS = new EnumMap<>(Containers.Kind.class);
    private static final List<Containers.Deployment> DEPLOYMENTS = new ArrayList<>();

    /** A deployed shop: the standard one, or one that trusts forwarded headers. */
    record Shop(Containers.Kind kind, boolean trusting) {
        String contextPath() {
            return (trusting ? "/trusting-" : "/hostile-") + kind.name().toLowerCase(Locale.ROOT);
        }

        int port() {
            return CONTAINERS.get(kind).port();
        }

        ObjectName tracker() throws Exception {
            return new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name=\""
                    + WebTracking.trackerName(contextPath()) + "\"");
        }
    }

    @BeforeContainer
    static void deploy() throws Exception {
        COYOTE.addHandler(CONNECTOR_LOG);
        collector = TestCollector.start();
        for (Containers.Kind kind : Containers.Kind.values()) {
            Containers.Container container = kind.start();
            CONTAINERS.put(kind, container);
            for (boolean trusting : new boolean[] {false, true}) {
                Shop shop = new Shop(kind, trusting);
                TestWebApp app = new TestWebApp()
                        .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                        .contextParam("helloretail.endpoint", collector.endpoint().toString())
                        .filterParam("helloretail.productNumberPattern", "/products/(?<productNumber>[^/]+)")
                        .filterParam("helloretail.trustForwardedHeaders", String.valueOf(trusting));
                DEPLOYMENTS.add(container.deploy(app.write(Files.createTempDirectory("hostile")), shop.contextPath()));
            }
        }
    }

    @AfterContainer
    static void undeploy() throws Exception {
        try {
            for (Containers.Deployment d : DEPLOYMENTS) {
                d.close();
            }
            for (Containers.Container c : CONTAINERS.values()) {
                c.close();
            }
        } finally {
            DEPLOYMENTS.clear();
            CONTAINERS.clear();
            collector.close();
            COYOTE.removeHandler(CONNECTOR_LOG);
        }
    }

    // ---- what one request did ----

    /** The responses, how long they took, and everything the request caused. */
    record Exchange(List<RawHttp.Response> responses, long millis, long filterFailures, List<Throwable> thrown,
                    List<Throwable> connectorErrors, long tracked, List<TestCollector.Received> received) {
        List<Integer> statuses() {
            return responses.stream().map(PageViewFilterPropertiesTest::status).toList();
        }

        long served() {
            return statuses().stream().filter(s -> s == 200).count();
        }

        List<TestCollector.Received> pageViews() {
            return received.stream().filter(r -> r.path().equals(PAGEVIEW)).toList();
        }
    }

    private static Exchange exchange(Shop shop, byte[] request) throws Exception {
        collector.reset();
        ExceptionProbeFilter.SEEN.clear();
        CONNECTOR_ERRORS.clear();
        long failures = PageViews.FAILURES.sum();
        long tracked = counter(shop, "PageViewsTracked");
        long start = System.nanoTime();
        List<RawHttp.Response> responses = RawHttp.exchange(shop.port(), request, (int) BLOCKING_BOUND_MILLIS * 2);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Await.until("no page view pending", Duration.ofSeconds(10), () -> counter(shop, "PageViewsPending"),
                pending -> pending == 0);
        return new Exchange(responses, millis, PageViews.FAILURES.sum() - failures,
                List.copyOf(ExceptionProbeFilter.SEEN), List.copyOf(CONNECTOR_ERRORS),
                counter(shop, "PageViewsTracked") - tracked,
                collector.requests());
    }

    private static long counter(Shop shop, String attribute) throws Exception {
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(shop.tracker(), attribute);
    }

    /**
     * A response's status; an HTTP/0.9 answer (Tomcat's to a request line without version) has
     * none, so it is read from the page: the shop's own, or Tomcat's error page.
     */
    private static int status(RawHttp.Response r) {
        if (r.status() != RawHttp.HTTP_0_9) {
            return r.status();
        }
        if (r.body().startsWith("<!doctype html><title>page ")) {
            return 200;
        }
        Matcher m = ERROR_PAGE.matcher(r.body());
        assertTrue(m.find(), "an HTTP/0.9 answer that is neither the shop's page nor an error page: " + r.body());
        return Integer.parseInt(m.group(1));
    }

    /** What holds for every request, whatever it was. */
    private static void assertHarmless(Exchange ex) {
        assertTrue(ex.millis() < BLOCKING_BOUND_MILLIS, "took " + ex.millis() + " ms");
        for (RawHttp.Response r : ex.responses()) {
            if (status(r) == 500) {
                assertTrue(ex.connectorErrors().stream().anyMatch(t -> t instanceof AbstractMethodError
                                && String.valueOf(t.getMessage()).contains("sendRedirect")),
                        "a 500 that is not Tomcat's failed redirect: " + ex.connectorErrors() + " " + r.body());
                Statistics.label("Tomcat's failed redirect (servlet-api 6.0 on the test classpath)").collect(true);
                continue;
            }
            assertTrue(STATUSES.contains(status(r)), "status " + status(r) + ": " + r.body());
        }
        assertEquals(List.of(), ex.thrown(), "exceptions that reached the container");
        assertEquals(0, ex.filterFailures(), "failures of the filter's own code");
        assertTrue(ex.pageViews().size() <= ex.served(), ex.pageViews().size() + " page views for " + ex.served()
                + " served requests");
        assertEquals(ex.tracked(), ex.pageViews().size(), "page views queued vs received");
        for (TestCollector.Received r : ex.received()) {
            assertEquals(200, r.status(), "the collector refused " + r.path() + " " + r.body());
            assertEquals(PAGEVIEW, r.path());
        }
        Statistics.label("responses").collect(ex.statuses());
        Statistics.label("page views").collect(ex.pageViews().size());
    }

    // ---- 1. anything at all ----

    /** One request as the bytes a visitor writes: a browser's, with the parts named in {@code hostile} replaced. */
    record Visit(boolean trusting, String page, Parts parts, List<String> hostile) {
        byte[] bytes(String contextPath) {
            StringBuilder b = new StringBuilder("GET ").append(contextPath).append(page).append(parts.tail())
                    .append(parts.query() == null ? "" : "?" + parts.query()).append(" HTTP/1.1\r\n");
            List<String> headers = new ArrayList<>(parts.host());
            headers.addAll(parts.cookies());
            Stream.of(parts.referer() == null ? null : "Referer: " + parts.referer(),
                    parts.userAgent() == null ? null : "User-Agent: " + parts.userAgent())
                    .filter(Objects::nonNull).forEach(headers::add);
            headers.addAll(parts.forwarded());
            headers.addAll(parts.junk());
            headers.forEach(h -> b.append(h).append("\r\n"));
            return b.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /**
         * True when a hostile part holds a CR or LF. It then rewrites the request's structure: a
         * blank line in a {@code Referer} ends the headers before the browser's {@code User-Agent},
         * a line feed in the path makes an HTTP/0.9 request, any line break can add a header such
         * as {@code Purpose: prefetch}. The request is no longer the browser's visit it started as.
         */
        boolean breaksLines() {
            return hostile.stream().map(name -> String.valueOf(switch (name) {
                case "path" -> parts.tail();
                case "query" -> parts.query();
                case "Host" -> parts.host();
                case "Cookie" -> parts.cookies();
                case "Referer" -> parts.referer();
                case "User-Agent" -> parts.userAgent();
                case "forwarded" -> parts.forwarded();
                case "junk" -> parts.junk();
                default -> throw new IllegalArgumentException(name);
            })).anyMatch(text -> text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0);
        }

        @Override
        public String toString() {
            return (trusting ? "[trusting forwarded headers] " : "") + "hostile " + hostile + "\n"
                    + printable(new String(bytes("/..."), StandardCharsets.ISO_8859_1));
        }
    }

    /** The parts of a request a visitor controls, as they go on the wire (ISO-8859-1 characters, one per byte). */
    record Parts(String tail, String query, List<String> host, List<String> cookies, String referer, String userAgent,
                 List<String> forwarded, List<String> junk) {
        static final List<String> NAMES = List.of("path", "query", "Host", "Cookie", "Referer", "User-Agent",
                "forwarded", "junk");

        /** These parts, with those named by {@code hostileIndexes} taken from {@code hostile}. */
        Parts mix(Parts hostile, Set<Integer> hostileIndexes) {
            return new Parts(pick(0, hostileIndexes, tail, hostile.tail), pick(1, hostileIndexes, query, hostile.query),
                    pick(2, hostileIndexes, host, hostile.host), pick(3, hostileIndexes, cookies, hostile.cookies),
                    pick(4, hostileIndexes, referer, hostile.referer), pick(5, hostileIndexes, userAgent, hostile.userAgent),
                    pick(6, hostileIndexes, forwarded, hostile.forwarded), pick(7, hostileIndexes, junk, hostile.junk));
        }

        private static <T> T pick(int index, Set<Integer> hostileIndexes, T browser, T hostile) {
            return hostileIndexes.contains(index) ? hostile : browser;
        }
    }

    /** URL characters every container passes on: RFC 3986 pchar, '/' and well-formed escapes of any Unicode. */
    private static Arbitrary<String> urlText(String extraChars) {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(PCHAR_RAW + "/" + extraChars).ofMaxLength(8),
                Arbitraries.strings().all().ofMaxLength(3).map(PageViewFilterPropertiesTest::percentEncode))
                .list().ofMaxSize(6).map(l -> String.join("", l));
    }

    /** What only a hostile or broken client sends in a URL: invalid escapes, raw bytes, dot segments... */
    private static Arbitrary<String> hostileUrlText() {
        return Arbitraries.oneOf(
                HostileStrings.bytes(),
                Arbitraries.oneOf(urlText("?{}|^`\"<>\\"), Arbitraries.of("%", "%zz", "%4", "%C3%28", "%ff", "%2e%2e",
                        "%2F", "%00", "%0d%0a", "..", "/..", ";", "//", "%2e", "%25", "%5C", "#", " ")).list()
                        .ofMaxSize(6).map(l -> String.join("", l)));
    }

    @Provide
    Arbitrary<Visit> hostileVisits() {
        Arbitrary<Parts> browser = Combinators.combine(
                urlText(""),
                // Browsers send a '%' that starts no escape as typed: ?q=100%
                Arbitraries.oneOf(urlText("?"), Arbitraries.of("q=100%", "a=%zz&b=%", "x=50%25")).injectNull(0.4),
                Arbitraries.just(List.of("Host: 127.0.0.1")),
                Combinators.combine(Arbitraries.of(IDS), Arbitraries.of("", "_ga=GA1.2.3; ", "consent=yes; hello_retail_id=x; "))
                        .as((id, before) -> List.of("Cookie: " + before + "hello_retail_id=" + id)),
                Arbitraries.of("https://www.google.com/", "https://shop.example/products/p-2?x=1").injectNull(0.5),
                Arbitraries.of(BROWSERS),
                Arbitraries.just(List.<String>of()),
                Arbitraries.just(List.<String>of()))
                .as(Parts::new);
        Arbitrary<Parts> hostile = Combinators.combine(
                hostileUrlText(),
                hostileUrlText(),
                Arbitraries.<List<String>>oneOf(
                        HostileStrings.bytes().map(v -> List.of("Host: " + v)),
                        Arbitraries.of(List.<String>of(), List.of("Host: localhost"), List.of("Host: [::1]:8080"),
                                List.of("Host: SHOP.example:80"), List.of("Host: shop.example", "Host: other.example"),
                                List.of("Host: shop.example:65536"), List.of("Host: a_b"), List.of("Host: "))),
                cookieHeaders(),
                Arbitraries.oneOf(HostileStrings.urlLike().map(PageViewFilterPropertiesTest::utf8Bytes),
                        HostileStrings.bytes(), Arbitraries.of("/relative", "javascript:alert(1)", "")),
                Arbitraries.oneOf(HostileStrings.bytes(), HostileStrings.bytes().map(v -> RawHttp.Visitors.BROWSER + v),
                        Arbitraries.of("Googlebot/2.1", "curl/8.5.0", "")).injectNull(0.1),
                forwardedHeaders(),
                Arbitraries.<String>oneOf(
                        HostileStrings.bytes().map(v -> "X-Junk: " + v),
                        Arbitraries.of(" folded continuation", "\tfolded", "NoColonHere", ": no name", "X-Empty:",
                                "Referer: x\r\nCookie: hello_retail_id=" + ID, "Sec-Fetch-Dest: document",
                                "Sec-Fetch-Dest: " + ID, "Cookie2: hello_retail_id=" + ID))
                        .list().ofMinSize(1).ofMaxSize(2))
                .as(Parts::new);
        Arbitrary<String> page = Arbitraries.of("/products/", "/products/p-1/", "/category/", "/admin/");
        return Combinators.combine(Arbitraries.of(false, true), page, browser, hostile,
                        Arbitraries.integers().between(0, Parts.NAMES.size() - 1).set().ofMinSize(1).ofMaxSize(3))
                .as((trusting, p, b, h, hostileIndexes) -> new Visit(trusting, p, b.mix(h, hostileIndexes),
                        hostileIndexes.stream().sorted().map(Parts.NAMES::get).toList()));
    }

    private static Arbitrary<List<String>> cookieHeaders() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just("hello_retail_id")),
                Tuple.of(2, Arbitraries.of("HELLO_RETAIL_ID", "hello_retail_id ", " hello_retail_id", "$hello_retail_id",
                        "hello_retail_id2", "JSESSIONID", "")),
                Tuple.of(1, HostileStrings.bytes()));
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(IDS)),
                Tuple.of(2, Arbitraries.strings().withChars("0123456789abcdef").ofLength(24)),
                Tuple.of(2, Arbitraries.of(IDS).map(id -> "\"" + id + "\"")),
                Tuple.of(2, Arbitraries.of("62A0317D17698AA57D369DB9", ID.substring(1), ID + "0", ID + " x", "",
                        "=" + ID, "\\" + ID, "\"" + ID, ID + "\"", "\"\"", "62a0317d17698aa57d369db\u00e9")),
                Tuple.of(1, HostileStrings.bytes()));
        Arbitrary<String> pairs = Combinators.combine(
                Combinators.combine(name, value).as((n, v) -> n + "=" + v).list().ofMinSize(1).ofMaxSize(8),
                Arbitraries.of("; ", ";", ", ", " ", ";;", "\t;"))
                .as((list, separator) -> "Cookie: " + String.join(separator, list));
        Arbitrary<String> many = Combinators.combine(Arbitraries.integers().between(20, 700), Arbitraries.of(IDS))
                .as((n, id) -> "Cookie: " + "hello_retail_id=bogus; ".repeat(n) + "hello_retail_id=" + id);
        return Arbitraries.frequencyOf(Tuple.of(20, pairs), Tuple.of(1, many)).list().ofMaxSize(4);
    }

    /** Mostly what a careless proxy or client sends, now and then any bytes at all. */
    private static Arbitrary<String> mostly(Arbitrary<String> careless) {
        return Arbitraries.frequencyOf(Tuple.of(3, careless), Tuple.of(1, HostileStrings.bytes()));
    }

    private static Arbitrary<List<String>> forwardedHeaders() {
        Arbitrary<String> hostValue = mostly(Arbitraries.oneOf(Arbitraries.of(FORWARDED_ONLY),
                Arbitraries.of("[\uFF11::1]", "[\u0661::1]", "fwd.example, evil.example", "fwd.example/evil?",
                        "user@fwd.example", "fwd.example:99999", "f\u00f8d.example", "fwd.example:").map(
                        PageViewFilterPropertiesTest::utf8Bytes)));
        Arbitrary<String> proto = mostly(Arbitraries.of("http", "https", "HTTPS", " https ", "https, http",
                "javascript", "http\u017f").map(PageViewFilterPropertiesTest::utf8Bytes));
        Arbitrary<String> port = mostly(Arbitraries.integers().between(-1, 99999).map(String::valueOf));
        Arbitrary<String> forwarded = Arbitraries.oneOf(
                Combinators.combine(proto, hostValue, Arbitraries.of("", "\"")).as(
                        (p, h, q) -> "for=1.2.3.4;proto=" + p + ";host=" + q + h + q),
                mostly(HostileStrings.asciiStrings()));
        return Combinators.combine(hostValue.map(v -> "X-Forwarded-Host: " + v).injectNull(0.5),
                        proto.map(v -> "X-Forwarded-Proto: " + v).injectNull(0.5),
                        port.map(v -> "X-Forwarded-Port: " + v).injectNull(0.7),
                        forwarded.map(v -> "Forwarded: " + v).injectNull(0.6))
                .as((a, b, c, d) -> Stream.of(a, b, c, d).filter(Objects::nonNull).toList());
    }

    @Property(tries = 1000)
    void doFilter_hostileRequestOnJetty_neverFailsNorSendsAnInvalidField(@ForAll("hostileVisits") Visit visit)
            throws Exception {
        checkHostile(new Shop(Containers.Kind.JETTY, visit.trusting()), visit);
    }

    @Property(tries = 1000)
    void doFilter_hostileRequestOnTomcat_neverFailsNorSendsAnInvalidField(@ForAll("hostileVisits") Visit visit)
            throws Exception {
        checkHostile(new Shop(Containers.Kind.TOMCAT, visit.trusting()), visit);
    }

    private static void checkHostile(Shop shop, Visit visit) throws Exception {
        byte[] request = visit.bytes(shop.contextPath());
        Exchange ex = exchange(shop, request);
        assertHarmless(ex);
        Statistics.label("hostile parts").collect(visit.hostile().size());
        String sentLatin1 = new String(request, StandardCharsets.ISO_8859_1);
        String sentUtf8 = new String(request, StandardCharsets.UTF_8);
        Set<String> idsSent = new HashSet<>();
        Matcher m = SENT_ID.matcher(sentLatin1);
        while (m.find()) {
            idsSent.add(m.group(1));
        }
        if (idsSent.isEmpty()) {
            assertEquals(List.of(), ex.pageViews(), "no valid id sent, yet tracked");
        }
        for (TestCollector.Received r : ex.pageViews()) {
            JsonNode view = r.json();
            List<String> fields = new ArrayList<>();
            view.fieldNames().forEachRemaining(fields::add);
            assertTrue(Set.of("location", "trackingUserId", "websiteUuid", "referrer", "productNumber").containsAll(fields),
                    fields.toString());
            assertEquals(WEBSITE_UUID, view.get("websiteUuid").asText());
            assertNotNull(view.get("trackingUserId"), "a page view without an id: " + view);
            String id = view.get("trackingUserId").asText();
            assertTrue(Ids.isTrackingUserId(id) && idsSent.contains(id), "id " + Messages.echo(id) + " not among " + idsSent);
            String location = view.get("location").asText();
            assertNull(Urls.urlProblem(location), location);
            String scheme = location.substring(0, location.indexOf("://"));
            String authority = location.substring(scheme.length() + 3).split("[/?#]", 2)[0];
            String path = location.substring(scheme.length() + 3 + authority.length());
            assertTrue(path.startsWith(shop.contextPath() + "/"), "the location is not the page asked for: " + location);
            if (!shop.trusting()) {
                assertEquals("http", scheme, location);
                assertFalse(FORWARDED_ONLY.stream().anyMatch(authority::equalsIgnoreCase),
                        "a forwarded host from a visitor the shop does not trust: " + location);
            } else if (scheme.equals("https")) {
                assertTrue(sentLatin1.toLowerCase(Locale.ROOT).contains("https"), "https out of nowhere: " + location);
            }
            if (view.has("referrer")) {
                String referrer = view.get("referrer").asText();
                assertNull(Urls.urlProblem(referrer), referrer);
                assertTrue(isCleaned(referrer, sentLatin1) || isCleaned(referrer, sentUtf8),
                        "a referrer the visitor did not send: " + Messages.echo(referrer));
            }
            if (view.has("productNumber")) {
                assertNull(Fields.textProblem(view.get("productNumber").asText()), view.toString());
                assertTrue(path.contains("/products/"), view.toString());
            }
            // Where the visitor sent what a browser sends, the field is exactly that.
            Parts parts = visit.parts();
            if (!visit.hostile().contains("Host") && !(shop.trusting() && visit.hostile().contains("forwarded"))) {
                assertEquals("http://127.0.0.1", scheme + "://" + authority, location);
            }
            if (!visit.hostile().contains("path") && !visit.hostile().contains("query")) {
                assertEquals(shop.contextPath() + CleanUrls.path(visit.page() + parts.tail()) + cleanQuery(parts.query()),
                        path);
            }
            if (!visit.hostile().contains("Cookie")) {
                Matcher browserId = SENT_ID.matcher(parts.cookies().get(0));
                assertTrue(browserId.find());
                assertEquals(browserId.group(1), id);
            }
            if (!visit.hostile().contains("Referer")) {
                assertEquals(parts.referer() == null ? null : CleanUrls.url(parts.referer(), SECRET_NAMES),
                        view.has("referrer") ? view.get("referrer").asText() : null);
            }
        }
        // A served page with a browser's Host, id and user agent is tracked, whatever its path, query,
        // Referer and forwarded headers: unless it is a static asset, or too long for a URL, or a
        // hostile part broke a line and so changed which headers the request has (breaksLines).
        String pathSent = visit.page() + visit.parts().tail();
        boolean tracks = Stream.of("Host", "Cookie", "User-Agent", "junk").noneMatch(visit.hostile()::contains)
                && !visit.breaksLines()
                && ex.responses().stream().map(RawHttp.Response::status).toList().equals(List.of(200))
                && !DEFAULT_EXCLUDES.matches(CleanUrls.path(pathSent))
                && pathSent.length() + Objects.toString(visit.parts().query(), "").length() < 400;
        if (tracks) {
            assertEquals(1, ex.pageViews().size(), "a served page with a valid id from a browser was not tracked");
        }
        Statistics.label("must be tracked").collect(tracks);
    }

    // ---- 2. a well-formed browser visit carrying hostile content ----

    /**
     * A browser's visit to a product page: the product segment is text with any characters,
     * percent-encoded where a browser would; the query holds stray '%' signs and any URL
     * characters; cookies of many names, invalid ids and somewhere one valid one; any Referer.
     */
    record BrowserVisit(String segment, String productNumber, String query, List<String> cookieHeaders,
                        String expectedId, String referer, String userAgent) {
        byte[] bytes(String contextPath) {
            StringBuilder b = new StringBuilder("GET ").append(target(contextPath)).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\n").append("User-Agent: ").append(userAgent).append("\r\n");
            cookieHeaders.forEach(c -> b.append(c).append("\r\n"));
            if (referer != null) {
                b.append("Referer: ").append(referer).append("\r\n");
            }
            return b.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        String target(String contextPath) {
            return contextPath + "/products/" + segment + (query == null ? "" : "?" + query);
        }

        @Override
        public String toString() {
            return "BrowserVisit[productNumber=" + Messages.echo(productNumber) + ", expectedId=" + expectedId + "]\n"
                    + printable(new String(bytes("/..."), StandardCharsets.ISO_8859_1));
        }
    }

    private static final String PCHAR_RAW = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@";
    private static final String COOKIE_OCTETS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            + "!#$%&'()*+-./:<=>?@[]^_`{|}~";

    @Provide
    Arbitrary<BrowserVisit> browserVisits() {
        Arbitrary<String> codePoint = Arbitraries.oneOf(
                Arbitraries.chars().all().filter(c -> !Character.isSurrogate(c)).map(String::valueOf),
                Arbitraries.integers().between(0x10000, 0x10FFFF).map(cp -> new String(Character.toChars(cp))),
                Arbitraries.strings().withChars(PCHAR_RAW).ofLength(1),
                Arbitraries.of("%", "+", "?", "#", "\"", "<", "\u00e9", "\u00f8", "\uD83D\uDE00", " ", "\u2028"))
                .filter(s -> !s.equals("/") && !s.equals("\\") && !s.equals("\0"));
        Arbitrary<String[]> segment = Combinators.combine(codePoint, Arbitraries.of(true, false))
                .as((cp, raw) -> new String[] {cp, raw && PCHAR_RAW.contains(cp) ? cp : percentEncode(cp)})
                .list().ofMaxSize(16).map(parts -> {
                    StringBuilder text = new StringBuilder("p-");
                    StringBuilder encoded = new StringBuilder("p-");
                    boolean parameter = false;
                    for (String[] p : parts) {
                        // A raw ';' starts a path parameter, which is never part of the product number.
                        parameter |= p[1].equals(";");
                        if (!parameter) {
                            text.append(p[0]);
                        }
                        encoded.append(p[1]);
                    }
                    return new String[] {text.toString(), encoded.toString()};
                });
        Arbitrary<String> query = Arbitraries.oneOf(
                Arbitraries.strings().withChars(PCHAR_RAW + "/?").ofMaxLength(6),
                Arbitraries.of("%", "100%", "%zz", "%4", "%%", "%25", "%C3%B8", "%e2%82%ac", "=", "&"),
                Arbitraries.of("&token=T", "code=C&", "&SID=1", "api%5Fkey=k", "&state"))
                .list().ofMaxSize(6).map(l -> String.join("", l)).injectNull(0.3);
        Arbitrary<String> cookieValue = Arbitraries.oneOf(
                Arbitraries.of(IDS),
                Arbitraries.of(ID.toUpperCase(Locale.ROOT), ID.substring(1), ID + "0", "x".repeat(24), "g" + ID.substring(1)),
                Arbitraries.strings().withChars(COOKIE_OCTETS).ofMaxLength(30));
        Arbitrary<String> cookieName = Arbitraries.of("hello_retail_id", "hello_retail_id", "JSESSIONID", "_ga",
                "consent", "HELLO_RETAIL_ID", "hello_retail_idx");
        Arbitrary<List<String[]>> junkCookies = Combinators.combine(cookieName, cookieValue)
                .as((n, v) -> new String[] {n, v}).list().ofMaxSize(10);
        Arbitrary<String> referer = Arbitraries.oneOf(
                HostileStrings.urlLike().map(PageViewFilterPropertiesTest::printableAscii).map(PageViewFilterPropertiesTest::cut),
                Arbitraries.of("https://www.google.com/search?q=shoes", "http://127.0.0.1/p?a=%", "/relative",
                        "android-app://com.google.android.gm/", "https://shop.example/cb;jsessionid=J?code=C&x=1#f"))
                .map(String::strip).injectNull(0.2);
        return Combinators.combine(segment, query, junkCookies, Arbitraries.of(IDS), Arbitraries.integers().between(0, 10),
                        Arbitraries.integers().between(1, 3), referer, Arbitraries.of(BROWSERS))
                .as((seg, q, junk, id, position, headerCount, ref, ua) -> {
                    List<String[]> cookies = new ArrayList<>(junk);
                    cookies.add(Math.min(position, cookies.size()), new String[] {"hello_retail_id", id});
                    String expectedId = cookies.stream()
                            .filter(c -> c[0].equals("hello_retail_id") && Ids.isTrackingUserId(c[1]))
                            .map(c -> c[1]).findFirst().orElseThrow();
                    List<String> headers = new ArrayList<>();
                    int perHeader = Math.max(1, (cookies.size() + headerCount - 1) / headerCount);
                    for (int i = 0; i < cookies.size(); i += perHeader) {
                        headers.add("Cookie: " + String.join("; ", cookies.subList(i, Math.min(cookies.size(), i + perHeader))
                                .stream().map(c -> c[0] + "=" + c[1]).toList()));
                    }
                    String productNumber = Fields.textProblem(seg[0]) == null ? seg[0] : null;
                    return new BrowserVisit(seg[1], productNumber, q, headers, expectedId, ref, ua);
                });
    }

    @Property(tries = 300)
    void doFilter_browserVisitWithHostileContentOnJetty_isTrackedWithExactlyTheExpectedFields(
            @ForAll("browserVisits") BrowserVisit visit) throws Exception {
        checkBrowserVisit(new Shop(Containers.Kind.JETTY, false), visit);
    }

    @Property(tries = 300)
    void doFilter_browserVisitWithHostileContentOnTomcat_isTrackedWithExactlyTheExpectedFields(
            @ForAll("browserVisits") BrowserVisit visit) throws Exception {
        checkBrowserVisit(new Shop(Containers.Kind.TOMCAT, false), visit);
    }

    private static void checkBrowserVisit(Shop shop, BrowserVisit visit) throws Exception {
        Exchange ex = exchange(shop, visit.bytes(shop.contextPath()));
        assertHarmless(ex);
        assertEquals(1, ex.responses().size());
        int status = ex.statuses().get(0);
        Statistics.label("status").collect(status);
        Statistics.label("status").coverage(c -> c.check(200).percentage(p -> p >= 70));
        // A container may refuse some escapes in a path (not in a ;parameter): then nothing is tracked.
        if (shop.kind().refusesPathSegment(visit.segment().split(";", 2)[0])) {
            assertEquals(400, status, ex.responses().get(0).body());
            assertEquals(List.of(), ex.pageViews());
            return;
        }
        assertEquals(200, status, ex.responses().get(0).body());
        assertEquals(1, ex.pageViews().size(), "a browser's page view was not tracked");
        JsonNode view = ex.pageViews().get(0).json();
        String expectedLocation = "http://127.0.0.1" + shop.contextPath() + CleanUrls.path("/products/" + visit.segment())
                + cleanQuery(visit.query());
        assertEquals(expectedLocation, view.get("location").asText());
        assertEquals(visit.expectedId(), view.get("trackingUserId").asText());
        assertEquals(WEBSITE_UUID, view.get("websiteUuid").asText());
        String referrer = visit.referer() == null ? null : CleanUrls.url(visit.referer(), SECRET_NAMES);
        String expectedReferrer = referrer != null && Urls.urlProblem(referrer) == null ? referrer : null;
        assertEquals(expectedReferrer, view.has("referrer") ? view.get("referrer").asText() : null);
        assertEquals(visit.productNumber(), view.has("productNumber") ? view.get("productNumber").asText() : null);
        assertFalse(view.has("url"), view.toString());
    }

    // ---- 3. forwarded headers from a trusted proxy, with hostile extras ----

    /** What a proxy sends, with the base URL it means; hostile extra values the filter must ignore. */
    record ProxiedVisit(List<String> headers, String expectedBase) {
        byte[] bytes(String contextPath) {
            StringBuilder b = new StringBuilder("GET ").append(contextPath).append("/products/p-1 HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\nUser-Agent: ").append(RawHttp.Visitors.BROWSER).append("\r\n")
                    .append("Cookie: hello_retail_id=").append(ID).append("\r\n");
            headers.forEach(h -> b.append(h).append("\r\n"));
            return b.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return "ProxiedVisit[expectedBase=" + expectedBase + ", headers=" + printable(String.join("\n", headers)) + "]";
        }
    }

    @Provide
    Arbitrary<ProxiedVisit> proxiedVisits() {
        Arbitrary<String> host = HostileStrings.hostNames().filter(h -> h.indexOf(':') < 0 || h.startsWith("["));
        Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535).injectNull(0.5);
        Arbitrary<String> proto = Arbitraries.of("http", "https", "HTTPS", "Http");
        Arbitrary<String> junk = Arbitraries.oneOf(
                HostileStrings.asciiStrings().map(PageViewFilterPropertiesTest::printableAscii).map(PageViewFilterPropertiesTest::cut),
                Arbitraries.of(FORWARDED_ONLY));
        Arbitrary<Boolean> rfc7239 = Arbitraries.of(true, false);
        Arbitrary<Integer> xfPort = Arbitraries.integers().between(1, 65535).injectNull(0.7);
        return Combinators.combine(host, port, proto, junk.injectNull(0.5), rfc7239, xfPort, Arbitraries.of("", "\""),
                        Arbitraries.of("host", "Host", "HOST"))
                .as((h, p, pr, extra, rfc, xp, quote, hostKey) -> {
                    String scheme = pr.toLowerCase(Locale.ROOT);
                    String hostAndPort = h + (p == null ? "" : ":" + p);
                    List<String> headers = new ArrayList<>();
                    int effectivePort = p != null ? p : "https".equals(scheme) ? 443 : 80;
                    if (rfc) {
                        headers.add("Forwarded: for=192.0.2.1;proto=" + pr + ";" + hostKey + "=" + quote + hostAndPort
                                + quote + (extra == null ? "" : ", for=10.0.0.1;host=" + extra + ";proto=http"));
                        // Forwarded wins over the X-Forwarded-* the visitor may have added.
                        headers.add("X-Forwarded-Host: " + (extra == null ? "fwd.example" : extra));
                        headers.add("X-Forwarded-Proto: javascript");
                    } else {
                        headers.add("X-Forwarded-Proto: " + pr + (extra == null ? "" : ", " + extra));
                        headers.add("X-Forwarded-Host: " + hostAndPort + (extra == null ? "" : ", " + extra));
                        if (xp != null) {
                            headers.add("X-Forwarded-Port: " + xp + (extra == null ? "" : ", 1"));
                            effectivePort = xp;
                        }
                    }
                    String bracketed = h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
                    boolean defaultPort = effectivePort == ("https".equals(scheme) ? 443 : 80);
                    return new ProxiedVisit(headers, scheme + "://" + bracketed + (defaultPort ? "" : ":" + effectivePort));
                });
    }

    @Property(tries = 200)
    void doFilter_trustedForwardedHeadersOnJetty_giveTheProxysBaseUrl(@ForAll("proxiedVisits") ProxiedVisit visit)
            throws Exception {
        checkProxied(new Shop(Containers.Kind.JETTY, true), visit);
    }

    @Property(tries = 200)
    void doFilter_trustedForwardedHeadersOnTomcat_giveTheProxysBaseUrl(@ForAll("proxiedVisits") ProxiedVisit visit)
            throws Exception {
        checkProxied(new Shop(Containers.Kind.TOMCAT, true), visit);
    }

    private static void checkProxied(Shop shop, ProxiedVisit visit) throws Exception {
        Exchange ex = exchange(shop, visit.bytes(shop.contextPath()));
        assertHarmless(ex);
        assertEquals(List.of(200), ex.statuses());
        assertEquals(1, ex.pageViews().size());
        assertEquals(visit.expectedBase() + shop.contextPath() + "/products/p-1",
                ex.pageViews().get(0).json().get("location").asText());
    }

    // ---- helpers ----

    /**
     * The query of the location for a query sent (null: none): without the secret parameters, a
     * '%' that starts no escape as %25, and no '?' when nothing is left.
     */
    private static String cleanQuery(String query) {
        String cleaned = query == null ? "" : CleanUrls.query(query, SECRET_NAMES);
        return cleaned.isEmpty() ? "" : "?" + cleaned.replaceAll("%(?![0-9A-Fa-f]{2})", "%25");
    }

    /** Whether {@code referrer} is the cleaned form of a URL somewhere on a line of {@code sent}. */
    private static boolean isCleaned(String referrer, String sent) {
        for (String line : sent.split("\\r\\n|\\r|\\n")) {
            for (int i = line.indexOf(referrer.charAt(0)); i >= 0; i = line.indexOf(referrer.charAt(0), i + 1)) {
                if (CleanUrls.url(line.substring(i).strip(), SECRET_NAMES).equals(referrer)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String percentEncode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            b.append(String.format("%%%02X", x & 0xFF));
        }
        return b.toString();
    }

    /** A string's UTF-8 bytes as ISO-8859-1 characters, one per byte. */
    private static String utf8Bytes(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** At most 200 characters: the well-formed visits stay below the containers' header size limits. */
    private static String cut(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static String printableAscii(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().filter(c -> c > ' ' && c < 0x7F).forEach(c -> b.append((char) c));
        return b.toString();
    }

    /** Bytes (ISO-8859-1 characters) shown in ASCII: CR, LF, TAB and anything unprintable escaped. */
    static String printable(String latin1) {
        StringBuilder b = new StringBuilder();
        for (char c : latin1.toCharArray()) {
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n\n");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c >= ' ' && c < 0x7F) {
                        b.append(c);
                    } else {
                        b.append(String.format("\\x%02x", (int) c));
                    }
                }
            }
        }
        return b.length() > 2000 ? b.substring(0, 2000) + "... (" + latin1.length() + " bytes)" : b.toString();
    }
}
