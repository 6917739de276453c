package io.github.helloretail4j.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs the outbox's failures, wherever they happen (a shop's thread adding, the
 * conversion thread recording or syncing): the first is a WARN, repeats are DEBUG, and the first
 * success after trouble says so at INFO. The same quiet-outage rule as the collector's
 * ({@link Sender}).
 */
final class OutboxHealth {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.outbox");

    private final String where;
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean inTrouble = new AtomicBoolean();

    OutboxHealth(String where) {
        this.where = where;
    }

    void failed(String what, Exception e) {
        failures.increment();
        if (inTrouble.compareAndSet(false, true)) {
            LOG.warn("the Hello Retail {} failed {} ({}); what it accepted stays there, and it is tried again with"
                    + " backoff. Further failures are logged at DEBUG until it works again", where, what,
                    Messages.describe(e));
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("the Hello Retail {} failed {} ({})", where, what, Messages.describe(e));
        }
    }

    void worked() {
        if (inTrouble.get() && inTrouble.compareAndSet(true, false)) {
            LOG.info("the Hello Retail {} works again", where);
        }
    }

    long failures() {
        return failures.sum();
    }
}
