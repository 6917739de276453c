package io.github.helloretail4j.servlet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.feed.OrderSource;
import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Messages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order feed's HTTP answer, for any servlet generation: authentication, the request
 * parameters, and the orders written in Hello Retail's JSON format as they come from the
 * {@link OrderSource}. The servlet adapters only hand it an {@link Exchange}.
 *
 * <p>What a request gets, in this order:
 * <ol>
 * <li>401 with {@code WWW-Authenticate} and an empty body, without HTTP Basic credentials that
 *     match the configured user and password;</li>
 * <li>405 with {@code Allow: GET} for any other method (HEAD too: it would run the query);</li>
 * <li>400, plain text naming the parameter and echoing the value, for a bad {@code daysBack},
 *     {@code page} or {@code pageSize};</li>
 * <li>200 with the orders, gzipped when the client accepts it, or 500 when the source failed
 *     before anything was sent; a source that fails after the answer began aborts it (below).</li>
 * </ol>
 *
 * <p>The window: {@code daysBack} whole calendar days in the feed's zone before today, and today
 * until now: from midnight {@code daysBack} days ago to this moment. So {@code daysBack=0} is
 * today so far, and the default 3 is today and the three days before; a feed fetched once a
 * day still overlaps the last fetch by days.
 *
 * <p>A failure after the first bytes went out must not look like a short feed: the array is left
 * open, a gzip stream without its trailer, and the exception goes to the container, which then
 * ends the connection without the chunked encoding's last chunk. Every client sees an error;
 * Hello Retail never imports half a feed as the whole.
 */
final class OrderFeed {

    static final String CHALLENGE = "Basic realm=\"Hello Retail order feed\", charset=\"UTF-8\"";
    static final int DEFAULT_DAYS_BACK = 3;
    /**
     * Ten years: history beyond that is of no use to recommendations, and a bound keeps an absurd
     * value (daysBack=99999999) from running a scan of every order a shop ever had, or from
     * overflowing the date arithmetic.
     */
    static final int MAX_DAYS_BACK = 3650;
    /** Pages are for clients that hold a page at a time; the whole feed is served without pageSize. */
    static final int MAX_PAGE_SIZE = 10_000;
    static final long MAX_PAGE = Integer.MAX_VALUE;
    static final String JSON = "application/json";
    static final String TEXT = "text/plain;charset=UTF-8";

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.feed");
    /**
     * Jackson's default buffer recycling keeps a ThreadLocal on the container's threads, which
     * outlive an undeployed application and would keep its class loader; a pool of its own
     * avoids that (as the tracker's Json does).
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            // A failed feed must stay an unclosed array, whatever closes the generator.
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    private static final Base64.Decoder BASE64 = Base64.getDecoder();

    /** A request and its response, as the feed uses them; each servlet layer delegates. */
    interface Exchange {
        String method();

        /** The first value of a request header, or null. */
        String header(String name);

        /** Every value of a query parameter, or null when it is not given. */
        String[] parameter(String name);

        void status(int status);

        /** Sets a response header, replacing any of that name. */
        void header(String name, String value);

        /** The response's body; the first write may commit the status and headers. */
        OutputStream body() throws IOException;

        boolean isCommitted();

        /** Forgets status, headers and what is buffered of the body; only before the response is committed. */
        void reset();
    }

    /**
     * The feed's settings, validated here, whoever gives them (the servlet's builder, its
     * init-params, later the settings table). {@link #toString()} never shows the password.
     */
    record Config(OrderSource source, String user, String password, ZoneId zone) {
        static final int MIN_PASSWORD_LENGTH = 8;

        Config {
            if (source == null) {
                throw new IllegalStateException("source is required");
            }
            if (password == null) {
                throw new IllegalStateException("password is required: the order feed is served only with one");
            }
            if (passwordProblem(password) != null) {
                throw new IllegalArgumentException("password " + passwordProblem(password) + " (the value is not shown)");
            }
            if (user == null) {
                throw new IllegalStateException("user is required");
            }
            if (userProblem(user) != null) {
                throw new IllegalArgumentException("user " + userProblem(user) + ": " + Messages.echo(user));
            }
            if (zone == null) {
                throw new IllegalStateException("zone is required");
            }
        }

        /** What is wrong with a password, or null; never shows it, since a message ends up in logs. */
        static String passwordProblem(String password) {
            return password.length() < MIN_PASSWORD_LENGTH || password.chars().anyMatch(Character::isISOControl)
                    ? "must be at least " + MIN_PASSWORD_LENGTH + " characters without control characters"
                    : null;
        }

        /** What is wrong with a user name, or null (the caller shows the name). RFC 7617: a colon would end the user-id. */
        static String userProblem(String user) {
            return user.isEmpty() || user.indexOf(':') >= 0 || user.length() > Fields.MAX_TEXT_LENGTH
                    || user.chars().anyMatch(Character::isISOControl)
                    ? "must be 1 to " + Fields.MAX_TEXT_LENGTH + " characters without ':' or control characters"
                    : null;
        }

