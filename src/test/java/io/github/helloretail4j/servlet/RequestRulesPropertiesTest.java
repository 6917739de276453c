package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.Urls;
import io.github.helloretail4j.testing.CleanUrls;
import io.github.helloretail4j.testing.HostileStrings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of the pure functions the filter runs on what a visitor sends: the base URL and
 * location, percent-decoding and the product number, the bot test, the id cookie, the
 * excluded paths, the secrets taken out of URLs. None throws on any input, and what they
 * return passes the library's own validation.
 */
class RequestRulesPropertiesTest {

    private static final Pattern PRODUCT = Pattern.compile("/products/(?<productNumber>[^/]+)");

    // ---- Locations ----

    /** What a container reports (a valid host, http or https, any port) and any forwarded headers. */
    record Request(String scheme, String serverName, int serverPort, String forwarded, String forwardedProto,
                   String forwardedHost, String forwardedPort) {
        Locations.Origin origin() {
            return new Locations.Origin(scheme, serverName, serverPort, forwarded, forwardedProto, forwardedHost,
                    forwardedPort);
        }

        @Override
        public String toString() {
            return "Request[scheme=" + Messages.echo(scheme) + ", serverName=" + Messages.echo(serverName) + ", serverPort="
                    + serverPort + ", Forwarded=" + Messages.echo(forwarded) + ", X-Forwarded-Proto="
                    + Messages.echo(forwardedProto) + ", X-Forwarded-Host=" + Messages.echo(forwardedHost)
                    + ", X-Forwarded-Port=" + Messages.echo(forwardedPort) + "]";
        }
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<String> hostCandidates = Arbitraries.oneOf(HostileStrings.hostNames(), HostileStrings.strings(),
                Combinators.combine(HostileStrings.hostNames(), Arbitraries.integers().between(0, 70000))
                        .as((h, p) -> (h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + p),
                Arbitraries.of("[\uFF11::1]", "[\u0661::1]", "[\uFF21::1]:8080", "[::1]:", "[]", "[:]", "[1]]",
                        "shop.example:", ":80", "a:b:c", "shop.example:08080", "sh\u00f8p.example", "shop.example, b"));
        Arbitrary<String> protos = Arbitraries.oneOf(Arbitraries.of("http", "https", "HTTPS", " https ",
                "https, http", "javascript", "ftp", "http\u017f", ""), HostileStrings.strings());
        Arbitrary<String> ports = Arbitraries.oneOf(Arbitraries.integers().between(-1, 100000).map(String::valueOf),
                Arbitraries.of("\uFF18\uFF10", "\u0668\u0660", "80, 81", " 443", "0x50", ""), HostileStrings.strings());
        Arbitrary<String> pair = Combinators.combine(
                Arbitraries.of("proto", "Proto", "host", "HOST", "for", "by", "junk", " host", "host "),
                Arbitraries.oneOf(hostCandidates, protos, hostCandidates.map(h -> "\"" + h + "\"")))
                .as((k, v) -> k + "=" + v);
        Arbitrary<String> forwarded = Arbitraries.oneOf(
                pair.list().ofMaxSize(4).map(l -> String.join(";", l)).list().ofMaxSize(3)
                        .map(l -> String.join(", ", l)),
                HostileStrings.strings());
        return Builders.withBuilder(() -> new Request("http", "shop.example", 80, null, null, null, null))
                .use(Arbitraries.of("http", "https", "HTTP", "HTTPS")).in((r, v) -> new Request(v, r.serverName(),
                        r.serverPort(), r.forwarded(), r.forwardedProto(), r.forwardedHost(), r.forwardedPort()))
                .use(HostileStrings.hostNames()).in((r, v) -> new Request(r.scheme(), v, r.serverPort(),
                        r.forwarded(), r.forwardedProto(), r.forwardedHost(), r.forwardedPort()))
                .use(Arbitraries.integers().between(1, 65535)).in((r, v) -> new Request(r.scheme(), r.serverName(),
                        v, r.forwarded(), r.forwardedProto(), r.forwardedHost(), r.forwardedPort()))
                .use(forwarded).withProbability(0.5).in((r, v) -> new Request(r.scheme(), r.serverName(),
                        r.serverPort(), v, r.forwardedProto(), r.forwardedHost(), r.forwardedPort()))
                .use(protos).withProbability(0.5).in((r, v) -> new Request(r.scheme(), r.serverName(),
                        r.serverPort(), r.forwarded(), v, r.forwardedHost(), r.forwardedPort()))
                .use(hostCandidates).withProbability(0.5).in((r, v) -> new Request(r.scheme(), r.serverName(),
                        r.serverPort(), r.forwarded(), r.forwardedProto(), v, r.forwardedPort()))
                .use(ports).withProbability(0.5).in((r, v) -> new Request(r.scheme(), r.serverName(),
                        r.serverPort(), r.forwarded(), r.forwardedProto(), r.forwardedHost(), v))
                .build();
    }

    @Property(tries = 10_000)
    void baseUrl_trustedForwardedHeaders_isAnHttpUrlCheckAccepts(@ForAll("requests") Request request) {
        String base = Locations.baseUrl(null, true, request.origin());
        assertNotNull(base, "a request with a host always has a base URL");
        assertNull(Urls.urlProblem(base + "/"), base);
        assertTrue(base.startsWith("http://") || base.startsWith("https://"), base);
        String host = hostOf(base.substring(base.indexOf("://") + 3));
        String fromRequest = untrusted(request);
        String requestHost = hostOf(fromRequest.substring(fromRequest.indexOf("://") + 3));
        String allSent = request.forwarded() + " " + request.forwardedHost();
        assertTrue(host.equals(requestHost) || allSent.contains(host),
                "the host is the request's or one the proxy sent: " + base);
    }

    @Property(tries = 10_000)
    void baseUrl_untrustedForwardedHeaders_isTheRequestsOwn(@ForAll("requests") Request request) {
        assertEquals(untrusted(request), Locations.baseUrl(null, false, request.origin()));
    }

    /** The base URL built from the request alone, written independently of Locations. */
    private static String untrusted(Request r) {
        String scheme = r.scheme().toLowerCase(Locale.ROOT);
        String host = r.serverName().indexOf(':') >= 0 && !r.serverName().startsWith("[")
                ? "[" + r.serverName() + "]" : r.serverName();
        boolean defaultPort = r.serverPort() == (scheme.equals("https") ? 443 : 80);
        return scheme + "://" + host + (defaultPort ? "" : ":" + r.serverPort());
    }

    private static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            return authority.substring(0, authority.indexOf(']') + 1);
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    @Provide
    Arbitrary<String> requestUris() {
        return HostileStrings.strings().map(s -> "/" + s);
    }

    @Property(tries = 10_000)
    void location_anyRequestUriAndQuery_isAUrlCheckAcceptsWithTheSameBytes(
            @ForAll("requestUris") String requestUri, @ForAll("hostile") String query) {
        String base = "https://shop.example:8443";
        String sent = requestUri + (query.isEmpty() ? "" : "?" + query);
        String location = Locations.location(base, requestUri, query);
        assertTrue(location.startsWith(base + "/"), location);
        if (Urls.urlProblem(base + sent) == null) {
            assertEquals(base + sent, location, "a valid URL is sent as it came");
        }
        if (location.length() <= Urls.MAX_URL_LENGTH) {
            assertNull(Urls.urlProblem(location), location);
        }
        assertArrayEquals(meaning(sent), meaning(location.substring(base.length())), "the location means the URI as sent");
    }

    /**
     * The bytes a URL part stands for: a well-formed escape is its byte, anything else its
     * UTF-8 (a lone surrogate U+FFFD's).
     */
    private static byte[] meaning(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isAsciiHex(s.charAt(i + 1)) && isAsciiHex(s.charAt(i + 2))) {
                out.writeBytes(run.toString().getBytes(StandardCharsets.UTF_8));
                run.setLength(0);
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                run.append(c).append(s.charAt(++i));
            } else {
                run.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        out.writeBytes(run.toString().getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    // ---- PageViewRules ----

    @Provide
    Arbitrary<String> hostile() {
        return HostileStrings.strings();
    }

    /** Valid Unicode text, with some characters percent-encoded (in either hex case), as a browser may send it. */
    record Encoded(String text, String encoded) {
        @Override
        public String toString() {
            return "Encoded[text=" + Messages.echo(text) + ", encoded=" + Messages.echo(encoded) + "]";
        }
    }

    @Provide
    Arbitrary<Encoded> encoded() {
        Arbitrary<String> codePoint = Arbitraries.oneOf(
                Arbitraries.chars().all().filter(c -> !Character.isSurrogate(c)).map(String::valueOf),
                Arbitraries.integers().between(0x10000, 0x10FFFF).map(cp -> new String(Character.toChars(cp))),
                Arbitraries.strings().alpha().numeric().ofLength(1),
                Arbitraries.of("%", "/", "+", "?", "#", ";", "\u00e9", "\u00f8", "\uD83D\uDE00", "\u0000", "\n", " "));
        // Mode 0 leaves a code point raw (never '%' or '/'), 1 encodes it in upper case hex, 2 in lower case.
        return Combinators.combine(codePoint, Arbitraries.integers().between(0, 2)).as(this::encodeOne).list()
                .ofMaxSize(24).map(parts -> new Encoded(
                        String.join("", parts.stream().map(Encoded::text).toList()),
                        String.join("", parts.stream().map(Encoded::encoded).toList())));
    }

    private Encoded encodeOne(String codePoint, int mode) {
        if (mode == 0 && !codePoint.equals("%") && !codePoint.equals("/")) {
            return new Encoded(codePoint, codePoint);
        }
        StringBuilder b = new StringBuilder();
        for (byte x : codePoint.getBytes(StandardCharsets.UTF_8)) {
            b.append(String.format(mode == 2 ? "%%%02x" : "%%%02X", x & 0xFF));
        }
        return new Encoded(codePoint, b.toString());
    }

    @Property(tries = 10_000)
    void percentDecode_encodedText_isTheText(@ForAll("encoded") Encoded e) {
        assertEquals(e.text(), PageViewRules.percentDecode(e.encoded()), e.toString());
    }

    @Property(tries = 10_000)
    void percentDecode_anyString_isNullOrValidUnicode_andNullForAMalformedEscape(@ForAll("hostile") String s) {
        String decoded = PageViewRules.percentDecode(s);
        boolean malformedEscape = false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '%' && !(i + 2 < s.length() && isAsciiHex(s.charAt(i + 1))
                    && isAsciiHex(s.charAt(i + 2)))) {
                malformedEscape = true;
            }
        }
        if (malformedEscape) {
            assertNull(decoded, "a % not followed by two hex digits is malformed: " + Messages.echo(s));
        }
        if (decoded != null) {
            assertTrue(decoded.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF), Messages.echo(decoded));
        }
    }

