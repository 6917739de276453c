package io.github.helloretail4j;

import io.github.helloretail4j.internal.Check;
import io.github.helloretail4j.internal.CollectorClient;
import io.github.helloretail4j.internal.EventCounters;
import io.github.helloretail4j.internal.Json;
import io.github.helloretail4j.internal.Pipeline;
import io.github.helloretail4j.internal.RetryPolicy;
import io.github.helloretail4j.internal.Sender;
import io.github.helloretail4j.internal.TrackerJmx;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends page views and conversions to Hello Retail's collect API from the server.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #trackPageView} and {@link #trackConversion} only validate and enqueue: they
 *       never wait for the network and never throw for delivery problems.</li>
 *   <li>Page views wait in a bounded queue ({@link Builder#queueSize}); when it is full the
 *       newest is dropped and counted, so memory stays bounded whatever the collector does.</li>
 *   <li>A 2xx answer is a delivery ("Not tracked for anonymous user" is counted apart). A 400
 *       (and any other 4xx but 408, 425 and 429) is final: counted as rejected, logged with the
 *       collector's message, never retried. A 5xx, 408, 425, 429, timeout or I/O error is
 *       retried with exponential backoff and jitter, no sooner than {@code Retry-After}, up to
 *       {@link Builder#maxAttempts} attempts; then counted as failed.</li>
 *   <li>{@link #close()} delivers what it can within {@link Builder#closeTimeout}, counts the
 *       rest as abandoned and logs how many. It is safe to call twice.</li>
 * </ul>
 *
 * <p>Threads: {@link Builder#senderThreads} named daemon threads deliver page views and one
 * delivers conversions; each group starts with its first event and ends in {@link #close()}.
 * Counters are read with {@link #metrics()} and over JMX.
 */
public final class HelloRetailTracker implements AutoCloseable {

    /** Hello Retail's collect API. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://core.helloretail.com/serve/");
    public static final int DEFAULT_QUEUE_SIZE = 10_000;
    public static final int DEFAULT_SENDER_THREADS = 2;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    static final String PAGE_VIEW_PATH = "collect/pageview";
    static final String CONVERSION_PATH = "collect/conversion";
    /** Conversions are few; this bound only guards memory until they have a disk of their own. */
    static final int CONVERSION_QUEUE_SIZE = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j");
    private static final String USER_AGENT = "helloretail4j/"
            + Objects.requireNonNullElse(HelloRetailTracker.class.getPackage().getImplementationVersion(), "dev");

    private final boolean enabled;
    private final String websiteUuid;
    private final URI endpoint;
    private final Duration closeTimeout;
    private final CollectorClient client;
    private final Sender sender;
    private final EventCounters pageViewCounts = new EventCounters();
    private final EventCounters conversionCounts = new EventCounters();
    private final Pipeline<PageView> pageViews;
    private final Pipeline<Conversion> conversions;
    private final TrackerJmx jmx;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HelloRetailTracker(Builder b) {
        this.enabled = b.enabled;
        this.websiteUuid = b.websiteUuid;
        this.endpoint = b.endpoint;
        this.closeTimeout = b.closeTimeout;
        this.client = new CollectorClient(endpoint, b.connectTimeout, b.responseTimeout,
                b.senderThreads + 1, USER_AGENT);
        this.sender = new Sender(client, new RetryPolicy(b.maxAttempts, b.initialBackoff, b.maxBackoff));
        this.pageViews = new Pipeline<>(b.name + "-pageview", b.senderThreads, b.queueSize, PAGE_VIEW_PATH,
                view -> Json.pageView(websiteUuid, view), sender, pageViewCounts);
        this.conversions = new Pipeline<>(b.name + "-conversion", 1, CONVERSION_QUEUE_SIZE, CONVERSION_PATH,
                conversion -> Json.conversion(websiteUuid, conversion), sender, conversionCounts);
        this.jmx = TrackerJmx.register(b.name, websiteUuid, endpoint.toString(), this::metrics);
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
        if (enabled) {
            pageViews.offer(pageView);
        } else {
            pageViewCounts.tracked.increment();
            pageViewCounts.dropped.increment();
        }
    }

    /**
     * Queues a conversion for delivery.
     *
     * @throws IllegalStateException when the tracker is closed: the conversion was not taken
     */
    public void trackConversion(Conversion conversion) {
        Objects.requireNonNull(conversion, "conversion");
        if (!enabled) {
            conversionCounts.tracked.increment();
            conversionCounts.dropped.increment();
            return;
        }
        if (closed.get() || !conversions.offer(conversion)) {
            throw new IllegalStateException("conversion " + Check.echo(conversion.orderNumber())
                    + " was not accepted: the tracker is " + (closed.get() ? "closed" : "full"));
        }
    }

    /** What the tracker did so far. */
    public TrackerMetrics metrics() {
        return new TrackerMetrics(pageViewCounts.snapshot(), conversionCounts.snapshot());
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + closeTimeout.toNanos();
        sender.beginClose(deadline);
        pageViews.beginClose();
        conversions.beginClose();
        boolean drained = pageViews.awaitTermination(deadline) & conversions.awaitTermination(deadline);
        // Abort requests still in flight (a stalled collector); their workers then count them
        // abandoned, as the deadline has passed.
        client.close();
        if (!drained) {
            long grace = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            pageViews.awaitTermination(grace);
            conversions.awaitTermination(grace);
        }
        pageViews.stop();
        conversions.stop();
        jmx.unregister();
        TrackerMetrics m = metrics();
        long abandonedViews = m.pageViews().abandoned();
        long abandonedConversions = m.conversions().abandoned();
        if (abandonedViews + abandonedConversions > 0) {
            LOG.warn("Hello Retail tracker closed after {} ms; abandoned {} page views and {} conversions"
                            + " that could not be delivered in time", (System.nanoTime() - start) / 1_000_000,
                    abandonedViews, abandonedConversions);
        }
        int stuck = pageViews.liveThreads().size() + conversions.liveThreads().size();
        if (stuck > 0) {
            LOG.warn("{} sender threads of the Hello Retail tracker did not stop", stuck);
        }
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
        private int senderThreads = DEFAULT_SENDER_THREADS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

        private Builder() {
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

        /** Threads delivering page views, each over its own keep-alive connection. */
        public Builder senderThreads(int senderThreads) {
            this.senderThreads = senderThreads;
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
         * @throws IllegalArgumentException naming the setting and echoing the value that is wrong
         */
        public HelloRetailTracker build() {
            if (enabled || websiteUuid != null) {
                Check.websiteUuid(websiteUuid);
            }
            endpoint = Check.endpoint(endpoint, DEFAULT_ENDPOINT);
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(
                        "name must be 1 to 64 letters, digits, '.', '_' or '-': " + Check.echo(name));
            }
            range("queueSize", queueSize, 1, 1_000_000);
            range("senderThreads", senderThreads, 1, 64);
            range("maxAttempts", maxAttempts, 1, 1000);
            positive("connectTimeout", connectTimeout);
            positive("responseTimeout", responseTimeout);
            positive("initialBackoff", initialBackoff);
            positive("maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff ("
                        + initialBackoff + "): " + maxBackoff);
            }
            if (closeTimeout == null || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be zero or more: " + closeTimeout);
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