        @Override
        public String toString() {
            return "OrderFeed.Config[source=" + source + ", user=" + user + ", password=****, zone=" + zone + "]";
        }
    }

    /**
     * The parameters of one request, checked. Pages count from 1; without {@code pageSize} the
     * whole window is page 1 and every later page is empty.
     *
     * @param pageSize 0 when not given: all orders
     */
    record Query(int daysBack, long page, int pageSize) {
        /** True when the page lies beyond every order: no need to ask the source. */
        boolean isEmpty() {
            return pageSize == 0 && page > 1;
        }

        /** Orders to pass over before the page. */
        long skip() {
            return pageSize == 0 ? 0 : (page - 1) * pageSize;
        }

        long limit() {
            return pageSize == 0 ? Long.MAX_VALUE : pageSize;
        }
    }

    /** A request parameter that is not accepted; the message names it and echoes the value. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private final OrderSource source;
    private final byte[] user;
    private final byte[] password;
    private final ZoneId zone;
    private final DateTimeFormatter dates;
    private final Clock clock;
    private final String description;

    OrderFeed(Config config) {
        this(config, Clock.systemUTC());
    }

    OrderFeed(Config config, Clock clock) {
        this.source = config.source();
        this.user = config.user().getBytes(StandardCharsets.UTF_8);
        this.password = config.password().getBytes(StandardCharsets.UTF_8);
        this.zone = config.zone();
        this.dates = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(zone);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.description = config.toString();
    }

    void serve(Exchange exchange) throws IOException {
        if (!authorized(exchange.header("Authorization"), user, password)) {
            exchange.status(401);
            exchange.header("WWW-Authenticate", CHALLENGE);
            exchange.header("Content-Length", "0");
            return;
        }
        if (!"GET".equals(exchange.method())) {
            exchange.status(405);
            exchange.header("Allow", "GET");
            exchange.header("Cache-Control", "no-store");
            exchange.header("Content-Length", "0");
            return;
        }
        Query query;
        try {
            query = query(exchange::parameter);
        } catch (BadRequest e) {
            text(exchange, 400, e.getMessage());
            return;
        }
        write(exchange, query, acceptsGzip(exchange.header("Accept-Encoding")));
    }

    private void write(Exchange exchange, Query query, boolean gzip) throws IOException {
        Instant to = clock.instant();
        Instant from = start(to, query.daysBack(), zone);
        long started = System.nanoTime();
        long written = 0;
        exchange.status(200);
        exchange.header("Content-Type", JSON);
        exchange.header("Cache-Control", "no-store");
        exchange.header("Vary", "Accept-Encoding");
        if (gzip) {
            exchange.header("Content-Encoding", "gzip");
        }
        try (Stream<FeedOrder> orders = query.isEmpty() ? Stream.empty()
                : source.orders(from, to, query.skip(), query.limit())) {
            OutputStream body = exchange.body();
            GZIPOutputStream zipped = gzip ? new FastGzip(body) : null;
            JsonGenerator json = FACTORY.createGenerator(zipped != null ? zipped : body);
            json.writeStartArray();
            for (Iterator<FeedOrder> i = orders.iterator(); i.hasNext(); written++) {
                order(json, i.next());
            }
            json.writeEndArray();
            json.close();
            if (zipped != null) {
                zipped.finish();
            }
        } catch (IOException e) {
            // Writing failed: the client went away, or stopped reading until the container's
            // idle timeout. The stream is closed already, so the source holds nothing any more.
            LOG.info("order feed: the client stopped reading after {} orders ({})", written, Messages.describe(e));
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("order feed: the order source failed after {} orders, from {} (daysBack={}, page={})",
                    written, from, query.daysBack(), query.page(), e);
            if (!exchange.isCommitted()) {
                exchange.reset();
                text(exchange, 500, "The order feed could not be read; the shop's log says why.");
                return;
            }
            throw new IOException("order feed aborted after " + written + " orders: the order source failed ("
                    + Messages.describe(e) + ")", e);
        }
        if (LOG.isInfoEnabled()) {
            LOG.info("order feed: {} orders from {} (daysBack={}, page={}{}) in {} ms", written, from,
                    query.daysBack(), query.page(), query.pageSize() == 0 ? "" : ", pageSize=" + query.pageSize(),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** One order, in the field order of Hello Retail's example; fields without a value left out. */
    private void order(JsonGenerator json, FeedOrder order) throws IOException {
        json.writeStartObject();
        json.writeFieldName("total");
        // Plain notation, so 1E+3 goes out as 1000 and 499.30 keeps its scale.
        json.writeNumber(order.total().toPlainString());
        json.writeStringField("orderNumber", order.orderNumber());
        json.writeStringField("email", order.email());
        String customerId = order.customerId().orElse(null);
        if (customerId != null) {
            json.writeStringField("customerId", customerId);
        }
        json.writeStringField("date", dates.format(order.date()));
        json.writeArrayFieldStart("products");
        for (OrderLine line : order.lines()) {
            json.writeStartObject();
            String productNumber = line.productNumber().orElse(null);
            if (productNumber != null) {
                json.writeStringField("productNumber", productNumber);
            }
            String url = line.url().orElse(null);
            if (url != null) {
                json.writeStringField("url", url);
            }
            json.writeNumberField("quantity", line.quantity());
            json.writeFieldName("lineTotal");
            json.writeNumber(line.lineTotal().toPlainString());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void text(Exchange exchange, int status, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        exchange.status(status);
        exchange.header("Content-Type", TEXT);
        exchange.header("Cache-Control", "no-store");
        exchange.header("Content-Length", Integer.toString(body.length));
        exchange.body().write(body);
    }

    /** The start of the window: midnight in {@code zone}, {@code daysBack} days before {@code now}'s day. */
    static Instant start(Instant now, int daysBack, ZoneId zone) {
        // atStartOfDay, not LocalTime.MIDNIGHT: where a DST change skips midnight the day starts at 01:00.
        return LocalDate.ofInstant(now, zone).minusDays(daysBack).atStartOfDay(zone).toInstant();
    }

    /** The request's parameters, checked. */
    static Query query(java.util.function.Function<String, String[]> parameters) throws BadRequest {
        long daysBack = number(parameters, "daysBack", DEFAULT_DAYS_BACK, 0, MAX_DAYS_BACK,
                "a whole number from 0 to " + MAX_DAYS_BACK);
        long page = number(parameters, "page", 1, 1, MAX_PAGE, "a whole number, 1 or more");
        long pageSize = number(parameters, "pageSize", 0, 1, MAX_PAGE_SIZE, "a whole number from 1 to " + MAX_PAGE_SIZE);
        return new Query((int) daysBack, page, (int) pageSize);
    }

    private static long number(java.util.function.Function<String, String[]> parameters, String name, long absent,
                               long min, long max, String expected) throws BadRequest {
        String[] values = parameters.apply(name);
        if (values == null || values.length == 0) {
            return absent;
        }
        if (values.length > 1) {
            StringBuilder all = new StringBuilder();
            for (String v : values) {
                all.append(all.length() == 0 ? "" : ", ").append(Messages.echo(v));
            }
            throw new BadRequest(name + " must be given once: " + all);
        }
        String value = values[0];
        // Digits only: no sign, no spaces, no exponent; ten at most, so the value fits a long.
        boolean digits = !value.isEmpty() && value.length() <= 10;
        for (int i = 0; digits && i < value.length(); i++) {
            digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        long n = digits ? Long.parseLong(value) : -1;
        if (n < min || n > max) {
            throw new BadRequest(name + " must be " + expected + ": " + Messages.echo(value));
        }
        return n;
    }

    /**
     * HTTP Basic credentials (RFC 7617) that match. User and password are both compared, each
     * with {@link MessageDigest#isEqual}, whose time depends only on the length of its first
     * argument: the bytes presented, so the comparison tells nothing of the configured ones.
     */
    static boolean authorized(String header, byte[] user, byte[] password) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] credentials;
        try {
            credentials = BASE64.decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = -1;
        for (int i = 0; i < credentials.length && colon < 0; i++) {
            if (credentials[i] == ':') {
                colon = i;
            }
        }
        if (colon < 0) {
            return false;
        }
        byte[] givenUser = java.util.Arrays.copyOfRange(credentials, 0, colon);
        byte[] givenPassword = java.util.Arrays.copyOfRange(credentials, colon + 1, credentials.length);
        boolean userMatches = MessageDigest.isEqual(givenUser, user);
        boolean passwordMatches = MessageDigest.isEqual(givenPassword, password);
        return userMatches & passwordMatches;
    }

    /**
     * True when {@code Accept-Encoding} (RFC 9110, 12.5.3) allows gzip: {@code gzip} or
     * {@code x-gzip} with a weight above zero, or {@code *} above zero when gzip is not named.
     */
    static boolean acceptsGzip(String header) {
        if (header == null) {
            return false;
        }
        Boolean named = null;
        boolean any = false;
        for (String part : header.split(",")) {
            String[] pieces = part.split(";");
            String coding = pieces[0].strip().toLowerCase(Locale.ROOT);
            boolean accepted = weight(pieces) > 0;
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                named = (named != null && named) || accepted;
            } else if (coding.equals("*")) {
                any = accepted;
            }
        }
        return named != null ? named : any;
    }

    /** The {@code q} of a coding, 1 without one; a malformed weight counts as 0, so it is not taken. */
    private static double weight(String[] pieces) {
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i].strip();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    return Double.parseDouble(p.substring(2).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Deflate's fastest level: the feed's JSON repeats itself so much that it already shrinks
     * about 13 times, and compresses twice as fast as at the default level, which gets only a
     * fifth more out of it (B9: a million orders, 26.7 MB in 4.1 s against 22.1 MB in 8.0 s).
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 8192);
            def.setLevel(java.util.zip.Deflater.BEST_SPEED);
        }
    }
}
