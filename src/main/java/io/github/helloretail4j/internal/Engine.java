package io.github.helloretail4j.internal;

import io.github.helloretail4j.Cart;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.ConversionResult;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.TrackerMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything behind a {@code HelloRetailTracker}: the collector client, the page view pipeline,
 * the outbox and its conversion thread, the counters and the JMX bean, wired here and closed
 * here. The public class only validates its settings and delegates (zipkin-reporter's public
 * {@code AsyncReporter} over its internal one), so that every other class of this package can
 * stay package-private.
 *
 * <p>Not API: public only for {@code io.github.helloretail4j.HelloRetailTracker}.
 */
public final class Engine {
    /** The tracker's life and its calls: start, close, conversions it was handed. */
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.tracker");
    /** The outbox: what it recovered, conversions it could not take. */
    private static final Logger OUTBOX_LOG = LoggerFactory.getLogger("io.github.helloretail4j.outbox");
    /** What only the page-view filter causes. */
    private static final Logger FILTER_LOG = LoggerFactory.getLogger("io.github.helloretail4j.filter");

    static final String PAGE_VIEW_PATH = "collect/pageview";
    static final String CONVERSION_PATH = "collect/conversion";
    static final String CART_PATH = "collect/cart";
    /** Most visitors with a cart waiting; beyond it a new visitor's cart is dropped and counted. */
    static final int CART_QUEUE_SIZE = 10_000;
    /** Carts are few next to page views: fewer of them are in flight at once. */
    static final int CART_IN_FLIGHT = 4;
    /** Order numbers are remembered this long (and at most {@link #DEDUPE_MAX_ORDERS} of them). */
    public static final Duration DEDUPE_WINDOW = Duration.ofDays(30);
    public static final int DEDUPE_MAX_ORDERS = 100_000;
    /**
     * At the close deadline minus this, requests still in flight are aborted, so that the
     * threads have ended by the deadline itself.
     */
    static final long ABORT_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Beyond an attempt's hard deadline, what close() waits for the conversion thread. */
    static final long CONVERSION_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * The tracker's settings, validated by its builder. Conversions wait in {@code outboxDataSource}
     * (in {@code outboxTable}, null for the default) when it is set, else in {@code outboxDirectory};
     * up to {@code maxConversionsInFlight} of them are in flight at once.
     */
    public record Config(boolean enabled, String websiteUuid, URI endpoint, String name, String userAgent,
                         int queueSize, int senderThreads, Duration senderWindow, Duration connectTimeout,
                         Duration responseTimeout, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                         Duration closeTimeout, Path outboxDirectory, DataSource outboxDataSource, String outboxTable,
                         Duration conversionMaxAge, int maxConversionsInFlight, KeyStore trustStore, Storage storage,
                         Clock clock) {
    }

    /** The default name of the database outbox's table. */
    public static final String DEFAULT_OUTBOX_TABLE = DatabaseOutbox.DEFAULT_TABLE;

    /**
     * What is wrong with {@code table} as the database outbox's table name ("must be a table
     * name, ..."), or null: for the servlet layer, which reports a bad name as the parameter that
     * holds it, before any DataSource is at hand.
     */
    public static String outboxTableProblem(String table) {
        return OutboxSchema.tableNameProblem(table);
    }

    /** The shortest lease, so that a slow database round trip does not hand a row to a second node. */
    static final Duration MIN_LEASE = Duration.ofSeconds(10);

    /**
     * A database outbox's lease: three attempts' hard deadline (connect + response timeout), at
     * least {@link #MIN_LEASE}; 36 s with the default timeouts. Long enough that a node that is
     * slow but alive is not taken over (which would send twice), short enough that a dead
     * node's conversion is not held up for long.
     */
    static Duration lease(Duration connectTimeout, Duration responseTimeout) {
        Duration attempts = connectTimeout.plus(responseTimeout).multipliedBy(3);
        return attempts.compareTo(MIN_LEASE) > 0 ? attempts : MIN_LEASE;
    }

    /** The default of a setting that the engine owns. */
    public static final Duration DEFAULT_SENDER_WINDOW = Pipeline.IDLE_CONNECTION_WINDOW;