    @Property(tries = 10_000)
    void productNumber_encodedProductPath_isTheDecodedTextWhenUsable(@ForAll("encoded") Encoded e,
                                                                      @ForAll("hostile") String rest) {
        String path = "/products/" + e.encoded() + "/" + rest;
        String expected = e.text().isEmpty() || Fields.textProblem(e.text()) != null ? null : e.text();
        assertEquals(expected, PageViewRules.productNumber(PRODUCT, path), e.toString());
    }

    @Property(tries = 10_000)
    void productNumber_anyPath_isNullOrValidText(@ForAll("hostile") String path) {
        String productNumber = PageViewRules.productNumber(PRODUCT, "/products/" + path);
        if (productNumber != null) {
            assertNull(Fields.textProblem(productNumber), Messages.echo(productNumber));
        }
        assertNull(PageViewRules.productNumber(null, path));
    }

    // ---- Bots ----

    private static final List<String> MARKERS = List.of("Googlebot/2.1", "bingbot", "AhrefsBot", "crawler",
            "Spider", "curl/8.5.0", "python-requests/2.31", "HeadlessChrome/126", "facebookexternalhit/1.1",
            "Java/17", "okhttp/4.12", "ClaudeBot", "GPTBot");

    @Provide
    Arbitrary<String> userAgents() {
        return Arbitraries.oneOf(HostileStrings.strings(), Arbitraries.of(RawHttp.Visitors.BROWSER),
                HostileStrings.strings().map(s -> RawHttp.Visitors.BROWSER + s));
    }

