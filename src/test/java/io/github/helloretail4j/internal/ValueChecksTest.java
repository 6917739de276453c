package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ValueChecksTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "https://shop.example/",
            "http://shop.example",
            "HTTPS://Shop.Example/p/shoes-123?color=red&size=42#reviews",
            "http://127.0.0.1:8080/products/p-1",
            "http://[::1]:8080/",
            "https://shop.example:443/a%20b?q=%C3%B8",
            "https://rød.dk/produkter/sko-rød",
            "https://shop.example/?q={x}|y^z",
            "https://shop.example/emoji-\uD83D\uDE00",
            "https://my_shop.example/",
    })
    void urlProblem_validUrl_isNull(String url) {
        assertNull(Urls.urlProblem(url), url);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                     | ",
            "/relative/path                         | ",
            "shop.example/p                         | ",
            "ftp://shop.example/                    | ",
            "javascript:alert(1)                    | ",
            "https://                               |  (a host)",
            "https:///path                          |  (a host)",
            "https://:80/                           |  (a host)",
            "https://user:pass@shop.example/        |  (no user name or password)",
            "https://user@shop.example/             |  (no user name or password)",
            "https://shop.example:0/                |  (a valid port)",
            "https://shop.example:65536/            |  (a valid port)",
            "https://shop.example:80a/              |  (a valid port)",
            "https://shop.example:/                 |  (a valid port)",
            "https://shop example/                  |  (a valid host name)",
            "https://shop.example<script>/          |  (a valid host name)",
            "https://[::1/                          |  (a valid IPv6 host)",
            "https://[zz::1]/                       |  (a valid IPv6 host)",
            "https://shop.example/a b               |  (no spaces, quotes, angle brackets or control characters)",
            "https://shop.example/\"x\"             |  (no spaces, quotes, angle brackets or control characters)",
            "https://shop.example/<script>          |  (no spaces, quotes, angle brackets or control characters)",
            "https://shop.example/%zz               |  (every % followed by two hex digits)",
            "https://shop.example/%4                |  (every % followed by two hex digits)",
    })
    void urlProblem_invalidUrl_saysWhy(String url, String detail) {
        String expected = "an absolute http or https URL of at most 4096 characters" + (detail == null ? "" : " " + detail);
        assertEquals(expected, Urls.urlProblem(url), url);
    }

    @Test
    void urlProblem_controlCharactersAndBrokenUnicode_areRefused() {
        for (String bad : new String[] {"https://shop.example/a\r\nSet-Cookie: x", "https://shop.example/\u0000",
                "https://shop.example/\u0085", "https://shop.example/\tx", "https://shop.example/\uD800x",
                "https://shop.example/\uDC00"}) {
            assertTrue(Urls.urlProblem(bad) != null, Messages.echo(bad));
        }
    }

    @Test
    void urlProblem_overlongUrl_isRefused() {
        String base = "https://shop.example/";
        assertNull(Urls.urlProblem(base + "a".repeat(4096 - base.length())));
        assertEquals("an absolute http or https URL of at most 4096 characters",
                Urls.urlProblem(base + "a".repeat(4097 - base.length())));
    }

    @ParameterizedTest
    @CsvSource({
            "62a0317d17698aa57d369db9, true",
            "000000000000000000000000, true",
            "62A0317D17698AA57D369DB9, false",
            "62a0317d17698aa57d369db, false",
            "62a0317d17698aa57d369db90, false",
            "62a0317d17698aa57d369dbg, false",
            "' 62a0317d17698aa57d369db', false",
            "62a0317d-7698aa57d369db9, false",
    })
    void isTrackingUserId_table(String value, boolean valid) {
        assertEquals(valid, Ids.isTrackingUserId(value), value);
    }

    @Test
    void isTrackingUserId_null_isFalse() {
        assertFalse(Ids.isTrackingUserId(null));
    }

    @ParameterizedTest
    @CsvSource({
            "customer@example.com, c***@example.com",
            "a@b, a***@b",
            "no-at-sign, ***",
            "@example.com, ***",
    })
    void maskEmail_table(String email, String masked) {
        assertEquals(masked, Messages.maskEmail(email));
    }

    @Test
    void echo_escapesControlCharactersAndCutsLongValues() {
        assertEquals("\"a\\r\\nb\\\"c\\u0000\"", Messages.echo("a\r\nb\"c\u0000"));
        assertEquals("\"" + "x".repeat(120) + "\"... (500 characters)", Messages.echo("x".repeat(500)));
        assertEquals("null", Messages.echo(null));
    }
}
