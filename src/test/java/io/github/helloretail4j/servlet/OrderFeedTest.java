package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.TestOrderSources.AUTHORIZATION;
import static io.github.helloretail4j.servlet.TestOrderSources.FAILURE;
import static io.github.helloretail4j.servlet.TestOrderSources.FIRST;
import static io.github.helloretail4j.servlet.TestOrderSources.FIRST_JSON;
import static io.github.helloretail4j.servlet.TestOrderSources.SECOND;
import static io.github.helloretail4j.servlet.TestOrderSources.SECOND_JSON;
import static io.github.helloretail4j.servlet.TestOrderSources.basic;
import static io.github.helloretail4j.servlet.TestOrderSources.gunzip;
import static io.github.helloretail4j.servlet.TestOrderSources.PASSWORD;
import static io.github.helloretail4j.servlet.TestOrderSources.USER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.feed.OrderSource;
import io.github.helloretail4j.testing.LogCapture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The feed's answers, without a container: what each request gets, byte for byte. */
class OrderFeedTest {

    static final ZoneId COPENHAGEN = ZoneId.of("Europe/Copenhagen");
    static final Instant NOW = Instant.parse("2024-05-12T10:04:05Z");

    /** A request and response held in fields; the response commits once {@code buffer} bytes were written. */
    static final class Exchange implements OrderFeed.Exchange {
        String method = "GET";
        final Map<String, String> requestHeaders = new HashMap<>();
        final Map<String, String[]> parameters = new HashMap<>();
        int status = 200;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int buffer = 8192;
        /** Writes fail once this many bytes went out: a client that went away. */
        long failAfter = Long.MAX_VALUE;
        boolean committed;

        Exchange() {
            requestHeaders.put("Authorization", AUTHORIZATION);
        }