    private final boolean enabled;
    private final String websiteUuid;
    private final Duration closeTimeout;
    /** One attempt's hard deadline (connect plus response timeout). */
    private final long attemptNanos;
    private final CollectorClient client;
    private final Sender sender;
    private final EventCounters pageViewCounts = new EventCounters();
    private final EventCounters conversionCounts = new EventCounters();
    private final EventCounters cartCounts = new EventCounters();
    private final Pipeline<PageView> pageViews;
    private final Pipeline<Cart> carts;
    private final Outbox outbox;
    private final boolean inDatabase;
    private final OutboxHealth outboxHealth;
    private final ConversionWorker conversions;
    private final HeldConversions held = new HeldConversions();
    private final LongAdder pageViewsWithoutVisitorId = new LongAdder();
    private final AtomicBoolean withoutVisitorIdLogged = new AtomicBoolean();
    private final TrackerJmx jmx;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Opens the outbox and registers the JMX bean; threads start with the first event (the
     * conversion thread at once when the outbox holds conversions from an earlier run).
     *
     * @throws UncheckedIOException when the outbox directory or the outbox data source cannot be used
     * @throws IllegalStateException when another tracker holds the outbox directory
     * @throws IllegalArgumentException when the outbox data source is not PostgreSQL 12 or newer
     */
    public Engine(Config c) {
        this.enabled = c.enabled();
        this.websiteUuid = c.websiteUuid();
        this.closeTimeout = c.closeTimeout();
        this.attemptNanos = c.connectTimeout().plus(c.responseTimeout()).toNanos();
        this.inDatabase = c.outboxDataSource() != null;
        if (enabled) {
            this.outbox = openOutbox(c);
            this.outboxHealth = new OutboxHealth(outbox.describe());
        } else {
            this.outbox = null;
            this.outboxHealth = new OutboxHealth("outbox");
        }
        try {
            // a connection for each page view, cart and conversion request in flight
            this.client = new CollectorClient(c.endpoint(), c.connectTimeout(), c.responseTimeout(),
                    c.senderThreads() + CART_IN_FLIGHT + c.maxConversionsInFlight(), c.userAgent(), c.trustStore(),
                    c.name());
        } catch (RuntimeException e) {
            closeQuietly(outbox);
            throw e;
        }
        this.sender = new Sender(client, new RetryPolicy(c.maxAttempts(), c.initialBackoff(), c.maxBackoff()));
        this.pageViews = new Pipeline<>(c.name() + "-pageview", c.senderThreads(), c.senderWindow(),
                new BoundedQueue<>(c.queueSize()), PAGE_VIEW_PATH, view -> Json.pageView(websiteUuid, view), sender,
                pageViewCounts);
        // One cart per visitor waits, the newest, and none of a visitor's is sent while another is
        // in flight: so the newest always arrives last, and quick changes cost one request.
        this.carts = new Pipeline<>(c.name() + "-cart", Math.min(CART_IN_FLIGHT, c.senderThreads()),
                c.senderWindow(),
                new CoalescingQueue<>(CART_QUEUE_SIZE, cart -> cart.trackingUserId().orElse(null), cartCounts.superseded),
                CART_PATH, cart -> Json.cart(websiteUuid, cart), sender, cartCounts);
        if (enabled) {
            this.conversions = new ConversionWorker(outbox, held, outboxHealth, sender, conversionCounts,
                    c.conversionMaxAge(), c.clock(), CONVERSION_PATH, c.name() + "-conversion",
                    c.maxConversionsInFlight());
            if (outbox.recovered() > 0) {
                // What an earlier run left is this run's to deliver, and counts as tracked.
                conversionCounts.tracked.add(outbox.recovered());
                OUTBOX_LOG.info("{} conversions from an earlier run wait in the {}; delivering them", outbox.recovered(),
                        outbox.describe());
                conversions.wake();
            }
        } else {
            this.conversions = null;
        }
        this.jmx = TrackerJmx.register(c.name(), websiteUuid, c.endpoint().toString(), this::metrics);
    }

    private static void closeQuietly(Outbox outbox) {
        if (outbox != null) {
            try {
                outbox.close();
            } catch (IOException | RuntimeException e) {
                OUTBOX_LOG.debug("could not close the {}", outbox.describe(), e);
            }
        }
    }

