package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageViewRulesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "", value = {
            // Sec-Purpose | Purpose | X-Moz | X-Purpose | X-Requested-With | Sec-Fetch-Dest | not a navigation
            "              |         |       |           |                  |                | false",
            "              |         |       |           |                  | document       | false",
            "              |         |       |           |                  | Document       | false",
            "prefetch      |         |       |           |                  | document       | true",
            "prefetch;prerender |    |       |           |                  |                | true",
            "prerender     |         |       |           |                  |                | true",
            "              | prefetch|       |           |                  |                | true",
            "              |         | prefetch |        |                  |                | true",
            "              |         |       | preview   |                  |                | true",
            "              |         |       |           | XMLHttpRequest   |                | true",
            "              |         |       |           |                  | empty          | true",
            "              |         |       |           |                  | iframe         | true",
            "              |         |       |           |                  | image          | true",
    })
    void isNotANavigation_table(String secPurpose, String purpose, String xMoz, String xPurpose, String xrw,
                                String dest, boolean expected) {
        assertEquals(expected, PageViewRules.isNotANavigation(secPurpose, purpose, xMoz, xPurpose, xrw, dest));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "", value = {
            "text/html                    | true",
            "text/html;charset=UTF-8      | true",
            "TEXT/HTML; charset=utf-8     | true",
            "application/xhtml+xml        | true",
            "text/plain                   | false",
            "application/json             | false",
            "text/htmlx                   | true",
            "                             | false",
    })
    void isHtml_table(String contentType, boolean expected) {
        assertEquals(expected, PageViewRules.isHtml(contentType));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "", value = {
            "/products/(?<productNumber>[^/]+)        | /products/shoes-123         | shoes-123",
            "/products/(?<productNumber>[^/]+)        | /products/shoes-123/reviews | shoes-123",
            "/products/(?<productNumber>[^/]+)        | /category/shoes             | ",
            "^/products/(?<productNumber>[^/]+)$      | /products/a/b               | ",
            "/products/(?<productNumber>[^/]+)        | /products/sko%20r%C3%B8d    | sko rød",
            "/products/(?<productNumber>[^/]+)        | /products/a+b               | a+b",
            "/products/(?<productNumber>[^/]+)        | /products/bad%zz            | ",
            "/products/(?<productNumber>[^/]+)        | /products/bad%C3            | ",
            "/products/(?<productNumber>[^/]+)        | /products/ctl%0A            | ",
            "/p-(?<productNumber>\\d+)\\.html         | /p-42.html                  | 42",
            "/products/(?<productNumber>[^/]+)?       | /products/                  | ",
    })
    void productNumber_table(String pattern, String path, String expected) {
        assertEquals(expected, PageViewRules.productNumber(Pattern.compile(pattern), path));
    }
}