        Exchange param(String name, String... values) {
            parameters.put(name, values);
            return this;
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String header(String name) {
            return requestHeaders.get(name);
        }

        @Override
        public String[] parameter(String name) {
            return parameters.get(name);
        }

        @Override
        public void status(int status) {
            this.status = status;
        }

        @Override
        public void header(String name, String value) {
            headers.put(name, value);
        }

        @Override
        public OutputStream body() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (body.size() + len > failAfter) {
                        throw new IOException("Broken pipe");
                    }
                    body.write(b, off, len);
                    committed |= body.size() > buffer;
                }
            };
        }

        @Override
        public boolean isCommitted() {
            return committed;
        }

        @Override
        public void reset() {
            if (committed) {
                throw new IllegalStateException("committed");
            }
            status = 200;
            headers.clear();
            body.reset();
        }
    }

    private static OrderFeed feed(OrderSource source, ZoneId zone, Instant now) {
        return new OrderFeed(new OrderFeed.Config(source, USER, PASSWORD, zone), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static Exchange serve(OrderSource source, Exchange exchange) throws IOException {
        feed(source, COPENHAGEN, NOW).serve(exchange);
        return exchange;
    }

    @Test
    void serve_orders_writesHelloRetailsFormatExactly() throws IOException {
        var source = TestOrderSources.fixed(List.of(SECOND, FIRST));
        Exchange ex = serve(source, new Exchange());
        assertEquals(200, ex.status);
        assertEquals("[" + FIRST_JSON + "," + SECOND_JSON + "]", ex.text());
        assertEquals(Map.of("Content-Type", "application/json", "Cache-Control", "no-store",
                "Vary", "Accept-Encoding"), ex.headers);
        assertEquals(1, source.closed.get());
    }

    @Test
    void serve_emptyWindow_writesAnEmptyArray() throws IOException {
        var source = TestOrderSources.fixed(List.of(FIRST));
        Exchange ex = new Exchange();
        feed(source, COPENHAGEN, Instant.parse("2024-06-30T12:00:00Z")).serve(ex.param("daysBack", "0"));
        assertEquals(200, ex.status);
        assertEquals("[]", ex.text());
        assertEquals(1, source.closed.get());
    }

    @Test
    void serve_noDaysBack_isTodayAndTheThreeDaysBeforeInTheZone() throws IOException {
        var source = TestOrderSources.fixed(List.of());
        serve(source, new Exchange());
        assertEquals(Instant.parse("2024-05-08T22:00:00Z"), source.from());
        assertEquals(NOW, source.to());
    }

    @ParameterizedTest
    @CsvSource({
        "0, 2024-05-11T22:00:00Z",     // today so far: since midnight in Copenhagen (CEST, UTC+2)
        "1, 2024-05-10T22:00:00Z",     // yesterday and today
        "3650, 2014-05-14T22:00:00Z"}) // the bound: ten years of days
    void serve_daysBack_startsAtMidnightThatManyDaysAgo(String daysBack, String from) throws IOException {
        var source = TestOrderSources.fixed(List.of());
        serve(source, new Exchange().param("daysBack", daysBack));
        assertEquals(Instant.parse(from), source.from());
        assertEquals(NOW, source.to());
    }

    @ParameterizedTest
    @ValueSource(strings = {"3651", "-1", "+3", " 3", "1.5", "3e2", "", "abc", "99999999999999999999", "٣"})
    void serve_badDaysBack_answers400NamingTheParameterAndTheValue(String value) throws IOException {
        var source = TestOrderSources.fixed(List.of(FIRST));
        Exchange ex = serve(source, new Exchange().param("daysBack", value));
        assertEquals(400, ex.status);
        assertEquals("daysBack must be a whole number from 0 to 3650: \"" + value + "\"", ex.text());
        assertEquals("text/plain;charset=UTF-8", ex.headers.get("Content-Type"));
        assertEquals("no-store", ex.headers.get("Cache-Control"));
        assertEquals(List.of(), source.windows);
    }

    @Test
    void serve_badParameters_answer400NamingEach() throws IOException {
        var source = TestOrderSources.fixed(List.of(FIRST));
        assertEquals("daysBack must be given once: \"1\", \"90\"",
                serve(source, new Exchange().param("daysBack", "1", "90")).text());
        assertEquals("daysBack must be a whole number from 0 to 3650: \"1\\r\\nX-Injected: yes\"",
                serve(source, new Exchange().param("daysBack", "1\r\nX-Injected: yes")).text());
        assertEquals("page must be a whole number, 1 or more: \"0\"", serve(source, new Exchange().param("page", "0")).text());
        assertEquals("page must be a whole number, 1 or more: \"2147483648\"",
                serve(source, new Exchange().param("page", "2147483648")).text());
        assertEquals("pageSize must be a whole number from 1 to 10000: \"0\"",
                serve(source, new Exchange().param("pageSize", "0")).text());
        assertEquals("pageSize must be a whole number from 1 to 10000: \"10001\"",
                serve(source, new Exchange().param("pageSize", "10001")).text());
        assertEquals("pageSize must be a whole number from 1 to 10000: \"all\"",
                serve(source, new Exchange().param("pageSize", "all")).text());
        assertEquals(List.of(), source.windows);
    }

    @Test
    void serve_pages_areConsecutiveSlicesFromPageOne() throws IOException {
        var source = TestOrderSources.generated(5, false);
        ObjectMapper json = new ObjectMapper();
        String[] pages = new String[5];
        for (int page = 1; page <= 4; page++) {
            Exchange ex = serve(source, new Exchange().param("page", Integer.toString(page)).param("pageSize", "2"));
            StringBuilder numbers = new StringBuilder();
            json.readTree(ex.text()).forEach(o -> numbers.append(o.get("orderNumber").asText()).append(' '));
            pages[page] = numbers.toString().strip();
        }
        assertEquals("o-0 o-1", pages[1]);
        assertEquals("o-2 o-3", pages[2]);
        assertEquals("o-4", pages[3]);
        assertEquals("", pages[4]);
        assertEquals(4, source.closed.get());
        // Without pageSize, everything is page 1 and what follows is empty, without asking the source.
        assertEquals(5, json.readTree(serve(source, new Exchange().param("page", "1")).text()).size());
        assertEquals("[]", serve(source, new Exchange().param("page", "2")).text());
        assertEquals(5, source.windows.size());
    }

    /**
     * Copenhagen went from CET (UTC+1) to CEST (UTC+2) at 2024-03-31T01:00Z and back at
     * 2024-10-27T01:00Z. The day, and so the window, follows the feed's zone; the dates are
     * written in it, and Hello Retail's format has no offset: in autumn one hour comes twice.
     */
    @Test
    void serve_zone_decidesTheDaysAndTheDatesAroundDaylightSavingChanges() throws IOException {
        FeedOrder beforeMidnightUtc = TestOrderSources.order(1, Instant.parse("2024-03-30T23:30:00Z"));
        FeedOrder beforeChange = TestOrderSources.order(2, Instant.parse("2024-03-31T00:30:00Z"));
        FeedOrder afterChange = TestOrderSources.order(3, Instant.parse("2024-03-31T01:30:00Z"));
        var spring = TestOrderSources.fixed(List.of(beforeMidnightUtc, beforeChange, afterChange));
        Instant noon = Instant.parse("2024-03-31T12:00:00Z");

        Exchange copenhagen = new Exchange().param("daysBack", "0");
        feed(spring, COPENHAGEN, noon).serve(copenhagen);
        assertEquals(Instant.parse("2024-03-30T23:00:00Z"), spring.from()); // midnight CET
        assertEquals(List.of("2024-03-31 00:30:00", "2024-03-31 01:30:00", "2024-03-31 03:30:00"), dates(copenhagen));

        Exchange utc = new Exchange().param("daysBack", "0");
        feed(spring, ZoneOffset.UTC, noon).serve(utc);
        assertEquals(Instant.parse("2024-03-31T00:00:00Z"), spring.from());
        assertEquals(List.of("2024-03-31 00:30:00", "2024-03-31 01:30:00"), dates(utc));

        feed(spring, COPENHAGEN, noon).serve(new Exchange().param("daysBack", "1"));
        assertEquals(Instant.parse("2024-03-29T23:00:00Z"), spring.from()); // a day of 23 hours after it

        FeedOrder firstHalfPastTwo = TestOrderSources.order(4, Instant.parse("2024-10-27T00:30:00Z"));
        FeedOrder secondHalfPastTwo = TestOrderSources.order(5, Instant.parse("2024-10-27T01:30:00Z"));
        var autumn = TestOrderSources.fixed(List.of(firstHalfPastTwo, secondHalfPastTwo));
        Exchange fallBack = new Exchange().param("daysBack", "0");
        feed(autumn, COPENHAGEN, Instant.parse("2024-10-27T12:00:00Z")).serve(fallBack);
        assertEquals(Instant.parse("2024-10-26T22:00:00Z"), autumn.from()); // midnight CEST
        assertEquals(List.of("2024-10-27 02:30:00", "2024-10-27 02:30:00"), dates(fallBack));
        Exchange fallBackUtc = new Exchange().param("daysBack", "0");
        feed(autumn, ZoneOffset.UTC, Instant.parse("2024-10-27T12:00:00Z")).serve(fallBackUtc);
        assertEquals(List.of("2024-10-27 00:30:00", "2024-10-27 01:30:00"), dates(fallBackUtc));
    }

    private static List<String> dates(Exchange ex) throws JsonProcessingException {
        List<String> dates = new java.util.ArrayList<>();
        new ObjectMapper().readTree(ex.text()).forEach(o -> dates.add(o.get("date").asText()));
        return dates;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Basic", "Basic ", "Bearer ZmVlZA==", "Basic !!!!", "Basic aGVsbG9yZXRhaWw=",
        "Digest username=\"helloretail\""})
    void serve_missingOrMalformedCredentials_answer401WithTheChallengeAlone(String authorization) throws IOException {
        Exchange ex = new Exchange();
        if (authorization.isEmpty()) {
            ex.requestHeaders.remove("Authorization");
        } else {
            ex.requestHeaders.put("Authorization", authorization);
        }
        assertUnauthorized(ex);
    }

    @ParameterizedTest
    @ValueSource(strings = {"helloretail:wrong-password", "Helloretail:" + PASSWORD, "shop:" + PASSWORD,
        "helloretail:" + PASSWORD + " ", "helloretail:", ":" + PASSWORD, "helloretail:" + PASSWORD + PASSWORD})
    void serve_wrongUserOrPassword_answers401WithTheChallengeAlone(String credentials) throws IOException {
        Exchange ex = new Exchange();
        ex.requestHeaders.put("Authorization", basic(credentials));
        assertUnauthorized(ex);
    }

    private static void assertUnauthorized(Exchange ex) throws IOException {
        var source = TestOrderSources.fixed(List.of(FIRST));
        serve(source, ex.param("daysBack", "nonsense"));
        assertEquals(401, ex.status);
        assertEquals(Map.of("WWW-Authenticate", "Basic realm=\"Hello Retail order feed\", charset=\"UTF-8\"",
                "Content-Length", "0"), ex.headers);
        assertEquals("", ex.text());
        assertEquals(List.of(), source.windows);
    }

    @Test
    void serve_rightCredentials_acceptAnyCaseOfTheSchemeAndUtf8() throws IOException {
        var source = TestOrderSources.fixed(List.of());
        Exchange ex = new Exchange();
        ex.requestHeaders.put("Authorization", "bAsIc   " + basic(USER + ":" + PASSWORD).substring(6));
        assertEquals(200, serve(source, ex).status);
        OrderFeed unicode = new OrderFeed(new OrderFeed.Config(source, "bøger", "adgangskode-æøå:1", COPENHAGEN));
        Exchange utf8 = new Exchange();
        utf8.requestHeaders.put("Authorization", basic("bøger:adgangskode-æøå:1"));
        unicode.serve(utf8);
        assertEquals(200, utf8.status);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "HEAD", "PUT", "DELETE", "OPTIONS"})
    void serve_otherMethods_answer405AllowingGet(String method) throws IOException {
        var source = TestOrderSources.fixed(List.of(FIRST));
        Exchange ex = new Exchange();
        ex.method = method;
        serve(source, ex);
        assertEquals(405, ex.status);
        assertEquals(Map.of("Allow", "GET", "Cache-Control", "no-store", "Content-Length", "0"), ex.headers);
        assertEquals(List.of(), source.windows);
    }

    @Test
    void serve_clientAcceptingGzip_getsTheSameJsonGzipped() throws IOException {
        var source = TestOrderSources.fixed(List.of(FIRST, SECOND));
        Exchange ex = new Exchange();
        ex.requestHeaders.put("Accept-Encoding", "gzip, deflate, br");
        serve(source, ex);
        assertEquals("gzip", ex.headers.get("Content-Encoding"));
        assertEquals("Accept-Encoding", ex.headers.get("Vary"));
        assertEquals("no-store", ex.headers.get("Cache-Control"));
        assertEquals("[" + FIRST_JSON + "," + SECOND_JSON + "]", gunzip(ex.body.toByteArray()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gzip | true", "GZIP | true", "x-gzip | true", "deflate, gzip;q=0.5 | true", "*  | true", "br, *;q=0.1 | true",
        "gzip;q=0 | false", "gzip; q=0.000 | false", "*;q=0.5, gzip;q=0 | false", "identity | false", "br | false",
        "'' | false", "gzip;q=nonsense | false", "gzipped | false"})
    void acceptsGzip_followsTheWeights(String header, boolean expected) {
        assertEquals(expected, OrderFeed.acceptsGzip(header));
    }

    @Test
    void acceptsGzip_noHeader_isFalse() {
        assertFalse(OrderFeed.acceptsGzip(null));
    }

    @Test
    void serve_sourceFailingBeforeAnythingWentOut_answers500AndClosesTheStream() throws IOException {
        var source = TestOrderSources.generated(3, true);
        Exchange ex = new Exchange();
        ex.requestHeaders.put("Accept-Encoding", "gzip");
        try (LogCapture log = new LogCapture()) {
            serve(source, ex);
            assertTrue(log.text().contains("WARN io.github.helloretail4j.feed - order feed: the order source failed"
                    + " after 3 orders, from 2024-05-08T22:00:00Z (daysBack=3, page=1)"), log.text());
            assertTrue(log.text().contains("java.lang.IllegalStateException: " + FAILURE), log.text());
        }
        assertEquals(500, ex.status);
        assertEquals("The order feed could not be read; the shop's log says why.", ex.text());
        assertEquals(Map.of("Content-Type", "text/plain;charset=UTF-8", "Cache-Control", "no-store",
                "Content-Length", "58"), ex.headers);
        assertEquals(1, source.closed.get());
    }

    @Test
    void serve_sourceThatCannotStart_answers500() throws IOException {
        Exchange ex = serve((from, to) -> {
            throw new IllegalStateException("order feed: no connection from the data source");
        }, new Exchange());
        assertEquals(500, ex.status);
        assertEquals("The order feed could not be read; the shop's log says why.", ex.text());
    }

    @Test
    void serve_sourceFailingAfterTheAnswerBegan_throwsAndLeavesTheArrayOpen() throws IOException {
        var source = TestOrderSources.generated(2000, true);
        Exchange ex = new Exchange();
        IOException e = assertThrows(IOException.class, () -> serve(source, ex));
        assertEquals("order feed aborted after 2000 orders: the order source failed (IllegalStateException: "
                + FAILURE + ")", e.getMessage());
        assertTrue(ex.committed);
        String body = ex.text();
        assertTrue(body.startsWith("[{\"total\":1299.90,\"orderNumber\":\"o-0\""), body.substring(0, 100));
        assertFalse(body.endsWith("]"), body.substring(body.length() - 100));
        assertThrows(JsonProcessingException.class, () -> new ObjectMapper().readTree(body));
        assertEquals(1, source.closed.get());
    }

    @Test
    void serve_sourceFailingAfterGzippedAnswerBegan_leavesTheGzipStreamUnfinished() throws IOException {
        var source = TestOrderSources.generated(20_000, true);
        Exchange ex = new Exchange();
        ex.requestHeaders.put("Accept-Encoding", "gzip");
        assertThrows(IOException.class, () -> serve(source, ex));
        assertTrue(ex.committed);
        var failure = assertThrows(IOException.class, () -> gunzip(ex.body.toByteArray()));
        assertTrue(failure instanceof java.io.EOFException || failure instanceof ZipException, failure.toString());
        assertEquals(1, source.closed.get());
    }

    @Test
    void serve_clientGoneMidFeed_rethrowsAndClosesTheStream() throws IOException {
        var source = TestOrderSources.generated(Long.MAX_VALUE, false);
        Exchange ex = new Exchange();
        ex.failAfter = 100_000;
        try (LogCapture log = new LogCapture()) {
            IOException e = assertThrows(IOException.class, () -> serve(source, ex));
            assertEquals("Broken pipe", e.getMessage());
            assertTrue(log.text().contains("INFO io.github.helloretail4j.feed - order feed: the client stopped reading"
                    + " after "), log.text());
        }
        assertEquals(1, source.closed.get());
    }

    @Test
    void serve_whole_logsHowManyOrdersAtInfo() throws IOException {
        try (LogCapture log = new LogCapture()) {
            serve(TestOrderSources.generated(7, false), new Exchange().param("daysBack", "1").param("pageSize", "5"));
            assertTrue(log.text().contains("INFO io.github.helloretail4j.feed - order feed: 5 orders from"
                    + " 2024-05-10T22:00:00Z (daysBack=1, page=1, pageSize=5) in "), log.text());
            assertFalse(log.text().contains(PASSWORD), log.text());
        }
    }

    @Test
    void config_toString_masksThePassword() {
        var config = new OrderFeed.Config(TestOrderSources.fixed(List.of()), USER, PASSWORD, COPENHAGEN);
        assertFalse(config.toString().contains(PASSWORD), config.toString());
        assertTrue(config.toString().endsWith(", user=helloretail, password=****, zone=Europe/Copenhagen]"),
                config.toString());
        assertFalse(new OrderFeed(config).toString().contains(PASSWORD));
    }

    @Test
    void config_badValues_nameTheFieldAndNeverThePassword() {
        OrderSource source = TestOrderSources.fixed(List.of());
        assertEquals("password is required: the order feed is served only with one", assertThrows(
                IllegalStateException.class, () -> new OrderFeed.Config(source, USER, null, COPENHAGEN)).getMessage());
        assertEquals("password must be at least 8 characters without control characters (the value is not shown)",
                assertThrows(IllegalArgumentException.class,
                        () -> new OrderFeed.Config(source, USER, "secret7", COPENHAGEN)).getMessage());
        assertEquals("password must be at least 8 characters without control characters (the value is not shown)",
                assertThrows(IllegalArgumentException.class,
                        () -> new OrderFeed.Config(source, USER, "secret\n12345", COPENHAGEN)).getMessage());
        assertEquals("user must be 1 to 256 characters without ':' or control characters: \"hello:retail\"",
                assertThrows(IllegalArgumentException.class,
                        () -> new OrderFeed.Config(source, "hello:retail", PASSWORD, COPENHAGEN)).getMessage());
        assertEquals("user must be 1 to 256 characters without ':' or control characters: \"\"",
                assertThrows(IllegalArgumentException.class,
                        () -> new OrderFeed.Config(source, "", PASSWORD, COPENHAGEN)).getMessage());
        assertEquals("source is required", assertThrows(IllegalStateException.class,
                () -> new OrderFeed.Config(null, USER, PASSWORD, COPENHAGEN)).getMessage());
        assertEquals("zone is required", assertThrows(IllegalStateException.class,
                () -> new OrderFeed.Config(source, USER, PASSWORD, null)).getMessage());
    }

    @Test
    void authorized_comparesUserAndPasswordBytes() {
        byte[] user = USER.getBytes(StandardCharsets.UTF_8);
        byte[] password = PASSWORD.getBytes(StandardCharsets.UTF_8);
        assertTrue(OrderFeed.authorized(AUTHORIZATION, user, password));
        assertFalse(OrderFeed.authorized(basic(USER + ":" + PASSWORD.substring(1)), user, password));
        assertFalse(OrderFeed.authorized(basic(USER + "x:" + PASSWORD), user, password));
        assertFalse(OrderFeed.authorized(basic(USER + PASSWORD), user, password));
        assertFalse(OrderFeed.authorized("Basic " + Base64.getEncoder().encodeToString(
                (USER + ":" + PASSWORD).getBytes(StandardCharsets.ISO_8859_1)) + "=", user, password));
    }
}
