package io.github.helloretail4j.internal;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.testing.HostileStrings;
import io.github.helloretail4j.testing.TestCollector;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the validation every outgoing field goes through, over strings a hostile visitor
 * can send: it never throws, and whatever it accepts is an absolute http(s) URL that the page
 * view, its JSON body and Hello Retail accept.
 */
class ValueChecksPropertiesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Provide
    Arbitrary<String> urlLike() {
        return HostileStrings.urlLike();
    }

    @Provide
    Arbitrary<String> hostile() {
        return HostileStrings.strings();
    }

    @Provide
    Arbitrary<String> wellFormedUrls() {
        Arbitrary<String> scheme = Arbitraries.of("http", "https", "HTTP", "Https");
        Arbitrary<String> port = Arbitraries.integers().between(1, 65535).map(p -> ":" + p).injectNull(0.5)
                .map(p -> p == null ? "" : p);
        // RFC 3986 pchar and query characters, Unicode letters (IRIs) and well-formed escapes.
        Arbitrary<String> pathPart = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                        .withChars("-._~!$&'()*+,;=:@/").ofMaxLength(10),
                Arbitraries.strings().alpha().withCharRange('\u00c0', '\u024f').withCharRange('\u4e00', '\u4e20')
                        .ofMaxLength(4),
                Arbitraries.integers().between(0, 255).map(b -> String.format("%%%02X", b)),
                Arbitraries.integers().between(0, 255).map(b -> String.format("%%%02x", b)),
                Arbitraries.of("{", "}", "|", "^", "[", "]", "\uD83D\uDE00"))
                .list().ofMaxSize(10).map(l -> String.join("", l));
        return Combinators.combine(scheme, HostileStrings.hostNames().filter(h -> !h.startsWith(":")
                        && (h.indexOf(':') < 0 || h.startsWith("["))), port, pathPart, pathPart.injectNull(0.5))
                .as((s, h, p, path, query) -> s + "://" + h + p + "/" + path + (query == null ? "" : "?" + query));
    }

    @Property(tries = 10_000)
    void urlProblem_anyString_acceptsOnlyAbsoluteHttpUrlsThatAPageViewCarries(@ForAll("urlLike") String value)
            throws IOException {
        String problem = Urls.urlProblem(value);
        if (problem != null) {
            assertTrue(problem.startsWith("an absolute http or https URL of at most 4096 characters"), problem);
            return;
        }
        assertTrue(value.length() <= Urls.MAX_URL_LENGTH, "length " + value.length());
        int colon = value.indexOf("://");
        assertTrue(colon > 0, value);
        String scheme = value.substring(0, colon);
        assertTrue(List.of("http", "https").contains(asciiLowerCase(scheme)),
                "scheme must be http or https in ASCII letters: " + Messages.echo(scheme));
        int authorityEnd = colon + 3;
        while (authorityEnd < value.length() && "/?#".indexOf(value.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = value.substring(colon + 3, authorityEnd);
        assertFalse(authority.isEmpty() || authority.startsWith(":"), "no host: " + Messages.echo(value));
        assertFalse(authority.contains("@"), "credentials: " + Messages.echo(value));
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            assertFalse(c <= ' ' || c == 0x7F || Character.isISOControl(c) || Character.isWhitespace(c)
                    || "\"<>\\`".indexOf(c) >= 0, "character " + (int) c + " at " + i + " in " + Messages.echo(value));
            if (c == '%') {
                assertTrue(i + 2 < value.length() && isAsciiHex(value.charAt(i + 1)) && isAsciiHex(value.charAt(i + 2)),
                        "% at " + i + " not followed by two hex digits in " + Messages.echo(value));
            }
        }
        assertTrue(value.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF), "lone surrogate");
        PageView view = PageView.builder().trackingUserId(ID).location(value).referrer(value).url(value).build();
        JsonNode body = MAPPER.readTree(Json.pageView(TestCollector.WEBSITE_UUID, view));
        assertEquals(value, body.get("location").asText());
        assertEquals(value, body.get("referrer").asText());
    }

    @Property(tries = 10_000)
    void urlProblem_wellFormedHttpUrl_isNull(@ForAll("wellFormedUrls") String url) {
        assertNull(Urls.urlProblem(url), url);
    }

    @Property(tries = 10_000)
    void echo_anyValue_isOneQuotedLineThatUnescapesToTheValue(@ForAll("hostile") String value) {
        String echo = Messages.echo(value);
        assertTrue(echo.startsWith("\""), echo);
        for (int i = 0; i < echo.length(); i++) {
            char c = echo.charAt(i);
            assertFalse(Character.isISOControl(c) || Character.isSurrogate(c), "character " + (int) c + " at " + i);
        }
        int closing = echo.lastIndexOf('"');
        String quoted = echo.substring(1, closing);
        String shown = value.substring(0, Math.min(value.length(), 120));
        assertEquals(shown, unescape(quoted));
        if (value.length() > 120) {
            assertEquals("... (" + value.length() + " characters)", echo.substring(closing + 1));
        } else {
            assertEquals(echo.length() - 1, closing, "nothing after the closing quote");
        }
    }

    @Property(tries = 10_000)
    void isTrackingUserId_anyString_isTrueForExactly24LowercaseHex(@ForAll("ids") String value) {
        assertEquals(value.matches("[0-9a-f]{24}"), Ids.isTrackingUserId(value), Messages.echo(value));
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(23).ofMaxLength(25),
                Arbitraries.strings().withChars("0123456789abcdefABCDEFg\u0661\uFF11 ").ofLength(24),
                HostileStrings.strings());
    }

    @Property(tries = 10_000)
    void textProblem_anyString_acceptsOnlyShortNonBlankTextWithoutControls(@ForAll("hostile") String value) {
        String problem = Fields.textProblem(value);
        boolean valid = !value.isBlank() && value.length() <= Fields.MAX_TEXT_LENGTH
                && value.chars().noneMatch(Character::isISOControl)
                && value.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
        assertEquals(valid, problem == null, Messages.echo(value) + ": " + problem);
    }

    private static String asciiLowerCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return b.toString();
    }

    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The inverse of Messages.echo's escaping. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case '"', '\\' -> b.append(next);
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5).toLowerCase(Locale.ROOT), 16));
                    i += 4;
                }
                default -> throw new AssertionError("unknown escape \\" + next + " in " + s);
            }
        }
        return b.toString();
    }
}
