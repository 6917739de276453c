package io.github.helloretail4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.helloretail4j.TrackerMetrics;
import io.github.helloretail4j.demo.collector.CollectorLog;
import io.github.helloretail4j.demo.collector.CollectorLog.Kind;
import io.github.helloretail4j.demo.collector.CollectorLog.Received;
import io.github.helloretail4j.demo.collector.StandInCollectorServlet;
import io.github.helloretail4j.demo.shop.Order;
import io.github.helloretail4j.demo.shop.Orders;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.testkit.Await;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A shopper in a real browser (Debian's headless Chromium, driven by Selenium): browses,
 * buys, pays later; the test then reads what the stand-in collector received.
 *
 * <p>Chromium and chromedriver are named explicitly ({@code /usr/bin/chromium},
 * {@code /usr/bin/chromedriver}), so Selenium Manager never runs and nothing is downloaded
 * (the pom also sets {@code SE_OFFLINE=true}). When they are missing the test fails, saying how
 * to install them: CI installs them, and a skipped browser test would hide a broken demo.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShopBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /**
     * A desktop Chrome's user agent. Headless Chromium's own says "HeadlessChrome", which the
     * filter rightly takes for a bot and does not track.
     */
    static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/156.0.0.0 Safari/537.36";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static DemoServer server;
    private static ChromeDriver browser;
    private static Path profile;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the browser test needs Debian's Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                        + ": install them with `apt-get install -y chromium chromium-driver`");
        server = DemoServer.start(0);
        base = server.baseUri().toString().replaceAll("/$", "");
        profile = Files.createTempDirectory("demo-chromium-profile-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + profile,
                "--user-agent=" + USER_AGENT);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (server != null) {
                server.close();
            }
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void shopperBuysWithCard_everyPageAndOneConversionReachHelloRetail() throws Exception {
        String id = newVisitor();

        browser.get(base + "/");
        click(By.cssSelector(".nav a[href$='/category/shoes']"), base + "/category/shoes");
        click(By.cssSelector("a.card[href$='/products/sh-101']"), base + "/products/sh-101");
        assertEquals("Trail Runner GTX", browser.findElement(By.tagName("h1")).getText());
        click(By.id("add-to-cart"), base + "/cart");
        assertEquals("1", browser.findElement(By.id("cart-count")).getText());
        click(By.cssSelector("a.card[href$='/products/bg-201']"), base + "/products/bg-201");
        click(By.id("add-to-cart"), base + "/cart");
        assertEquals("2", browser.findElement(By.id("cart-count")).getText());
        assertEquals("€218.95", browser.findElement(By.id("cart-total")).getText());
        screenshot("cart");
        // The newest cart at the stand-in is what the cart page shows: its products, each once, and its total.
        List<String> pageProducts = browser.findElements(By.cssSelector("table.lines td.line-product a")).stream()
                .map(a -> a.getAttribute("href").replaceFirst(".*/products/", "")).toList();
        String pageTotal = browser.findElement(By.id("cart-total")).getText().replace("€", "");
        assertEquals(List.of("sh-101", "bg-201"), pageProducts);
        Await.until("the stand-in's newest cart to be the cart page's", () -> lastCart(id),
                c -> c != null && c.list("productNumbers").equals(pageProducts)
                        && pageTotal.equals(c.decimal("total").toPlainString()));
        click(By.id("go-to-checkout"), base + "/checkout");
        browser.findElement(By.id("email")).sendKeys("ada@example.com");
        screenshot("checkout");
        browser.findElement(By.id("place-order")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/thank-you?order="));
        String thankYou = browser.getCurrentUrl();
        String orderNumber = thankYou.substring(thankYou.indexOf("order=") + 6);
        assertEquals("Paid", browser.findElement(By.id("order-status")).getText());
        assertEquals(id, browser.findElement(By.id("stored-tracking-id")).getText());
        screenshot("thank-you");
        Received emptied = Await.until("an empty cart after the order", () -> lastCart(id),
                c -> c != null && c.list("productNumbers").isEmpty());
        assertEquals("0", emptied.decimal("total").toPlainString());

        // Every page the shopper saw, with the page before it as referrer; product pages carry
        // their product number. Several requests may be in flight, so the order of arrival may differ.
        List<String> expected = List.of(
                view(base + "/", null, null),
                view(base + "/category/shoes", base + "/", null),
                view(base + "/products/sh-101", base + "/category/shoes", "sh-101"),
                view(base + "/cart", base + "/products/sh-101", null),
                view(base + "/products/bg-201", base + "/cart", "bg-201"),
                view(base + "/cart", base + "/products/bg-201", null),
                view(base + "/checkout", base + "/cart", null),
                view(thankYou, base + "/checkout", null));
        assertEquals(sorted(expected), sorted(awaitPageViews(id, expected.size())));

        Received conversion = awaitConversion(orderNumber);
        assertConversion(conversion, orderNumber, "218.95", List.of("sh-101", "bg-201"), "ada@example.com", id);

        // Reloading the thank-you page is one more page view, and no second conversion.
        long tracked = server.tracker().metrics().conversions().tracked();
        browser.navigate().refresh();
        assertEquals("Paid", browser.findElement(By.id("order-status")).getText());
        List<String> again = new ArrayList<>(expected);
        again.add(view(thankYou, base + "/checkout", null));
        // The reload's page view arrives after its request completed, so any conversion it
        // submitted would be counted by now.
        assertEquals(sorted(again), sorted(awaitPageViews(id, again.size())));
        assertEquals(tracked, server.tracker().metrics().conversions().tracked(), "no second conversion was submitted");
        assertEquals(1, conversions(orderNumber).size(), "exactly one conversion for order " + orderNumber);
        awaitNothingPending();
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shopperPaysLater_providerCallbackConvertsWithTheIdStoredAtCheckout() throws Exception {
        String id = newVisitor();

        browser.get(base + "/products/ac-302");
        assertEquals("Salt & Pepper Wool Scarf", browser.findElement(By.tagName("h1")).getText());
        new Select(browser.findElement(By.name("quantity"))).selectByValue("2");
        click(By.id("add-to-cart"), base + "/cart");
        click(By.id("go-to-checkout"), base + "/checkout");
        browser.findElement(By.id("email")).sendKeys("grace@example.com");
        browser.findElement(By.cssSelector("input[name=payment][value=invoice]")).click();
        long trackedBefore = server.tracker().metrics().conversions().tracked();
        browser.findElement(By.id("place-order")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/thank-you?order="));
        String orderPage = browser.getCurrentUrl();
        String orderNumber = orderPage.substring(orderPage.indexOf("order=") + 6);
        assertEquals("Awaiting payment", browser.findElement(By.id("order-status")).getText());
        assertEquals(id, browser.findElement(By.id("stored-tracking-id")).getText());
        screenshot("awaiting-payment");
        assertEquals(trackedBefore, server.tracker().metrics().conversions().tracked(),
                "an unpaid order is not a conversion yet");

        // The button makes the shop's server call its own /payment/callback, like a provider.
        browser.findElement(By.id("simulate-callback")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(ExpectedConditions.textToBe(By.id("order-status"), "Paid"));
        screenshot("paid-by-callback");

        Received conversion = awaitConversion(orderNumber);
        assertConversion(conversion, orderNumber, "88.00", List.of("ac-302"), "grace@example.com", id);
        Order order = Orders.of(server.servletContext()).find(orderNumber).orElseThrow();
        assertEquals(1, order.callbacks().size());
        Order.PaymentCallback callback = order.callbacks().get(0);
        assertFalse(callback.carriedCookie(), "the provider's callback carried no cookie");
        assertNull(callback.trackingUserIdOnRequest(), "no id could be read from the callback request itself");
        assertTrue(callback.userAgent().startsWith("DemoPaymentProvider/"), callback.userAgent());

        // Providers retry: a second callback (a form post this time) converts nothing again.
        long tracked = server.tracker().metrics().conversions().tracked();
        HttpResponse<String> retry = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base + "/payment/callback"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("orderNumber=" + orderNumber)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, retry.statusCode(), retry.body());
        assertEquals("{\"success\":true,\"message\":\"order " + orderNumber + " was already paid\"}", retry.body());
        browser.navigate().refresh();
        assertEquals("Paid", browser.findElement(By.id("order-status")).getText());
        assertEquals(tracked, server.tracker().metrics().conversions().tracked());
        assertEquals(2, order.callbacks().size());
        assertEquals(1, conversions(orderNumber).size(), "exactly one conversion for order " + orderNumber);
        awaitNothingPending();
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void collectorPage_showsTheEventsLive() throws Exception {
        browser.get(base + "/collector");
        assertEquals(server.standInEndpoint().toString(), browser.findElement(By.id("endpoint")).getText());
        int rows = browser.findElements(By.cssSelector("#conversions tbody tr")).size();
        assertTrue(rows >= 2, "both orders are listed: " + rows);
        // An event arriving while the page is open shows up without a reload.
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.standInEndpoint().resolve("collect/pageview"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"websiteUuid\":\"" + StandInCollectorServlet.DEMO_WEBSITE_UUID
                        + "\",\"location\":\"" + base + "/live-probe\"}")).build(), HttpResponse.BodyHandlers.ofString());
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("page-views"), base + "/live-probe"));
        // The collector page itself is not a shopper's page view (helloretail.skip).
        assertTrue(CollectorLog.of(server.servletContext()).of(Kind.PAGE_VIEW).stream()
                .noneMatch(r -> String.valueOf(r.text("location")).startsWith(base + "/collector")));
        screenshotWholePage("collector");
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void orderFeed_linkedFromTheCollector_servesTheOrderJustPlacedWithItsLines() throws Exception {
        newVisitor();
        browser.get(base + "/products/sh-101");
        new Select(browser.findElement(By.name("quantity"))).selectByValue("2");
        click(By.id("add-to-cart"), base + "/cart");
        browser.get(base + "/products/ac-302");
        click(By.id("add-to-cart"), base + "/cart");
        click(By.id("go-to-checkout"), base + "/checkout");
        browser.findElement(By.id("email")).sendKeys("feed@example.com");
        browser.findElement(By.id("place-order")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/thank-you?order="));
        String orderNumber = browser.getCurrentUrl().substring(browser.getCurrentUrl().indexOf("order=") + 6);
        Order placed = Orders.of(server.servletContext()).find(orderNumber).orElseThrow();

        browser.get(base + "/collector");
        String feedUrl = browser.findElement(By.id("order-feed")).getAttribute("href");
        assertEquals(base + "/helloretail/orderfeed", feedUrl);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(feedUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        HttpResponse<String> feed = http.send(HttpRequest.newBuilder(URI.create(feedUrl + "?daysBack=0"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "helloretail:demo-feed-password".getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, feed.statusCode(), feed.body());
        assertTrue(feed.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode order = null;
        for (JsonNode o : new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .readTree(feed.body())) {
            if (orderNumber.equals(o.path("orderNumber").asText())) {
                order = o;
            }
        }
        assertNotNull(order, "order " + orderNumber + " in the feed: " + feed.body());
        assertEquals("feed@example.com", order.path("email").asText());
        // Jackson's tree drops trailing zeros; the feed itself writes the shop's amounts as they are
        assertEquals(0, placed.total().compareTo(order.path("total").decimalValue()), order.toString());
        assertTrue(feed.body().contains("\"total\":" + placed.total().toPlainString() + ","), feed.body());
        // the order's lines, as the shop keeps them: product, quantity, amount
        assertEquals(sorted(placed.lines().stream().map(l -> l.product().number() + " x" + l.quantity() + " "
                        + l.amount().stripTrailingZeros().toPlainString()).toList()),
                sorted(Stream.of(order.path("products"))
                        .flatMap(p -> java.util.stream.StreamSupport.stream(p.spliterator(), false))
                        .map(l -> l.path("productNumber").asText() + " x" + l.path("quantity").asInt() + " "
                                + l.path("lineTotal").decimalValue().stripTrailingZeros().toPlainString()).toList()));
        assertEquals(List.of("ac-302 x1 44.00", "sh-101 x2 259.90"), sorted(placed.lines().stream()
                .map(l -> l.product().number() + " x" + l.quantity() + " " + l.amount().toPlainString()).toList()));
        assertTrue(order.path("date").asText().matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"),
                order.path("date").asText());
    }

    /** A new shopper: no cookies; they get their Hello Retail id on the collector page, untracked. */
    private static String newVisitor() {
        browser.get(base + "/collector");
        browser.manage().deleteAllCookies();
        // The filter hands out ids from a small stock it fetches in the background; the very
        // first visitor of a new server may have to come back once for one.
        return Await.until("a hello_retail_id cookie", () -> {
            browser.get(base + "/collector");
            Cookie c = browser.manage().getCookieNamed(HelloRetailWeb.COOKIE_NAME);
            return c == null ? null : c.getValue();
        }, v -> v != null);
    }

    private static void click(By by, String expectedUrl) {
        WebElement element = browser.findElement(by);
        element.click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlToBe(expectedUrl));
    }

    private static String view(String location, String referrer, String productNumber) {
        return "location=" + location + " referrer=" + referrer + " productNumber=" + productNumber;
    }

    private static List<String> sorted(List<String> list) {
        return list.stream().sorted().toList();
    }

    /** The page views of one visitor, once {@code count} arrived; all must have been accepted. */
    private static List<String> awaitPageViews(String id, int count) {
        List<Received> views = Await.until(count + " page views of " + id, () -> log().of(Kind.PAGE_VIEW).stream()
                .filter(r -> id.equals(r.text("trackingUserId"))).toList(), l -> l.size() >= count);
        for (Received r : views) {
            assertEquals(200, r.status(), r.toString());
            assertEquals("Page view tracked", r.message());
            assertEquals(StandInCollectorServlet.DEMO_WEBSITE_UUID, r.text("websiteUuid"));
            assertNull(r.text("url"), "no canonical url differs from the location: " + r);
        }
        return views.stream().map(r -> view(r.text("location"), r.text("referrer"), r.text("productNumber"))).toList();
    }

    private static Received awaitConversion(String orderNumber) {
        return Await.until("the conversion of order " + orderNumber, () -> conversions(orderNumber),
                l -> !l.isEmpty()).get(0);
    }

    private static List<Received> conversions(String orderNumber) {
        return log().of(Kind.CONVERSION).stream().filter(r -> orderNumber.equals(r.text("orderNumber"))).toList();
    }

    private static void assertConversion(Received r, String orderNumber, String total, List<String> products,
                                         String email, String id) {
        assertEquals(200, r.status(), r.toString());
        assertEquals("Conversion tracked", r.message());
        assertEquals(orderNumber, r.text("orderNumber"));
        BigDecimal sent = r.decimal("total");
        assertNotNull(sent, r.toString());
        assertEquals(total, sent.toPlainString());
        assertEquals(products, r.list("productNumbers"));
        // one line per product, with its quantity and amount; here they add up to the total
        JsonNode lines = r.body().get("products");
        assertEquals(products.size(), lines.size(), r.toString());
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(products.get(i), lines.get(i).get("productNumber").asText());
            assertTrue(lines.get(i).get("quantity").asInt() >= 1, r.toString());
            sum = sum.add(lines.get(i).get("lineTotal").decimalValue());
        }
        assertEquals(0, sum.compareTo(sent), "the lines add up to the total: " + r);
        assertEquals(email, r.text("email"));
        assertEquals(id, r.text("trackingUserId"), "the id of the shopper's hello_retail_id cookie");
        assertEquals(StandInCollectorServlet.DEMO_WEBSITE_UUID, r.text("websiteUuid"));
    }

    private static void awaitNothingPending() {
        TrackerMetrics m = Await.until("the tracker to deliver everything", () -> server.tracker().metrics(),
                x -> x.pageViews().pending() == 0 && x.conversions().pending() == 0);
        assertEquals(0, m.pageViews().rejected() + m.pageViews().failed() + m.pageViews().dropped(), m.toString());
        assertEquals(0, m.conversions().rejected() + m.conversions().failed() + m.conversions().dropped(), m.toString());
        // the shop submits each order once: a second submission would be suppressed by the
        // library, so the collector alone could not tell
        assertEquals(0, m.conversions().duplicates(), m.toString());
    }

    /** The last cart of this visitor the stand-in received, or null. */
    private static Received lastCart(String id) {
        return log().of(Kind.CART).stream().filter(r -> id.equals(r.text("trackingUserId"))).reduce((a, b) -> b)
                .orElse(null);
    }

    private static CollectorLog log() {
        return CollectorLog.of(server.servletContext());
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    /** The whole page: the window is made as tall as the document first. */
    private static void screenshotWholePage(String name) throws IOException {
        Dimension size = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(1600, size.getHeight()));
        long height = (Long) ((JavascriptExecutor) browser).executeScript(
                "return Math.ceil(document.documentElement.scrollHeight)");
        browser.manage().window().setSize(new Dimension(1600, (int) Math.min(6000, height + 140)));
        try {
            screenshot(name);
        } finally {
            browser.manage().window().setSize(size);
        }
    }
}
