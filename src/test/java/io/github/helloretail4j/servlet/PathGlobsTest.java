package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGlobsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/static/site.css        | true",
            "/static/SITE.CSS        | true",
            "/app.js                 | true",
            "/img/logo.png           | true",
            "/favicon.ico            | true",
            "/fonts/a.woff2          | true",
            "/products/p-1           | false",
            "/                       | false",
            "/products/shoes.html    | false",
            "/css-guide              | false",
    })
    void defaults_excludeStaticAssets(String path, boolean excluded) {
        assertEquals(excluded, PathGlobs.parse(PathGlobs.DEFAULT).matches(path), path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/admin/**          | /admin/orders/7     | true",
            "/admin/**          | /administrator      | false",
            "/admin/*           | /admin/orders       | true",
            "/admin/*           | /admin/orders/7     | false",
            "/checkout/step?    | /checkout/step2     | true",
            "/checkout/step?    | /checkout/step22    | false",
            "healthz            | /ops/healthz        | true",
            "healthz            | /ops/healthz2       | false",
            "*.do               | /cart/add.do        | true",
            "' /a/** , , *.x '  | /a/b                | true",
            "' /a/** , , *.x '  | /y.x                | true",
            "/p.html            | /p.html             | true",
            "/p.html            | /pxhtml             | false",
    })
    void customGlobs_table(String globs, String path, boolean excluded) {
        assertEquals(excluded, PathGlobs.parse(globs).matches(path), globs + " ~ " + path);
    }

    @Test
    void parse_globWithSpace_isRefused() {
        assertEquals("has a glob with a space or control character: \"/a b\"",
                assertThrows(IllegalArgumentException.class, () -> PathGlobs.parse("/a b")).getMessage());
    }
}
