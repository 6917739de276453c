package io.github.helloretail4j.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * jqwik generators of what a hostile visitor sends: fragments that break parsers (invalid
 * percent-escapes, CR/LF, NUL, lone surrogates, characters that change under case folding,
 * non-ASCII digits), arbitrary Unicode, overlong runs, concatenated in any order.
 */
public final class HostileStrings {

    /** Fragments known to trip URL, header and cookie parsers. */
    public static final List<String> TOKENS = List.of(
            "%", "%%", "%zz", "%4", "%4g", "%C3%28", "%ff", "%FF", "%00", "%0d%0a", "%0A", "%2e%2e", "%2F", "%25",
            "%E2%80%A8", "%EF%BF%BF", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%\u0661\u0662", "%\uFF11\uFF11",
            "\r\n", "\r", "\n", "\r\n\r\n", "\r\n ", "\0", "\t", " ", "\u000b", "\u007f", "\u0085", "\u2028", "\u2029",
            "\u00a0", "\u3000", "\uFEFF", "\u200b", "\u202e", "\uFFFD", "\uFFFF",
            "\uD83D\uDE00", "\uD83D", "\uDE00", "\u017f", "\u0130", "\u0131", "\u212a", "\uFF11", "\u0663", "\uFF21",
            "\u00e9", "\u00f8", "\u00ff", "r\u00f8d", "\u4e2d\u6587",
            "\"", "'", "\\", "`", "<", ">", "{", "}", "|", "^", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
            "..", "/..", "/../", "..;", "//", "/", "?", "#", "@", "[", "]", "[::1]", ":", ":0", ":65536", ":443", ";",
            ",", "=", "&", "+", "*", "~",
            "hello_retail_id=", "62a0317d17698aa57d369db9", "62A0317D17698AA57D369DB9", "000000000000000000000000",
            "http://", "https://", "HTTPS://", "http\u017f://", "hTtP://", "javascript:", "data:", "ftp://",
            "shop.example", "user:pw@", "127.0.0.1", "localhost", "a_b", "xn--rd-lka.dk");

    private HostileStrings() {
    }

    /** Concatenations of hostile fragments, arbitrary Unicode and, now and then, an overlong run. */
    public static Arbitrary<String> strings() {
        return fragments(Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().ascii().ofMaxLength(12),
                Arbitraries.of(TOKENS),
                Arbitraries.strings().withChars("%0123456789abcdefABCDEF/:.@[]?#;=").ofMaxLength(8)));
    }

    /** Like {@link #strings()} but only ASCII, so that a test can put it anywhere as bytes. */
    public static Arbitrary<String> asciiStrings() {
        return fragments(Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(12),
                Arbitraries.of(TOKENS).filter(t -> t.chars().allMatch(c -> c < 0x80)),
                Arbitraries.strings().withChars("%0123456789abcdefABCDEF/:.@[]?#;=").ofMaxLength(8)));
    }

    private static Arbitrary<String> fragments(Arbitrary<String> fragment) {
        Arbitrary<String> mixed = fragment.list().ofMaxSize(8).map(l -> String.join("", l));
        Arbitrary<String> overlong = Arbitraries.integers().between(1, 9000)
                .flatMap(n -> fragment.map(f -> f + "a".repeat(n)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, mixed),
                net.jqwik.api.Tuple.of(1, overlong));
    }

    /** Raw bytes as a string of ISO-8859-1 characters, one per byte (0-255): what a socket sends. */
    public static Arbitrary<String> bytes() {
        Arbitrary<String> utf8 = strings().map(s -> new String(s.getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1));
        Arbitrary<String> latin1 = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(16);
        return Arbitraries.oneOf(utf8, latin1, asciiStrings());
    }

    /** Things that look like URLs more often than not: a scheme and authority, then anything. */
    public static Arbitrary<String> urlLike() {
        Arbitrary<String> scheme = Arbitraries.of("http://", "https://", "HTTP://", "Https://", "http\u017f://",
                "HTTP\u017f://", "ftp://", "//", "", "javascript:", "http:", "http:/");
        Arbitrary<String> authority = Arbitraries.oneOf(
                Arbitraries.of("shop.example", "127.0.0.1:8080", "[::1]", "[2001:db8::1]:443", "r\u00f8d.dk",
                        "shop.example:0", "shop.example:65536", "user@shop.example", "", "[::1", "[\uFF11::1]", "a_b"),
                strings());
        return Arbitraries.oneOf(
                strings(),
                net.jqwik.api.Combinators.combine(scheme, authority, strings()).as((s, a, r) -> s + a + r),
                net.jqwik.api.Combinators.combine(scheme, authority, strings()).as((s, a, r) -> s + a + "/" + r));
    }

    /** Host names a container hands over: ASCII letters, digits, dots and dashes, or an IPv6 literal. */
    public static Arbitrary<String> hostNames() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').withChars('-').ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> name = label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
        Arbitrary<String> v6 = Arbitraries.of("[::1]", "[2001:db8::1]", "::1", "2001:db8::2", "[fe80::1:2]");
        return Arbitraries.oneOf(name, v6, Arbitraries.of("127.0.0.1", "localhost"));
    }
}
