package io.github.helloretail4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.testkit.HelloRetailCollectorExtension;
import io.github.helloretail4j.testkit.SentConversion.Line;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo shop tested as a shop would test its own Hello Retail tracking, with the test kit
 * (helloretail4j-test): the kit's stand-in instead of Hello Retail, the shop configured to send
 * there as it would be in production (here through the system properties the library reads),
 * and the test asserting what the shop sent. No knowledge of the library's insides, nor of the
 * demo's own stand-in.
 */
class CheckoutConversionTest {

    @RegisterExtension
    static HelloRetailCollectorExtension helloRetail = new HelloRetailCollectorExtension();

    private static final String VISITOR = "62a0317d17698aa57d369db9";
    /** Headless HTTP clients count as bots, which the filter does not track: this says it is Chrome. */
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/124.0.0.0 Safari/537.36";

    private static DemoServer shop;
    private static HttpClient visitor;

    @BeforeAll
    static void startTheShop() throws Exception {
        System.setProperty("helloretail.endpoint", helloRetail.endpoint().toString());
        System.setProperty("helloretail.websiteUuid", helloRetail.websiteUuid());
        try {
            shop = DemoServer.start(0);
        } finally {
            System.clearProperty("helloretail.endpoint");
            System.clearProperty("helloretail.websiteUuid");
        }
        // a returning visitor: Hello Retail's id in its cookie, the shop's session in another
        CookieManager cookies = new CookieManager();
        HttpCookie id = new HttpCookie(HelloRetailWeb.COOKIE_NAME, VISITOR);
        id.setPath("/");
        id.setVersion(0);
        cookies.getCookieStore().add(shop.baseUri(), id);
        visitor = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopTheShop() {
        if (shop != null) {
            shop.close();
        }
    }

    @Test
    void productPage_sendsAPageViewOfItsUrl() throws Exception {
        assertEquals(200, get("products/sh-103").statusCode());
        helloRetail.assertPageView(shop.baseUri().resolve("products/sh-103").toString());
    }

    @Test
    void checkout_sendsTheConversionWithTheOrdersLines() throws Exception {
        post("cart/add", "productNumber=sh-103&quantity=2");
        post("cart/add", "productNumber=bg-204&quantity=1");
        HttpResponse<String> thankYou = post("checkout", "email=" + URLEncoder.encode("kim@example.com",
                StandardCharsets.UTF_8) + "&payment=card");
        assertEquals(200, thankYou.statusCode(), thankYou.body());
        String query = thankYou.uri().getQuery();
        assertTrue(query != null && query.startsWith("order="), "the thank-you page names the order: " + thankYou.uri());
        String orderNumber = query.substring("order=".length());

        helloRetail.assertConversion(orderNumber, "159.75",
                        Line.of("sh-103", 2, "119.80"),
                        Line.of("bg-204", 1, "39.95"))
                .assertTrackingUserId(VISITOR);
        assertEquals("kim@example.com", helloRetail.awaitConversion(orderNumber).email());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return visitor.send(request(shop.baseUri().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String form) throws Exception {
        return visitor.send(request(shop.baseUri().resolve(path)).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).header("User-Agent", BROWSER).header("Sec-Fetch-Dest", "document")
                .timeout(Duration.ofSeconds(10));
    }
}
