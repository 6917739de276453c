package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlCleanerTest {

    private static final UrlCleaner.Names DEFAULT = UrlCleaner.Names.parse(Parameters.DEFAULT_REMOVE_QUERY_PARAMETERS);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // path parameters, in every segment, whatever their name
            "http://127.0.0.1:8080/shop/owners/6;jsessionid=8C1F2E0A9B | http://127.0.0.1:8080/shop/owners/6",
            "https://shop.example/a;x=1/b;y=2?q=1                     | https://shop.example/a/b?q=1",
            "https://shop.example/shop;v=2/p;JSESSIONID=A;other=B/    | https://shop.example/shop/p/",
            "https://shop.example/;jsessionid=A                       | https://shop.example/",
            // the named query parameters, whole pairs; the rest in its order
            "https://shop.example/reset?token=SECRET&lang=en          | https://shop.example/reset?lang=en",
            "https://shop.example/cb?code=abc&state=xyz               | https://shop.example/cb",
            "https://shop.example/p?a=1&token=x                       | https://shop.example/p?a=1",
            "https://shop.example/p?c=3&Token=a&b=2&TOKEN=b&a=1       | https://shop.example/p?c=3&b=2&a=1",
            "https://shop.example/p?token                             | https://shop.example/p",
            "https://shop.example/p?token=                            | https://shop.example/p",
            "https://shop.example/p?a=1&&token=x&b=2&                 | https://shop.example/p?a=1&b=2",
            "https://shop.example/p?sig=1&X-Amz-Signature=2&Signature=3&Key-Pair-Id=k | https://shop.example/p?Key-Pair-Id=k",
            // a name escaped as a client may send it
            "https://shop.example/p?%74oken=a&color=red               | https://shop.example/p?color=red",
            "https://shop.example/p?api%5Fkey=a&x=1                   | https://shop.example/p?x=1",
            "https://shop.example/p?API%5fKEY=a&x=1                   | https://shop.example/p?x=1",
            // the fragment, always
            "https://shop.example/p?x=1#access_token=abc              | https://shop.example/p?x=1",
            "https://shop.example/p#top;x                             | https://shop.example/p",
            "https://shop.example/p;jsessionid=A?token=B#C            | https://shop.example/p",
            // a string without scheme://authority is a path
            "/relative;x?token=1&y=2                                  | /relative?y=2",
    })
    void url_secrets_areTakenOut(String url, String expected) {
        assertEquals(expected, UrlCleaner.url(url, DEFAULT));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://shop.example/products/p-1?color=red&size=42",
            "https://shop.example/",
            "https://shop.example",
            "https://shop.example/p?",
            "https://shop.example/p?&&",
            // names are whole names, values are never looked at
            "https://shop.example/p?tokens=1&mytoken=2&token_type=bearer",
            "https://shop.example/p?q=token&next=%2Freset%3Ftoken%3D1",
            // ';' in a query or escaped in a path is data, not a path parameter
            "https://shop.example/p?a=b;jsessionid=c",
            "https://shop.example/a%3Bjsessionid=x",
            // an escape that is not UTF-8 names nothing
            "https://shop.example/p?%ff=1&%zz=2&to%2=3",
            "https://www.google.com/search?q=shoes",
    })
    void url_nothingToTakeOut_isTheSameString(String url) {
        assertSame(url, UrlCleaner.url(url, DEFAULT));
    }

    @Test
    void url_noNames_takesOutPathParametersAndFragmentOnly() {
        assertEquals("https://shop.example/p?token=1", UrlCleaner.url("https://shop.example/p;jsessionid=A?token=1#f",
                UrlCleaner.Names.NONE));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/shop/owners/6;jsessionid=8C1F2E0A9B | /shop/owners/6",
            "/shop;v=1/products/6                  | /shop/products/6",
            "/;x/a                                 | //a",
            "/a;                                   | /a",
            ";x                                    | ''",
    })
    void path_pathParameters_areTakenOut(String path, String expected) {
        assertEquals(expected, UrlCleaner.path(path));
    }

    @Test
    void path_withoutPathParameters_isTheSameString() {
        String path = "/shop/products/p-1";
        assertSame(path, UrlCleaner.path(path));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "token=SECRET&lang=en     | lang=en",
            "a=1&token=2&b=3          | a=1&b=3",
            "token=1                  | ''",
            "Code=1&STATE=2           | ''",
            "session%5Fid=1&x=%41     | x=%41",
    })
    void query_namedParameters_areTakenOut(String query, String expected) {
        assertEquals(expected, UrlCleaner.query(query, DEFAULT));
    }

    @Test
    void query_nothingToTakeOut_isTheSameString() {
        String query = "color=red&size=42";
        assertSame(query, UrlCleaner.query(query, DEFAULT));
        assertNull(UrlCleaner.query(null, DEFAULT));
        assertEquals("", UrlCleaner.query("", DEFAULT));
        assertSame(query, UrlCleaner.query(query, UrlCleaner.Names.NONE));
    }

    @Test
    void parse_none_removesNone() {
        assertTrue(UrlCleaner.Names.parse("none").isEmpty());
        assertTrue(UrlCleaner.Names.parse(" NONE ").isEmpty());
        assertEquals("none", UrlCleaner.Names.parse("None").toString());
    }

    @Test
    void parse_list_ignoresBlankEntriesAndMatchesInAnyCase() {
        UrlCleaner.Names names = UrlCleaner.Names.parse(" voucher , ,Ref_Code,");
        assertEquals("voucher,Ref_Code", names.toString());
        assertTrue(names.contains("VOUCHER"));
        assertTrue(names.contains("ref_code"));
        assertEquals("https://shop.example/p?token=1", UrlCleaner.url("https://shop.example/p?token=1&REF_CODE=2", names));
    }

    @Test
    void parse_nameWithSeparator_namesIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> UrlCleaner.Names.parse("token,code&state"));
        assertEquals("has a name with a space, control character, '&', '=' or '#': \"code&state\" in the list",
                e.getMessage());
    }

    @Test
    void parse_noName_isRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> UrlCleaner.Names.parse(" , "));
        assertEquals("must be comma-separated query parameter names, or none to remove none", e.getMessage());
    }
}
