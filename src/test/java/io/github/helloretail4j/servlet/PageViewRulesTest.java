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

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", emptyValue = "", value = {
            // query string                              | product number
            "productId=FI-SW-01                          | FI-SW-01",
            "category=fish&productId=FI-SW-01&x=1        | FI-SW-01",
            "productId=sko%20r%C3%B8d                    | sko rød",
            "productId=sko+r%C3%B8d                      | sko rød",
            "productId=a%2Bb                             | a+b",
            "productId=A-1&productId=B-2                 | A-1",
            "productId=&productId=B-2                    | NULL",
            "productId=                                  | NULL",
            "productId                                   | NULL",
            "productId=%20                               | NULL",
            "productId=bad%zz                            | NULL",
            "productId=ctl%0A                            | NULL",
            "productIdx=1&xproductId=2                   | NULL",
            "product%49d=FI-1                            | FI-1",
            "&&productId=p-1&                            | p-1",
            "                                            | NULL",
            "productId=a=b                               | a=b",
    })
    void productNumberFromQuery_table(String query, String expected) {
        assertEquals(expected, PageViewRules.productNumberFromQuery(query, "productId"));
    }

    @org.junit.jupiter.api.Test
    void productNumberFromQuery_noQueryOrNoParameter_isNull() {
        assertEquals(null, PageViewRules.productNumberFromQuery(null, "productId"));
        assertEquals(null, PageViewRules.productNumberFromQuery("productId=1", null));
    }
}
