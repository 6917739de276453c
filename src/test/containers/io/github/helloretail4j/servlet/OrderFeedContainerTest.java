package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.TestOrderSources.AUTHORIZATION;
import static io.github.helloretail4j.servlet.TestOrderSources.FIRST;
import static io.github.helloretail4j.servlet.TestOrderSources.FIRST_JSON;
import static io.github.helloretail4j.servlet.TestOrderSources.SECOND;
import static io.github.helloretail4j.servlet.TestOrderSources.SECOND_JSON;
import static io.github.helloretail4j.servlet.TestOrderSources.basic;
import static io.github.helloretail4j.servlet.TestOrderSources.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The order feed deployed on Jetty and Tomcat, registered in code, and asked over real HTTP:
 * what Hello Retail's fetcher gets, and what a client sees when the feed breaks off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFeedContainerTest {

    private static final String FEED = "/shop" + OrderFeedTestListener.PATH;
    private static final String AUTH = "Authorization: " + AUTHORIZATION;

    private Containers.EachKind containers;
    @TempDir
    static Path temp;
    private int counter;

    @BeforeAll
    void start() throws Exception {
        containers = new Containers.EachKind()
                .deployOnEach(kind -> FeedWebApp.registered().write(temp.resolve(kind.name())), "/shop");
    }

    @AfterAll
    void stop() throws Exception {
        containers.close();
    }

    private int port(Containers.Kind kind) {
        return containers.get(kind).port();
    }

    /** A GET with these headers, its chunked body decoded. */
    private RawHttp.Response get(Containers.Kind kind, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        List<RawHttp.Response> responses = RawHttp.exchange(port(kind),
                request.toString().getBytes(StandardCharsets.ISO_8859_1), 20_000);
        assertEquals(1, responses.size());
        return responses.get(0);
    }

    /** Serves these orders whatever the window. */
    private static TestOrderSources.Recording serving(FeedOrder... orders) {
        var source = new TestOrderSources.Recording((from, to) -> Stream.of(orders));
        TestOrderSources.current.set(source);
        return source;
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_withCredentials_answersTheOrdersInHelloRetailsFormat(Containers.Kind kind) throws IOException {
        var source = serving(FIRST, SECOND);
        var response = get(kind, FEED, AUTH);
        assertEquals(200, response.status());
        assertEquals("[" + FIRST_JSON + "," + SECOND_JSON + "]", response.body());
        assertEquals(List.of("application/json"), response.header("Content-Type"));
        assertEquals(List.of("no-store"), response.header("Cache-Control"));
        assertEquals(List.of("Accept-Encoding"), response.header("Vary"));
        assertEquals(List.of(), response.header("Content-Encoding"));
        assertEquals(1, source.closed.get());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_daysBack_asksForTheWindowFromMidnightInTheZone(Containers.Kind kind) throws IOException {
        var source = serving();
        ZoneId copenhagen = ZoneId.of("Europe/Copenhagen");
        Instant before = Instant.now();
        assertEquals("[]", get(kind, FEED + "?daysBack=0", AUTH).body());
        Instant after = Instant.now();
        // A request across midnight would start a day later: either is right.
        assertTrue(List.of(LocalDate.ofInstant(before, copenhagen), LocalDate.ofInstant(after, copenhagen))
                .contains(LocalDate.ofInstant(source.from(), copenhagen)), source.from().toString());
        assertEquals(source.from(), LocalDate.ofInstant(source.from(), copenhagen).atStartOfDay(copenhagen).toInstant());
        assertFalse(source.to().isBefore(before) || source.to().isAfter(after), source.to().toString());

        assertEquals("[]", get(kind, FEED + "?daysBack=3650", AUTH).body());
        assertEquals(LocalDate.ofInstant(source.to(), copenhagen).minusDays(3650),
                LocalDate.ofInstant(source.from(), copenhagen));
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_badParameter_answers400InPlainText(Containers.Kind kind) throws IOException {
        var source = serving(FIRST);
        var response = get(kind, FEED + "?daysBack=%2B3%0A", AUTH);
        assertEquals(400, response.status());
        assertEquals("daysBack must be a whole number from 0 to 3650: \"+3\\n\"", response.body());
        assertEquals("text/plain;charset=utf-8", response.header("Content-Type").get(0).toLowerCase().replace(" ", ""));
        assertEquals(List.of("no-store"), response.header("Cache-Control"));
        assertEquals(400, get(kind, FEED + "?pageSize=10001", AUTH).status());
        assertEquals(List.of(), source.windows);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_pages_answerSlicesOfTheFeed(Containers.Kind kind) throws IOException {
        TestOrderSources.current.set(TestOrderSources.generated(5, false));
        String page2 = get(kind, FEED + "?page=2&pageSize=2", AUTH).body();
        assertTrue(page2.startsWith("[{\"total\":1299.90,\"orderNumber\":\"o-2\""), page2);
        assertTrue(page2.contains("},{\"total\":1299.90,\"orderNumber\":\"o-3\""), page2);
        assertFalse(page2.contains("\"o-4\""), page2);
        assertEquals("[]", get(kind, FEED + "?page=4&pageSize=2", AUTH).body());
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_withoutValidCredentials_answers401WithTheChallengeAndAnEmptyBody(Containers.Kind kind) throws IOException {
        var source = serving(FIRST);
        for (String[] headers : List.of(new String[0], new String[] {"Authorization: " + basic("helloretail:wrong")},
                new String[] {"Authorization: " + basic("shop:" + PASSWORD)},
                new String[] {"Authorization: Basic not*base64"}, new String[] {"Authorization: Bearer " + PASSWORD})) {
            var response = get(kind, FEED + "?daysBack=90", headers);
            assertEquals(401, response.status(), String.join(", ", headers));
            assertEquals(List.of("Basic realm=\"Hello Retail order feed\", charset=\"UTF-8\""),
                    response.header("WWW-Authenticate"));
            assertEquals("", response.body());
            assertEquals(List.of(), response.header("Content-Type"));
        }
        assertEquals(List.of(), source.windows);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void postOrHead_answer405(Containers.Kind kind) throws IOException {
        var source = serving(FIRST);
        var post = RawHttp.send(port(kind), "POST", FEED, AUTH);
        assertEquals(405, post.status());
        assertEquals(List.of("GET"), post.header("Allow"));
        assertEquals(405, RawHttp.send(port(kind), "HEAD", FEED, AUTH).status());
        assertEquals(List.of(), source.windows);
    }

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_acceptingGzip_answersTheSameJsonGzipped(Containers.Kind kind) throws IOException {
        serving(FIRST, SECOND);
        var response = get(kind, FEED, AUTH, "Accept-Encoding: gzip, deflate");
        assertEquals(200, response.status());
        assertEquals(List.of("gzip"), response.header("Content-Encoding"));
        assertEquals(List.of("Accept-Encoding"), response.header("Vary"));
        assertEquals("[" + FIRST_JSON + "," + SECOND_JSON + "]",
                TestOrderSources.gunzip(response.body().getBytes(StandardCharsets.ISO_8859_1)));
    }

    /**
     * The source fails after 2000 orders, long after the answer was committed: Hello Retail's
     * fetcher, like any client, must see a broken transfer, never a complete 200.
     */
    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_sourceFailingHalfWay_breaksTheTransferOff(Containers.Kind kind) throws Exception {
        var source = TestOrderSources.generated(2000, true);
        TestOrderSources.current.set(source);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(kind) + FEED))
                .header("Authorization", AUTHORIZATION).timeout(Duration.ofSeconds(20)).build();
        IOException failure = assertThrows(IOException.class,
                () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        assertFalse(failure instanceof java.net.http.HttpTimeoutException, failure.toString());

        String raw = rawResponse(port(kind), "GET " + FEED + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + "\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw.substring(0, 40));
        int head = raw.indexOf("\r\n\r\n");
        assertTrue(raw.substring(0, head).toLowerCase().contains("\r\ntransfer-encoding: chunked"), raw.substring(0, head));
        Chunks body = dechunk(raw.substring(head + 4));
        assertFalse(body.complete(), "a last chunk was sent");
        assertTrue(body.text().startsWith("[{\"total\":1299.90,\"orderNumber\":\"o-0\""), body.text().substring(0, 50));
        assertTrue(body.text().contains("{\"total\":1299.90,\"orderNumber\":\"o-1000\""), "orders before the failure");
        assertFalse(body.text().endsWith("]"), body.text().substring(body.text().length() - 100));
        assertEquals(2, source.closed.get());
    }

    /** A client that reads a little and hangs up: the source's stream is closed at the next write. */
    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void get_clientHangingUpMidFeed_closesTheSource(Containers.Kind kind) throws Exception {
        var source = TestOrderSources.generated(Long.MAX_VALUE, false);
        TestOrderSources.current.set(source);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port(kind)), 5000);
            socket.getOutputStream().write(("GET " + FEED + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] some = in.readNBytes(64 * 1024);
            assertEquals(64 * 1024, some.length);
        }
        long start = System.nanoTime();
        Await.until("the source's stream closed", Duration.ofSeconds(20), source.closed::get, n -> n == 1);
        System.out.printf("%s: source closed %d ms after the client hung up%n", kind,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** A chunked body as far as it came, and whether its last chunk came. */
    record Chunks(String text, boolean complete) {
    }

    static Chunks dechunk(String chunked) {
        StringBuilder text = new StringBuilder();
        int p = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", p);
            if (lineEnd < 0) {
                return new Chunks(text.toString(), false);
            }
            int size = Integer.parseInt(chunked.substring(p, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                return new Chunks(text.toString(), chunked.startsWith("\r\n", lineEnd + 2));
            }
            int end = Math.min(chunked.length(), lineEnd + 2 + size);
            text.append(chunked, lineEnd + 2, end);
            if (end < lineEnd + 2 + size) {
                return new Chunks(text.toString(), false);
            }
            p = end + 2;
        }
    }

    /** Everything the server sends until it closes or resets the connection. */
    static String rawResponse(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[65536];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    all.write(buffer, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // a reset ends the transfer as a close does
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