    private static Outbox openOutbox(Config c) {
        if (c.outboxDataSource() != null) {
            try {
                return DatabaseOutbox.open(c.outboxDataSource(), c.websiteUuid(), c.clock(), DEDUPE_WINDOW,
                        DatabaseOutbox.Options.defaults()
                                .table(c.outboxTable() == null ? DEFAULT_OUTBOX_TABLE : c.outboxTable())
                                .lease(lease(c.connectTimeout(), c.responseTimeout())));
            } catch (IOException e) {
                throw new UncheckedIOException("outboxDataSource cannot be used: " + e.getMessage(), e);
            }
        }
        Outbox outbox;
        try {
            outbox = FileOutbox.open(c.storage(), c.outboxDirectory(), c.clock(), DEDUPE_WINDOW, DEDUPE_MAX_ORDERS);
        } catch (IOException e) {
            throw new UncheckedIOException("outboxDirectory " + c.outboxDirectory().toAbsolutePath()
                    + " cannot be used: " + Messages.describe(e), e);
        }
        for (String problem : outbox.recoveryProblems()) {
            OUTBOX_LOG.warn("{}", problem);
        }
        return outbox;
    }

    /** Queues a page view; never blocks, never throws for delivery problems. */
    public void trackPageView(PageView pageView) {
        if (enabled) {
            pageViews.offer(pageView);
        } else {
            pageViewCounts.tracked.increment();
            pageViewCounts.dropped.increment();
        }
    }

    /** Queues a visitor's cart, replacing the one of theirs that waits; never blocks, never throws for delivery. */
    public void trackCart(Cart cart) {
        if (enabled) {
            carts.offer(cart);
        } else {
            cartCounts.tracked.increment();
            cartCounts.dropped.increment();
        }
    }

    /**
     * Adds a conversion to the outbox and returns once it is durable (or a duplicate).
     *
     * @throws UncheckedIOException when it is not durable: then nothing of it remains
     * @throws IllegalStateException when the tracker is closed
     */
    public void trackConversion(Conversion conversion) {
        keep(conversion, "", (orderNumber, body) -> outbox.add(orderNumber, body));
    }

    /**
     * Adds a conversion in the shop's transaction, on the shop's connection, used as given. Other
     * nodes (and this one's conversion thread) see it once the shop commits; it is found then by
     * the thread's poll.
     *
     * @throws UncheckedIOException when the database refused it: then nothing of it remains, and
     *         PostgreSQL holds the shop's transaction as failed
     * @throws IllegalStateException when the tracker keeps conversions in a directory, or is closed
     */
    public void trackConversion(Connection connection, Conversion conversion) {
        if (!inDatabase) {
            throw new IllegalStateException("conversion " + Messages.echo(conversion.orderNumber()) + " was not accepted:"
                    + " trackConversion(Connection, Conversion) writes in the shop's transaction, and this tracker"
                    + " keeps conversions in an outbox directory; build it with outboxDataSource, or call"
                    + " trackConversion(Conversion)");
        }
        keep(conversion, " on the shop's connection", (orderNumber, body) -> outbox.add(connection, orderNumber, body));
    }

    /** One way into the outbox: {@link Outbox#add}, on the tracker's own connection or on the shop's. */
    private interface Add {
        Outbox.Added add(String orderNumber, byte[] body) throws IOException;
    }

    /** Counts, encodes and adds a conversion; {@code how} says where, for the error. */
    private void keep(Conversion conversion, String how, Add add) {
        if (!enabled) {
            conversionCounts.tracked.increment();
            conversionCounts.dropped.increment();
            return;
        }
        if (closed.get()) {
            throw closed(conversion, null);
        }
        byte[] body = Json.conversion(websiteUuid, conversion);
        Outbox.Added result;
        try {
            result = add.add(conversion.orderNumber(), body);
        } catch (IOException e) {
            throw notWritten(conversion, how, e);
        } catch (IllegalStateException e) {
            // closed between the check above and the add
            throw closed(conversion, e);
        }
        accepted(conversion, result);
    }

    /** What {@link #tryTrackConversion} did, and why when the conversion is not durable. */
    public record Tried(ConversionResult.Status status, String problem) {
    }

