package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocationsTest {

    /**
     * Columns: publicBaseUrl, trust, request scheme/host/port, Forwarded, X-Forwarded-Proto,
     * X-Forwarded-Host, X-Forwarded-Port, expected base URL. Empty cells are null.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "", value = {
            // straight from the request
            "                     | false | http  | shop.example | 80   |                                  |       |                   |      | http://shop.example",
            "                     | false | https | shop.example | 443  |                                  |       |                   |      | https://shop.example",
            "                     | false | http  | 127.0.0.1    | 8080 |                                  |       |                   |      | http://127.0.0.1:8080",
            "                     | false | HTTP  | ::1          | 8080 |                                  |       |                   |      | http://[::1]:8080",
            "                     | false | http  | [::1]        | 80   |                                  |       |                   |      | http://[::1]",
            // forwarded headers ignored unless trusted
            "                     | false | http  | app          | 8080 | proto=https;host=shop.example    | https | shop.example      | 443  | http://app:8080",
            // the public base URL wins over everything
            "https://shop.example | true  | http  | app          | 8080 | proto=http;host=evil.example     | http  | evil.example      | 81   | https://shop.example",
            // RFC 7239 Forwarded, first element, quoted values, case-insensitive keys
            "                     | true  | http  | app          | 8080 | for=1.2.3.4;Proto=https;Host=shop.example, proto=http;host=b | | |      | https://shop.example",
            "                     | true  | http  | app          | 8080 | 'proto=https;host=\"shop.example:8443\"' |  |  |      | https://shop.example:8443",
            // X-Forwarded-*
            "                     | true  | http  | app          | 8080 |                                  | https | shop.example      |      | https://shop.example",
            "                     | true  | http  | app          | 8080 |                                  | https | shop.example, b   |      | https://shop.example",
            "                     | true  | http  | app          | 8080 |                                  | https |                   |      | https://app",
            "                     | true  | http  | app          | 8080 |                                  |       | shop.example:8443 |      | http://shop.example:8443",
            "                     | true  | http  | app          | 8080 |                                  | https | shop.example      | 8443 | https://shop.example:8443",
            "                     | true  | http  | app          | 8080 |                                  | https | [2001:db8::1]     |      | https://[2001:db8::1]",
            // hostile values are ignored field by field
            "                     | true  | http  | app          | 8080 |                                  | javascript | shop.example |   | http://shop.example",
            "                     | true  | http  | app          | 8080 |                                  | https | shop.example/x?   |      | https://app",
            "                     | true  | http  | app          | 8080 |                                  | https | evil@shop.example |      | https://app",
            "                     | true  | http  | app          | 8080 |                                  | https | shop.example      | 99999 | https://shop.example",
            "                     | true  | http  | app          | 8080 |                                  |       | shop.example:x    |      | http://app:8080",
    })
    void baseUrl_table(String publicBaseUrl, boolean trust, String scheme, String host, int port, String forwarded,
                       String xfProto, String xfHost, String xfPort, String expected) {
        assertEquals(expected, Locations.baseUrl(publicBaseUrl, trust,
                new Locations.Origin(scheme, host, port, forwarded, xfProto, xfHost, xfPort)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "", value = {
            "/p/1        |                | https://shop.example/p/1",
            "/p/1        | color=red&x=%20| https://shop.example/p/1?color=red&x=%20",
            "/           |                | https://shop.example/",
            "/shop/a%2Fb |                | https://shop.example/shop/a%2Fb",
    })
    void location_appendsRawPathAndQuery(String uri, String query, String expected) {
        assertEquals(expected, Locations.location("https://shop.example", uri, query));
    }
}