    @Property(tries = 10_000)
    void isBot_anyUserAgent_ignoresAsciiCase(@ForAll("userAgents") String ua) {
        assertEquals(Bots.isBot(ua), Bots.isBot(asciiUpperCase(ua)), Messages.echo(ua));
        if (ua.isBlank() || ua.length() > 1024) {
            assertTrue(Bots.isBot(ua), Messages.echo(ua));
        }
    }

    @Property(tries = 10_000)
    void isBot_userAgentWithABotMarker_isTrue(@ForAll("userAgents") String prefix, @ForAll("hostile") String suffix,
                                             @ForAll("markers") String marker) {
        assertTrue(Bots.isBot(prefix + marker + suffix), Messages.echo(prefix + marker + suffix));
    }

    @Provide
    Arbitrary<String> markers() {
        return Arbitraries.of(MARKERS).flatMap(m -> Arbitraries.integers().between(0, 2).list().ofSize(m.length())
                .map(cases -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < m.length(); i++) {
                        char c = m.charAt(i);
                        b.append(cases.get(i) == 0 ? c : cases.get(i) == 1 ? Character.toUpperCase(c)
                                : Character.toLowerCase(c));
                    }
                    return b.toString();
                }));
    }

    // ---- WebTracking.cookieId ----

    record NamedValue(String name, String value) {
        @Override
        public String toString() {
            return name + "=" + Messages.echo(value);
        }
    }

    @Provide
    Arbitrary<List<NamedValue>> cookies() {
        Arbitrary<String> names = Arbitraries.of("hello_retail_id", "hello_retail_id", "HELLO_RETAIL_ID",
                "hello_retail_id2", "Hello_Retail_Id", "consent", "JSESSIONID");
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of(ID, "000000000000000000000000", "62A0317D17698AA57D369DB9", ID.substring(1), ID + "0",
                        "\"" + ID + "\"", " " + ID, ID + " ", "", "62a0317d17698aa57d369db\u0661"),
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(24),
                HostileStrings.strings());
        return Combinators.combine(names, values).as(NamedValue::new).list().ofMaxSize(12);
    }

    @Property(tries = 10_000)
    void cookieId_anyCookies_isTheFirstValidIdCookie(@ForAll("cookies") List<NamedValue> sent) {
        TestExchange request = new TestExchange();
        sent.forEach(nv -> request.cookie(nv.name(), nv.value()));
        String expected = sent.stream()
                .filter(nv -> nv.name().equals("hello_retail_id") && nv.value().matches("[0-9a-f]{24}"))
                .map(NamedValue::value).findFirst().orElse(null);
        assertEquals(expected, WebTracking.cookieId(request));
    }

    // ---- PathGlobs ----

    private static final PathGlobs DEFAULT_GLOBS = PathGlobs.parse(PathGlobs.DEFAULT);
    private static final List<String> EXTENSIONS = Arrays.stream(PathGlobs.DEFAULT.split(","))
            .map(g -> g.substring(1)).toList();

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> extension = Arbitraries.oneOf(Arbitraries.of(EXTENSIONS),
                Arbitraries.of(".C\u017fS", ".g\u0131f", ".cSs", ".PNG", ".jpeg2", ".css/", ".html"));
        return Arbitraries.oneOf(
                HostileStrings.strings().map(s -> "/" + s),
                Combinators.combine(HostileStrings.strings(), extension).as((s, x) -> "/" + s + x));
    }

    @Property(tries = 10_000)
    void matches_defaultGlobs_excludeExactlyTheStaticAssetExtensionsInAnyAsciiCase(@ForAll("paths") String path) {
        String lower = asciiLowerCase(path);
        boolean expected = EXTENSIONS.stream().anyMatch(lower::endsWith);
        assertEquals(expected, DEFAULT_GLOBS.matches(path), Messages.echo(path));
    }

    // ---- UrlCleaner ----

    private static final List<String> SECRET_NAMES = List.of(Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS.split(","));
    private static final Pattern SCHEME_AND_AUTHORITY = Pattern.compile("^[^/?#]*://[^/?#]*");
    private static final UrlCleaner.Names DEFAULT_NAMES = UrlCleaner.Names.parse(Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS);

    /**
     * URLs as a Referer or a canonical URL may be: path parameters in any segment, secrets among
     * other query parameters (in any case, escaped, without a value), near misses, fragments;
     * and hostile strings that are no URL at all.
     */
    @Provide
    Arbitrary<String> urls() {
        Arbitrary<String> prefix = Arbitraries.of("https://shop.example", "http://127.0.0.1:8080", "HTTP://Shop.Example:80",
                "", "//shop.example", "https://", "javascript:", "http:/x");
        Arbitrary<String> text = Arbitraries.strings().withChars("abcXYZ019-._~%!$'()*+,=:@").ofMaxLength(6);
        Arbitrary<String> parameter = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just(";"),
                Combinators.combine(Arbitraries.of("jsessionid", "JSESSIONID", "v", ""), text).as((n, v) -> ";" + n + "=" + v));
        Arbitrary<String> segment = Combinators.combine(text, parameter, parameter).as((t, p1, p2) -> t + p1 + p2);
        Arbitrary<String> path = segment.list().ofMaxSize(4).map(l -> l.isEmpty() ? "" : "/" + String.join("/", l));
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(SECRET_NAMES).flatMap(RequestRulesPropertiesTest::spelled),
                Arbitraries.of("color", "tokens", "mytoken", "token_type", "q", "", "Key-Pair-Id", "lang", "to+ken", "%zz"),
                text);
        Arbitrary<String> pair = Combinators.combine(name, Arbitraries.of("", "=", "=x", "=token", "=a;b", "=%41", "==", "=a?b"))
                .as(String::concat);
        Arbitrary<String> query = pair.list().ofMaxSize(5).map(l -> "?" + String.join("&", l)).injectNull(0.3);
        Arbitrary<String> fragment = Arbitraries.of("#", "#top", "#access_token=a&x=1", "#a;b?c").injectNull(0.7);
        Arbitrary<String> built = Combinators.combine(prefix, path, query, fragment)
                .as((a, b, c, d) -> a + b + Objects.toString(c, "") + Objects.toString(d, ""));
        return Arbitraries.frequencyOf(Tuple.of(6, built), Tuple.of(1, HostileStrings.urlLike()),
                Tuple.of(1, HostileStrings.strings()));
    }

    /** A name as a client may write it: as it is, in any case, or with its characters escaped. */
    private static Arbitrary<String> spelled(String name) {
        return Arbitraries.integers().between(0, 3).list().ofSize(name.length()).map(modes -> {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                switch (modes.get(i)) {
                    case 0 -> b.append(c);
                    case 1 -> b.append(Character.toUpperCase(c));
                    case 2 -> b.append(String.format("%%%02X", (int) c));
                    default -> b.append(String.format("%%%02x", (int) c));
                }
            }
            return b.toString();
        });
    }

    @Property(tries = 10_000)
    void url_anyUrl_isWhatTheIndependentModelSays(@ForAll("urls") String url) {
        assertEquals(CleanUrls.url(url, SECRET_NAMES), UrlCleaner.url(url, DEFAULT_NAMES), Messages.echo(url));
    }

    @Property(tries = 10_000)
    void url_anyUrl_keepsNoPathParameterNoSecretNoFragment_andIsCleanedOnce(@ForAll("urls") String url) {
        String cleaned = UrlCleaner.url(url, DEFAULT_NAMES);
        assertFalse(cleaned.contains("#"), cleaned);
        java.util.regex.Matcher authority = SCHEME_AND_AUTHORITY.matcher(cleaned);
        int pathStart = authority.find() ? authority.end() : 0;
        int query = cleaned.indexOf('?', pathStart);
        assertFalse(cleaned.substring(pathStart, query < 0 ? cleaned.length() : query).contains(";"), cleaned);
        if (query >= 0) {
            for (String pair : cleaned.substring(query + 1).split("&")) {
                assertFalse(DEFAULT_NAMES.contains(pair.split("=", 2)[0]), cleaned);
            }
        }
        assertSame(cleaned, UrlCleaner.url(cleaned, DEFAULT_NAMES), "cleaning twice changes nothing more");
        if (cleaned.equals(url)) {
            assertSame(url, cleaned, "nothing taken out, nothing allocated");
        }
    }

    @Property(tries = 10_000)
    void url_urlCheckAccepts_staysAccepted(@ForAll("urls") String url) {
        String full = url.startsWith("http") ? url : "https://shop.example/" + url;
        if (Urls.urlProblem(full) == null) {
            assertNull(Urls.urlProblem(UrlCleaner.url(full, DEFAULT_NAMES)), full);
        }
    }

    @Property(tries = 10_000)
    void pathAndQuery_anyRequest_areWhatTheIndependentModelSays(@ForAll("hostile") String path,
                                                                  @ForAll("urls") String url) {
        assertEquals(CleanUrls.path(path), UrlCleaner.path(path), Messages.echo(path));
        int question = url.indexOf('?');
        String query = question < 0 ? url : url.substring(question + 1);
        assertEquals(CleanUrls.query(query, SECRET_NAMES), UrlCleaner.query(query, DEFAULT_NAMES), Messages.echo(query));
    }

    // ---- helpers ----

    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String asciiUpperCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return b.toString();
    }

    private static String asciiLowerCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return b.toString();
    }
}