    /**
     * As {@link #trackConversion(Conversion)}, for checkout code that must not fail: never
     * throws. A conversion the outbox could not take is held in memory and written by the
     * conversion thread once the outbox works again.
     */
    public Tried tryTrackConversion(Conversion conversion) {
        String order = Messages.echo(conversion.orderNumber());
        if (!enabled) {
            conversionCounts.tracked.increment();
            conversionCounts.dropped.increment();
            return new Tried(ConversionResult.Status.DROPPED, "tracking is disabled");
        }
        if (closed.get()) {
            return droppedClosed(order);
        }
        byte[] body = Json.conversion(websiteUuid, conversion);
        IOException failure;
        try {
            Outbox.Added result = outbox.add(conversion.orderNumber(), body);
            accepted(conversion, result);
            return new Tried(result == Outbox.Added.DUPLICATE
                    ? ConversionResult.Status.DUPLICATE : ConversionResult.Status.ACCEPTED, null);
        } catch (IOException e) {
            failure = e;
        } catch (IllegalStateException e) {
            return droppedClosed(order);
        }
        outboxHealth.failed("to keep conversion " + order, failure);
        conversionCounts.tracked.increment();
        String why = "could not be written to the " + outbox.describe() + ": " + failure.getMessage();
        switch (held.hold(conversion.orderNumber(), body)) {
            case HELD -> {
                OUTBOX_LOG.warn("conversion {} {}; it is kept in memory and written as soon as the outbox works again"
                        + " ({} wait in memory; they are lost if this JVM stops first)", order, why, held.size());
                conversions.wake();
                return new Tried(ConversionResult.Status.HELD_IN_MEMORY, why);
            }
            case DUPLICATE -> {
                conversionCounts.duplicates.increment();
                return new Tried(ConversionResult.Status.DUPLICATE, null);
            }
            default -> {
                conversionCounts.dropped.increment();
                OUTBOX_LOG.error("conversion {} {}, and {} conversions wait in memory already: it is dropped. Free the"
                        + " outbox's disk or database", order, why, HeldConversions.MAX_HELD);
                return new Tried(ConversionResult.Status.DROPPED, why + "; " + HeldConversions.MAX_HELD
                        + " conversions wait in memory already");
            }
        }
    }

    private Tried droppedClosed(String order) {
        conversionCounts.tracked.increment();
        conversionCounts.dropped.increment();
        LOG.warn("conversion {} was not tracked: the tracker is closed", order);
        return new Tried(ConversionResult.Status.DROPPED, "the tracker is closed");
    }

    /**
     * A conversion that checkout code could not build: counted and logged with its order number
     * and the problem (which names the field; an email in it is masked).
     */
    public void invalidConversion(String orderNumber, String problem) {
        conversionCounts.tracked.increment();
        conversionCounts.invalid.increment();
        LOG.warn("conversion {} was not tracked: {}; fix the checkout code that builds it",
                orderNumber == null ? "without an order number" : Messages.echo(orderNumber), problem);
    }

    /**
     * A page view the filter did not track because the visitor had no tracking id: counted, and
     * said once, as it means that no page view of such a shop is tracked.
     */
    public void pageViewWithoutVisitorId() {
        pageViewsWithoutVisitorId.increment();
        if (withoutVisitorIdLogged.compareAndSet(false, true)) {
            FILTER_LOG.info("a page view was not tracked: the visitor has no hello_retail_id cookie yet. The cookie comes"
                    + " from Hello Retail's script on the shop's pages; a shop without it sets"
                    + " helloretail.createTrackingUser=true, and the filter creates ids itself. Counted in"
                    + " metrics().pageViewsWithoutVisitorId() (said once)");
        }
    }

    private UncheckedIOException notWritten(Conversion conversion, String how, IOException e) {
        outboxHealth.failed("to keep conversion " + Messages.echo(conversion.orderNumber()), e);
        return new UncheckedIOException("conversion " + Messages.echo(conversion.orderNumber())
                + " could not be written to the " + outbox.describe() + how + ": " + e.getMessage(), e);
    }

    private void accepted(Conversion conversion, Outbox.Added result) {
        outboxHealth.worked();
        conversionCounts.tracked.increment();
        if (result == Outbox.Added.DUPLICATE) {
            conversionCounts.duplicates.increment();
            LOG.debug("conversion {} was submitted before; not sent again", Messages.echo(conversion.orderNumber()));
            return;
        }
        conversions.wake();
    }

