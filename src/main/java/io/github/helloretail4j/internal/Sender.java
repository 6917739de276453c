package io.github.helloretail4j.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs to the collector (handing the answer to a callback), the backoff policy, the close deadline, and the log lines of trouble and recovery: what every
 * {@link DeliveryLoop} and {@link Pipeline} of a tracker shares.
 *
 * <p>Logging follows zipkin-reporter: the first trouble is a WARN, repeats are DEBUG until a
 * delivery succeeds again, so an outage writes a few lines, not one per page view. Bodies are
 * never logged: they hold tracking ids and email addresses.
 */
final class Sender {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.delivery");

    private final CollectorClient client;
    private final RetryPolicy policy;
    private volatile boolean closing;
    private volatile long deadlineNanos;
    private final AtomicBoolean inTrouble = new AtomicBoolean();
    private final AtomicBoolean rejectionLogged = new AtomicBoolean();

    Sender(CollectorClient client, RetryPolicy policy) {
        this.client = client;
        this.policy = policy;
    }

    /**
     * One POST, no retry, without waiting: for delivery loops that schedule their own retries;
     * {@code then} gets the outcome, on the client's I/O thread. Logs a recovery after trouble
     * and the first rejection; trouble itself is logged by the caller with {@link #logTrouble},
     * which knows what happens next.
     */
    void attempt(String path, byte[] body, Consumer<Outcome> then) {
        client.post(path, body, outcome -> then.accept(observed(path, outcome)));
    }

    private Outcome observed(String path, Outcome outcome) {
        switch (outcome.type()) {
            case DELIVERED, NOT_TRACKED -> recovered();
            case REJECTED -> logRejected(path, outcome);
            case RETRY -> { }
        }
        return outcome;
    }

    /** Aborts the requests in flight past their hard deadline. */
    void abortOverdue() {
        client.abortOverdue();
    }

    /** Closes the connections idle for {@code idle}. */
    void closeIdle(Duration idle) {
        client.closeIdle(idle);
    }

    /** True when closing has begun and an attempt at {@code atNanos} would come after its deadline. */
    boolean tooLateFor(long atNanos) {
        return closing && atNanos - deadlineNanos > 0;
    }

    RetryPolicy policy() {
        return policy;
    }

    /** From now on no retry is started that could not finish by {@code deadlineNanos}. */
    void beginClose(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        this.closing = true;
    }

    /** True once closing has begun and its deadline has passed. */
    boolean pastDeadline() {
        return closing && System.nanoTime() - deadlineNanos >= 0;
    }

    private void recovered() {
        if (inTrouble.compareAndSet(true, false)) {
            LOG.info("Hello Retail at {} accepts events again", client.endpoint());
        }
    }

    void logTrouble(String path, Outcome outcome, String action) {
        if (inTrouble.compareAndSet(false, true)) {
            LOG.warn("Hello Retail at {} did not take a {} ({}); {}. Further failures are logged at DEBUG"
                    + " until delivery works again", client.endpoint(), kind(path), outcome.describe(), action);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("Hello Retail did not take a {} ({}); {}", kind(path), outcome.describe(), action);
        }
    }

    private void logRejected(String path, Outcome outcome) {
        if (rejectionLogged.compareAndSet(false, true)) {
            LOG.warn("Hello Retail rejected a {} ({}); it is not retried. Check helloretail.websiteUuid"
                    + " and the event's fields. Further rejections are logged at DEBUG", kind(path), outcome.describe());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("Hello Retail rejected a {} ({})", kind(path), outcome.describe());
        }
    }

    private static String kind(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
