package io.github.helloretail4j.servlet;

import io.github.helloretail4j.testing.TestCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchExploreTest {
    @Test
    void explore() throws Exception {
        try (TestCollector collector = TestCollector.start()) {
            for (Containers.Kind kind : Containers.Kind.values()) {
                try (Containers.Container c = kind.start()) {
                    var dir = new TestWebApp().contextParam("helloretail.websiteUuid", TestCollector.WEBSITE_UUID)
                            .contextParam("helloretail.endpoint", collector.endpoint().toString())
                            .filterParam("helloretail.productNumberPattern", "/products/(?<productNumber>[^/]+)")
                            .filterParam("helloretail.trustForwardedHeaders", "true")
                            .write(Files.createTempDirectory("x"));
                    long t0 = System.nanoTime();
                    try (var d = c.deploy(dir, "/shop")) {
                        System.out.println(kind + " deploy ms " + (System.nanoTime() - t0) / 1_000_000);
                        String[] targets = {"/shop/page", "/shop/products/a%zz", "/shop/products/%C3%28", "/shop/products/\u00e9",
                                "/shop/page?q=100%", "/shop/page?q=a`b\\c", "/shop/page?q=\"<>", "/shop/page?q={|}^",
                                "/shop/products/a;b=c", "/shop/products/..;/x", "/shop/products/%00", "/shop/products/\u0000",
                                "http://evil.example/shop/page", "/shop/products/%2e%2e/page", "/shop/page#frag",
                                "/shop/products/\u0085", "/shop/products/%ff", "/shop/page?\u00ff"};
                        for (String t : targets) {
                            one(c.port(), kind, "GET " + t + " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: hello_retail_id=62a0317d17698aa57d369db9\r\nUser-Agent: Mozilla/5.0\r\n\r\n");
                        }
                        String[] headers = {"Host: a_b", "Host: ", "Host: [::1]:99", "Host: x\u00e9", "Host: a b", "Host: a:99999",
                                "Host: 127.0.0.1\r\nX-Forwarded-Host: [\uff11::1]", "Host: h\r\nCookie: hello_retail_id=\"62a0317d17698aa57d369db0\"",
                                "Host: h\r\nCookie: hello_retail_id=x y; hello_retail_id=62a0317d17698aa57d369db1",
                                "Host: h\r\nCookie: hello_retail_id=a,b; hello_retail_id=62a0317d17698aa57d369db2",
                                "Host: h\r\nCookie: hello_retail_id=\u00e9; hello_retail_id=62a0317d17698aa57d369db3",
                                "Host: h\r\nReferer: http\u017f://evil.example/", "Host: h\r\nReferer: http://x/\u00e9\u0085",
                                "Host: h\r\nUser-Agent: \u0000", "Host: h\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 0",
                                "Host: h\r\nForwarded: host=\"\"", "Host: h\r\nForwarded: host=[::1", "Host: h\nX: y", "Host: h\rX: y",
                                "Host: h\r\n\r\nGET /shop/page HTTP/1.1\r\nHost: z"};
                        for (String h : headers) {
                            one(c.port(), kind, "GET /shop/page HTTP/1.1\r\n" + h + "\r\nCookie: hello_retail_id=62a0317d17698aa57d369db9\r\nUser-Agent: Mozilla/5.0\r\n\r\n");
                        }
                        Thread.sleep(500);
                        collector.requests().forEach(r -> System.out.println(kind + " COLLECTED " + r.status() + " " + r.body()));
                        collector.reset();
                    }
                }
            }
        }
    }

    private static void one(int port, Containers.Kind kind, String req) throws Exception {
        long t0 = System.nanoTime();
        List<RawHttp.Response> rs = RawHttp.exchange(port, req.getBytes(StandardCharsets.ISO_8859_1), 10_000);
        System.out.println(kind + " " + (System.nanoTime() - t0) / 1_000_000 + "ms " + rs.stream().map(r -> r.status() + " " + r.body().replace("\n", " ").substring(0, Math.min(80, r.body().length()))).toList() + " <- " + req.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0"));
    }
}