    private static IllegalStateException closed(Conversion conversion, Exception cause) {
        return new IllegalStateException("conversion " + Messages.echo(conversion.orderNumber())
                + " was not accepted: the tracker is closed", cause);
    }

    /** At close: what waits in memory goes to the outbox now, or is lost, and said so. */
    private void keepHeld() {
        if (held.size() == 0) {
            return;
        }
        try {
            held.writeTo(outbox, conversionCounts);
        } catch (IOException | RuntimeException e) {
            outboxHealth.failed("to keep the conversions held in memory", e instanceof IOException io ? io
                    : new IOException(e.getMessage(), e));
        }
        List<String> lost = held.drop();
        if (!lost.isEmpty()) {
            conversionCounts.dropped.add(lost.size());
            OUTBOX_LOG.error("the tracker closed while the {} could not take {} conversions that waited in memory; they are"
                    + " lost: orders {}. Submit them again once the outbox works", outbox.describe(), lost.size(),
                    lost.size() <= 100 ? lost : lost.subList(0, 100) + " and " + (lost.size() - 100) + " more");
        }
    }

    public TrackerMetrics metrics() {
        return new TrackerMetrics(pageViewCounts.snapshot(), conversionCounts.snapshot(), cartCounts.snapshot(),
                outboxHealth.failures(), held.size(), pageViewsWithoutVisitorId.sum());
    }

    /**
     * Stops taking events, delivers what is queued until shortly before the close deadline, then
     * aborts what is in flight so that every thread has ended by the deadline; counts what is
     * left as abandoned and logs it. Conversions whose requests are in flight at the deadline are
     * the exception: they are let finish, up to their attempts' hard deadline, so that a close
     * never sends an order again that may have arrived. Idempotent.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + closeTimeout.toNanos();
        long abortAt = deadline - Math.min(ABORT_MARGIN_NANOS, closeTimeout.toNanos() / 10);
        sender.beginClose(abortAt);
        pageViews.beginClose();
        carts.beginClose();
        if (conversions != null) {
            conversions.beginClose();
        }
        pageViews.awaitTermination(abortAt);
        carts.awaitTermination(abortAt);
        if (conversions != null && !conversions.awaitTermination(abortAt)) {
            // Conversions in flight are let finish, however late: aborted, their outcome would be
            // unknown, and the orders would go out again (from another node, or at the next
            // start) though they may have arrived. Their attempts' own hard deadline bounds the
            // wait (they all started before the deadline); no other attempt starts. A database operation of the
            // conversion thread gets a second more.
            conversions.awaitTermination(System.nanoTime() + attemptNanos + CONVERSION_GRACE_NANOS);
        }
        // Abort requests still in flight (a stalled collector); their threads end at once, and
        // what they held counts as abandoned, as the deadline has passed.
        deadline = Math.max(deadline, System.nanoTime() + ABORT_MARGIN_NANOS);
        client.close(deadline);
        pageViews.awaitTermination(deadline);
        carts.awaitTermination(deadline);
        if (conversions != null) {
            conversions.awaitTermination(deadline);
        }
        pageViews.stop();
        carts.stop();
        int waiting = 0;
        if (outbox != null) {
            keepHeld();
            waiting = outbox.pending();
            try {
                outbox.close();
            } catch (IOException e) {
                outboxHealth.failed("to sync at close", e);
                OUTBOX_LOG.error("could not close the {} cleanly; conversions are read again at the next start",
                        outbox.describe(), e);
            }
        }
        jmx.unregister();
        long abandonedViews = pageViewCounts.abandoned.sum();
        long abandonedCarts = cartCounts.abandoned.sum();
        if (abandonedViews > 0 || abandonedCarts > 0 || waiting > 0) {
            LOG.warn("Hello Retail tracker closed after {} ms; abandoned {} page views and {} carts; {} conversions"
                            + " wait in the {} {}", (System.nanoTime() - start) / 1_000_000, abandonedViews,
                    abandonedCarts, waiting, outbox == null ? "outbox" : outbox.describe(),
                    inDatabase ? "for any node to deliver" : "for the next start");
        }
        int stuck = pageViews.liveThreads().size() + carts.liveThreads().size()
                + (conversions != null && conversions.isAlive() ? 1 : 0);
        if (stuck > 0) {
            LOG.warn("{} delivery threads of the Hello Retail tracker did not stop", stuck);
        }
    }
}
