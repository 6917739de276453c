package io.github.helloretail4j;

import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.Urls;
import io.github.helloretail4j.internal.Engine;
import io.github.helloretail4j.internal.Storage;
import io.github.helloretail4j.internal.TrackerAccess;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends page views and conversions to Hello Retail's collect API from the server.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #trackPageView} only validates and enqueues: it never waits for the network
 *       and never throws for delivery problems. Page views wait in a bounded queue
 *       ({@link Builder#queueSize}); when it is full the newest is dropped and counted, so
 *       memory stays bounded whatever the collector does.</li>
 *   <li>{@link #trackConversion} returns once the conversion is on disk in the outbox directory
 *       (fsynced), or committed in the shop's database ({@link Builder#outboxDataSource}), and
 *       throws {@code UncheckedIOException} exactly when it is not; then nothing of it remains,
 *       and the same order may be tracked again. A disk or database fault never needs a restart:
 *       the outbox goes on once it works ({@link TrackerMetrics#outboxFailures()}). It is
 *       delivered in order by a background thread, through outages, restarts and crashes, once
 *       per order number (at least once across a crash: see docs/conversions.md for the window
 *       where a duplicate can happen). With a database, {@link #trackConversion(Connection, Conversion)}
 *       writes it in the shop's own transaction, and whichever node of the shop is alive
 *       delivers it.</li>
 *   <li>A 2xx answer is a delivery ("Not tracked for anonymous user" is counted apart). A 400
 *       (and any other 4xx but 408, 425 and 429) is final: counted as rejected, logged with the
 *       collector's message, never retried; a rejected conversion goes to the dead letters. A
 *       5xx, 408, 425, 429, timeout or I/O error is retried with exponential backoff and jitter,
 *       no sooner than {@code Retry-After}: page views up to {@link Builder#maxAttempts}
 *       attempts, conversions until {@link Builder#conversionMaxAge}, then dead letters.</li>
 *   <li>{@link #close()} delivers what it can within {@link Builder#closeTimeout}; page views
 *       left are counted as abandoned, conversions left wait in the outbox for the next start.
 *       It is safe to call twice.</li>
 * </ul>
 *
 * <p>Threads: a few named daemon threads, however many requests are in flight. Requests are
 * asynchronous and share the client's I/O threads ({@code <name>-io-2} and, on two cores or more,
 * {@code -io-3}, started by {@code <name>-io-1});
 * HTTP/2 is used when the collector offers it. One thread ({@code <name>-pageview}) starts with
 * the first page view and starts what waits, up to {@link Builder#maxRequestsInFlight} in flight (the
 * collect API takes one event per request, so each request in flight delivers one page view per
 * round trip); each answer starts the next page view at once. Connections unused for 5 s close. Carts have a thread of their own ({@code <name>-cart}), conversions one too
 * ({@code <name>-conversion}, started with the first conversion, or at once when the outbox
 * holds conversions from an earlier run). One that dies while the tracker is open (an interrupt,
 * an {@code Error}) is logged and replaced. All have ended when {@link #close()} returns.
 * Counters are read with {@link #metrics()} and over JMX.
 */
public final class HelloRetailTracker implements AutoCloseable {

    /** Hello Retail's collect API. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://core.helloretail.com/serve/");
    public static final int DEFAULT_QUEUE_SIZE = 10_000;
    /** Most page view requests in flight: 16 deliver 320 page views/s to a collector 50 ms away. */
    public static final int DEFAULT_MAX_REQUESTS_IN_FLIGHT = 16;
    /**
     * The same as {@link #DEFAULT_MAX_REQUESTS_IN_FLIGHT}, under the name of the time when each
     * request in flight had a thread of its own.
     *
     * @deprecated use {@link #DEFAULT_MAX_REQUESTS_IN_FLIGHT}
     */
    @Deprecated
    public static final int DEFAULT_SENDER_THREADS = DEFAULT_MAX_REQUESTS_IN_FLIGHT;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Most conversion requests in flight at once from one tracker: 32 deliver about 600
     * conversions/s to a collector 50 ms away, where one at a time delivers 20.
     */
    public static final int DEFAULT_MAX_CONVERSIONS_IN_FLIGHT = 32;
    /** Conversions still undelivered after this long go to the dead letters. */
    public static final Duration DEFAULT_CONVERSION_MAX_AGE = Duration.ofDays(7);
    /** Order numbers are remembered this long (and at most {@link #DEDUPE_MAX_ORDERS} of them). */
    public static final Duration DEDUPE_WINDOW = Engine.DEDUPE_WINDOW;
    public static final int DEDUPE_MAX_ORDERS = Engine.DEDUPE_MAX_ORDERS;

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.tracker");
    private static final String USER_AGENT = "helloretail4j/"
            + Objects.requireNonNullElse(HelloRetailTracker.class.getPackage().getImplementationVersion(), "dev");

    private final boolean enabled;
    private final String websiteUuid;
    private final URI endpoint;
    private final Engine engine;

    static {
        TrackerAccess.register(tracker -> tracker.engine);
    }

    private HelloRetailTracker(Builder b) {
        this.enabled = b.enabled;
        this.websiteUuid = b.websiteUuid;
        this.endpoint = b.endpoint;
        this.engine = new Engine(new Engine.Config(b.enabled, b.websiteUuid, b.endpoint, b.name, USER_AGENT,
                b.queueSize, b.maxRequestsInFlight, b.senderWindow, b.connectTimeout, b.responseTimeout, b.maxAttempts,
                b.initialBackoff, b.maxBackoff, b.closeTimeout, b.outboxDirectory, b.outboxDataSource, b.outboxTable,
                b.conversionMaxAge, b.maxConversionsInFlight, b.trustStore, b.storage, b.clock));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Queues a page view for delivery. Never blocks and never throws for delivery problems:
     * when the queue is full or the tracker closed, the view is dropped and counted.
     */
    public void trackPageView(PageView pageView) {
        Objects.requireNonNull(pageView, "pageView");
        engine.trackPageView(pageView);
    }

    /**
     * Queues a visitor's whole current cart for Hello Retail ({@code collect/cart}). Never blocks
     * and never throws for delivery problems. Only the newest cart of a visitor matters, so at
     * most one per tracking id waits: a newer one replaces it (counted as {@code superseded}),
     * and a visitor's carts are never in flight at the same time, so the newest arrives last.
     * Carts are retried like page views, up to {@link Builder#maxAttempts}; when 10,000 visitors'
     * carts wait, a new visitor's is dropped and counted. Not durable: a cart is also sent again
     * with the visitor's next change.
     */
    public void trackCart(Cart cart) {
        Objects.requireNonNull(cart, "cart");
        engine.trackCart(cart);
    }

    /**
     * Submits a completed order. Returns once it is on disk in the outbox directory (written
     * and fsynced), or committed in the {@link Builder#outboxDataSource} (on a connection of its
     * own, with auto-commit); from there it is delivered in the background, across outages and restarts,
     * until Hello Retail answers or it is older than the maximum age (then it goes to the dead
     * letters). An order number seen in the last 30 days is not sent again: submitting the same
     * order twice (a reloaded thank-you page, a retried payment callback) is harmless.
     *
     * @throws UncheckedIOException when the conversion could not be written (a full disk, a
     *         database that is down; the message names the order and, for a database, the SQL
     *         state): it was not taken, and calling again later is safe
     * @throws IllegalStateException when the tracker is closed
     */
    public void trackConversion(Conversion conversion) {
        Objects.requireNonNull(conversion, "conversion");
        engine.trackConversion(conversion);
    }

    /**
     * Submits a completed order inside the shop's own transaction: the conversion is written with
     * {@code connection}, which must reach the {@link Builder#outboxDataSource} database, and it
     * exists, and is delivered by whichever node is alive, if and only if that transaction
     * commits. The connection is used as given: this never changes its auto-commit, never commits
     * and never rolls back. An order number tracked before, by any node, is ignored without
     * aborting the transaction (counted as a duplicate; sent once).
     *
     * @throws UncheckedIOException when the database refused the row; the message names the
     *         order and the SQL state. Nothing of it remains, and PostgreSQL holds the shop's
     *         transaction as failed, as after any failed statement: roll it back
     * @throws IllegalStateException when the tracker was built without {@code outboxDataSource},
     *         or is closed
     */
    public void trackConversion(Connection connection, Conversion conversion) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(conversion, "conversion");
        engine.trackConversion(connection, conversion);
    }

    /**
     * Submits a completed order from code that must not fail, such as a checkout: as
     * {@link #trackConversion(Conversion)}, but it never throws, and says what became of the
     * conversion. A conversion the outbox cannot take (a full disk, a database that is down) is
     * held in memory, at most 10,000 of them, and written to the outbox as soon as it works
     * again; it is lost if the JVM stops before then. Every conversion that is not durable is
     * logged at WARN with its order number and the reason, and counted in {@link #metrics()}.
     */
    public ConversionResult tryTrackConversion(Conversion conversion) {
        if (conversion == null) {
            engine.invalidConversion(null, "no conversion was given");
            return new ConversionResult(ConversionResult.Status.INVALID, null, "no conversion was given");
        }
        Engine.Tried tried = engine.tryTrackConversion(conversion);
        return new ConversionResult(tried.status(), conversion, tried.problem());
    }

    /**
     * As {@link #tryTrackConversion(Conversion)}, building the conversion first: a value that
     * {@link Conversion.Builder#build()} refuses makes an {@code INVALID} result (logged with
     * the order number and the message that names the field; an email is masked) instead of an
     * exception.
     */
    public ConversionResult tryTrackConversion(Conversion.Builder conversion) {
        if (conversion == null) {
            return tryTrackConversion((Conversion) null);
        }
        Conversion built;
        try {
            built = conversion.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            engine.invalidConversion(conversion.orderNumber, e.getMessage());
            return new ConversionResult(ConversionResult.Status.INVALID, null, e.getMessage());
        }
        return tryTrackConversion(built);
    }

    /** What the tracker did so far. */
    public TrackerMetrics metrics() {
        return engine.metrics();
    }

    /** False when built with {@code enabled(false)}: events are counted as dropped, nothing is sent. */
    public boolean isEnabled() {
        return enabled;
    }

    /** The website UUID; null only for a disabled tracker built without one. */
    public String websiteUuid() {
        return websiteUuid;
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * Stops taking events, delivers what is queued within the close timeout, then aborts what
     * is in flight, counts what is left as abandoned and logs it. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Configures a {@link HelloRetailTracker}; only {@link #websiteUuid} is required.
     * {@link #build()} checks every value and names the one that is wrong.
     */
    public static final class Builder {
        private boolean enabled = true;
        private String websiteUuid;
        private URI endpoint = DEFAULT_ENDPOINT;
        private String name = "helloretail4j";
        private int queueSize = DEFAULT_QUEUE_SIZE;
        private int maxRequestsInFlight = DEFAULT_MAX_REQUESTS_IN_FLIGHT;
        /** Which of the two names set {@link #maxRequestsInFlight}, for build()'s messages. */
        private boolean maxRequestsInFlightSet;
        private boolean senderThreadsSet;
        private Duration senderWindow = Engine.DEFAULT_SENDER_WINDOW;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Path outboxDirectory = Path.of(System.getProperty("java.io.tmpdir"), "helloretail-outbox");
        private boolean outboxDirectorySet;
        private DataSource outboxDataSource;
        private String outboxTable;
        private Duration conversionMaxAge = DEFAULT_CONVERSION_MAX_AGE;
        private int maxConversionsInFlight = DEFAULT_MAX_CONVERSIONS_IN_FLIGHT;
        private KeyStore trustStore;
        private Storage storage = Storage.FILES;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Where conversions wait until Hello Retail has them; default
         * {@code java.io.tmpdir/helloretail-outbox}. Choose a directory that survives restarts
         * and belongs to this tracker alone (a lock file keeps others out).
         */
        public Builder outboxDirectory(Path outboxDirectory) {
            this.outboxDirectory = outboxDirectory;
            this.outboxDirectorySet = true;
            return this;
        }

        /**
         * Keeps conversions in the shop's own PostgreSQL (12 or newer) instead of a directory:
         * for shops of several nodes, and for conversions written in the shop's transaction with
         * {@link HelloRetailTracker#trackConversion(Connection, Conversion)}. Connections are
         * borrowed per operation and returned at once. The table ({@link #outboxTable}) is created
         * when missing; {@code build()} fails for another database, naming it.
         */
        public Builder outboxDataSource(DataSource outboxDataSource) {
            this.outboxDataSource = outboxDataSource;
            return this;
        }

        /**
         * The {@link #outboxDataSource}'s table, optionally after its schema and a dot; default
         * {@code helloretail_outbox} in the connection's default schema. Its DDL ships in the jar
         * as {@code META-INF/helloretail4j/postgresql.sql}.
         */
        public Builder outboxTable(String outboxTable) {
            this.outboxTable = outboxTable;
            return this;
        }

        /** How long a conversion is retried before it goes to the dead letters; default 7 days. */
        public Builder conversionMaxAge(Duration conversionMaxAge) {
            this.conversionMaxAge = conversionMaxAge;
            return this;
        }

        /**
         * The certificates to trust for an https endpoint, instead of the JVM's (for a
         * collector behind a private CA). Certificates and host names are always verified.
         */
        public Builder trustStore(KeyStore trustStore) {
            this.trustStore = trustStore;
            return this;
        }

        /** For tests: a file layer that can fail. */
        Builder storage(Storage storage) {
            this.storage = storage;
            return this;
        }

        /** For tests: the clock that dates conversions. */
        Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * {@code false}: a tracker that sends nothing and starts no thread; every event is
         * counted as dropped. For staging and tests; {@code websiteUuid} is then optional.
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** Required: the shop's website UUID, from my.helloretail.com. */
        public Builder websiteUuid(String websiteUuid) {
            this.websiteUuid = websiteUuid;
            return this;
        }

        /**
         * Base URL of the collect API; {@code collect/pageview} and {@code collect/conversion}
         * are resolved below it. Must be https, except on a loopback address (tests, demos).
         */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Names the tracker's threads and its JMX bean; default {@code helloretail4j}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Most page views waiting for delivery; beyond it the newest are dropped. */
        public Builder queueSize(int queueSize) {
            this.queueSize = queueSize;
            return this;
        }

        /**
         * Most page view requests in flight at once (1 to 64; default
         * {@value HelloRetailTracker#DEFAULT_MAX_REQUESTS_IN_FLIGHT}), each on a keep-alive connection
         * of its own (or a stream of one HTTP/2 connection); they share the client's one or two I/O
         * threads. Page views per second that can be delivered ≈ this / the collector's round-trip
         * time; beyond that the queue fills and the newest are dropped and counted.
         */
        public Builder maxRequestsInFlight(int maxRequestsInFlight) {
            this.maxRequestsInFlight = maxRequestsInFlight;
            this.maxRequestsInFlightSet = true;
            return this;
        }

        /**
         * The same as {@link #maxRequestsInFlight}: the name is older than the asynchronous
         * delivery, when each request in flight had a thread of its own. {@link #build()} logs a
         * WARN naming the new name, and fails when both are set.
         *
         * @deprecated use {@link #maxRequestsInFlight(int)}
         */
        @Deprecated
        public Builder senderThreads(int senderThreads) {
            this.maxRequestsInFlight = senderThreads;
            this.senderThreadsSet = true;
            return this;
        }

        /**
         * Most conversion requests in flight at once from this tracker (1 to 256; default
         * {@value HelloRetailTracker#DEFAULT_MAX_CONVERSIONS_IN_FLIGHT}), each on a keep-alive
         * connection of its own (or a stream of one HTTP/2 connection). Conversions per second
         * that can be delivered ≈ this / the collector's round-trip time. An order is never in
         * flight twice, and after a failure one request goes out alone until the collector answers
         * again. A node that is killed (not closed) may have sent up to this many conversions
         * whose delivery it had not recorded yet: they go out again.
         */
        public Builder maxConversionsInFlight(int maxConversionsInFlight) {
            this.maxConversionsInFlight = maxConversionsInFlight;
            return this;
        }

        /** Tests: connections unused for this long are closed (default 5 s). */
        Builder senderWindow(Duration senderWindow) {
            this.senderWindow = senderWindow;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Longest silence while waiting for the collector's answer. */
        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = responseTimeout;
            return this;
        }

        /** Attempts per event, the first included; 1 means no retry. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Pause before the first retry; it doubles per attempt up to {@link #maxBackoff}. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** How long {@link HelloRetailTracker#close()} may take to deliver what is queued. */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * @throws IllegalStateException when {@code websiteUuid} is missing
         * @throws IllegalArgumentException naming the setting and echoing the value that is wrong;
         *         also when the {@code outboxDataSource} is not PostgreSQL 12 or newer (naming what
         *         it is)
         * @throws UncheckedIOException when the outbox directory or the outbox data source cannot
         *         be used (the database cannot be reached, a table of that name is not an outbox)
         */
        public HelloRetailTracker build() {
            if (enabled || websiteUuid != null) {
                Ids.websiteUuid(websiteUuid);
            }
            endpoint = Urls.endpoint(endpoint, DEFAULT_ENDPOINT);
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(
                        "name must be 1 to 64 letters, digits, '.', '_' or '-': " + Messages.echo(name));
            }
            range("queueSize", queueSize, 1, 1_000_000);
            if (senderThreadsSet && maxRequestsInFlightSet) {
                throw new IllegalArgumentException("maxRequestsInFlight and senderThreads are both set; senderThreads is"
                        + " the deprecated name of maxRequestsInFlight: keep maxRequestsInFlight alone");
            }
            range(senderThreadsSet ? "senderThreads" : "maxRequestsInFlight", maxRequestsInFlight, 1, 64);
            range("maxConversionsInFlight", maxConversionsInFlight, 1, 256);
            range("maxAttempts", maxAttempts, 1, 1000);
            positive("connectTimeout", connectTimeout);
            positive("responseTimeout", responseTimeout);
            positive("initialBackoff", initialBackoff);
            positive("maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff ("
                        + initialBackoff + "): " + maxBackoff);
            }
            if (outboxDataSource != null && outboxDirectorySet) {
                throw new IllegalArgumentException("outboxDirectory and outboxDataSource are both set; conversions"
                        + " wait in one of them: keep outboxDataSource for a shop of several nodes, or"
                        + " outboxDirectory " + outboxDirectory + " for one");
            }
            if (outboxTable != null && outboxDataSource == null) {
                throw new IllegalArgumentException("outboxTable " + Messages.echo(outboxTable)
                        + " is set without outboxDataSource; it names the database outbox's table");
            }
            if (outboxDirectory == null) {
                throw new IllegalArgumentException("outboxDirectory must not be null");
            }
            if (conversionMaxAge == null || conversionMaxAge.isZero() || conversionMaxAge.isNegative()) {
                throw new IllegalArgumentException("conversionMaxAge must be more than zero: " + conversionMaxAge);
            }
            if (closeTimeout == null || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be zero or more: " + closeTimeout);
            }
            if (senderThreadsSet) {
                LOG.warn("senderThreads({}) is deprecated: call maxRequestsInFlight({}), the same setting under a name"
                        + " that says what it counts (requests in flight; no thread is started for each)",
                        maxRequestsInFlight, maxRequestsInFlight);
            }
            return new HelloRetailTracker(this);
        }

        private static void range(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ": " + value);
            }
        }

        private static void positive(String field, Duration value) {
            if (value == null || value.isZero() || value.isNegative() || value.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(field + " must be more than zero and at most an hour: " + value);
            }
        }
    }
}
