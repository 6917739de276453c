package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.HelloRetailAnswers.Endpoint;
import io.github.helloretail4j.testkit.StandInCollector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Boot application on embedded Tomcat and a random port, started with command-line
 * properties (Boot knows their origin, as it knows a line of {@code application.properties}),
 * and a browser's requests to it. The filter counts curl's and HTTP libraries' user agents as
 * bots, so every request here says it is Chrome.
 */
final class Shop implements AutoCloseable {

    static final String ID = "62a0317d17698aa57d369db9";
    static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/124.0.0.0 Safari/537.36";
    static final Endpoint PAGEVIEW = Endpoint.PAGE_VIEW;
    static final Endpoint CONVERSION = Endpoint.CONVERSION;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final ConfigurableApplicationContext context;

    private Shop(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** A started application's pages. */
    static Shop of(ConfigurableApplicationContext context) {
        return new Shop(context);
    }

    /** The shop with the properties every test needs (collector, website, outbox) and {@code more}. */
    static Shop start(StandInCollector collector, Path outbox, String... more) {
        return startWith(new Class<?>[] {ShopApplication.class}, collector, outbox, more);
    }

    static Shop startWith(Class<?>[] sources, StandInCollector collector, Path outbox, String... more) {
        return new Shop(run(sources, args(collector, outbox, more)));
    }

    static String[] args(StandInCollector collector, Path outbox, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--helloretail.website-uuid=" + StandInCollector.WEBSITE_UUID,
                "--helloretail.endpoint=" + collector.endpoint(),
                "--helloretail.outbox-directory=" + outbox));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static ConfigurableApplicationContext run(Class<?>[] sources, String... args) {
        return new SpringApplicationBuilder(sources).run(args);
    }

    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    String base() {
        return "http://localhost:" + port();
    }

    /** A browser's GET with the visitor's {@code hello_retail_id} cookie; extra headers as name, value pairs. */
    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, Stream.concat(Stream.of("Cookie", "hello_retail_id=" + ID), Stream.of(headers))
                .toArray(String[]::new));
    }

    HttpResponse<String> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", BROWSER)
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]); // replaces: a test may set its own User-Agent
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An application's GET of its own Actuator endpoint (JSON). */
    HttpResponse<String> actuator(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/" + path))
                .timeout(Duration.ofSeconds(20)).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The page view the filter sends for a page at {@code location}. */
    static String pageView(String location, String referrer, String productNumber) {
        return "{\"location\":\"" + location + "\",\"trackingUserId\":\"" + ID + "\",\"websiteUuid\":\""
                + StandInCollector.WEBSITE_UUID + "\""
                + (referrer == null ? "" : ",\"referrer\":\"" + referrer + "\"")
                + (productNumber == null ? "" : ",\"productNumber\":\"" + productNumber + "\"") + "}";
    }

    /** Closes the context, then proves that no thread of the library outlived it. */
    @Override
    public void close() {
        context.close();
        assertNoThreadOfOurs();
    }

    /** Threads of the library are named after their tracker: helloretail4j-pageview, -io-N, -conversion, -trackinguser. */
    static void assertNoThreadOfOurs(String... trackerNames) {
        // and the name FastRetries gives its tracker
        List<String> prefixes = new ArrayList<>(List.of("helloretail4j", "shop-tracker"));
        prefixes.addAll(List.of(trackerNames));
        Await.until("no thread of the library after the context closed", Duration.ofSeconds(5),
                () -> Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                        .filter(n -> prefixes.stream().anyMatch(n::startsWith)).sorted().toList(),
                List::isEmpty);
    }

    /** How often each order number was accepted (answered 200) at {@code collect/conversion}. */
    static Map<String, Long> acceptedOrders(StandInCollector collector) {
        return collector.requests(CONVERSION).stream().filter(r -> r.status() == 200)
                .collect(Collectors.groupingBy(r -> r.json().get("orderNumber").asText(), Collectors.counting()));
    }
}
