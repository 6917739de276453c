package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Tracks every {@link Conversion} the application publishes with
 * {@code ApplicationEventPublisher.publishEvent(conversion)}, on the publisher's thread, so that
 * checkout code that speaks in events needs no call to the tracker:
 * <ul>
 *   <li><b>inside a transaction on the DataSource that keeps the conversions</b> (the starter's
 *       tracker with {@code helloretail.outbox-data-source=true}): written on the transaction's
 *       own connection at once, so it exists if and only if the order commits. The write runs
 *       inside a savepoint: when it fails, the savepoint is rolled back (the shop's transaction
 *       goes on as if nothing had been tried, which PostgreSQL would otherwise refuse to commit)
 *       and the conversion is tracked once the transaction has committed instead;</li>
 *   <li><b>inside any other transaction</b>: tracked once it has committed, and never when it rolls
 *       back. Between the commit and the outbox's write it exists only in memory;</li>
 *   <li><b>outside a transaction</b>: tracked at once.</li>
 * </ul>
 * Tracking never throws into the publisher: a conversion that cannot be written is logged,
 * counted and held in memory as {@link HelloRetailTracker#tryTrackConversion(Conversion)} does.
 * A conversion without a {@code trackingUserId}, published while a request is being handled,
 * gets the visitor's id, as {@code HelloRetailWeb.trackConversion} gives it.
 */
final class ConversionEvents {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.spring");

    private static final boolean TRANSACTIONS = ClassUtils.isPresent(
            "org.springframework.transaction.support.TransactionSynchronizationManager", null);
    private static final boolean JDBC = TRANSACTIONS
            && ClassUtils.isPresent("org.springframework.jdbc.datasource.DataSourceUtils", null);
    private static final boolean WEB = ClassUtils.isPresent(
            "org.springframework.web.context.request.ServletRequestAttributes", null)
            && ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", null);

    private final HelloRetailTracker tracker;
    /** The DataSource the tracker keeps conversions in, when the starter built it so; else null. */
    private final DataSource outboxDataSource;

    ConversionEvents(HelloRetailTracker tracker, DataSource outboxDataSource) {
        this.tracker = tracker;
        this.outboxDataSource = outboxDataSource;
    }

    @EventListener
    public void onConversion(Conversion published) {
        Conversion conversion = withVisitor(published);
        if (!TRANSACTIONS || !Transactions.active()) {
            tracker.tryTrackConversion(conversion);
            return;
        }
        if (JDBC && outboxDataSource != null && Jdbc.writeInTransaction(tracker, outboxDataSource, conversion)) {
            return;
        }
        Transactions.afterCommit(tracker, conversion);
    }

    /** The conversion with the current visitor's id, when it has none and a request is being handled. */
    private static Conversion withVisitor(Conversion conversion) {
        if (!WEB || conversion.trackingUserId().isPresent()) {
            return conversion;
        }
        Optional<String> id = Web.visitorId();
        return id.isEmpty() ? conversion : copy(conversion, id.get());
    }

    private static Conversion copy(Conversion c, String trackingUserId) {
        Conversion.Builder b = Conversion.builder()
                .trackingUserId(trackingUserId)
                .orderNumber(c.orderNumber())
                .total(c.total())
                .email(c.email().orElse(null))
                .customerId(c.customerId().orElse(null));
        if (!c.productNumbers().isEmpty()) {
            b.productNumbers(c.productNumbers());
        }
        if (!c.urls().isEmpty()) {
            b.urls(c.urls());
        }
        if (!c.lines().isEmpty()) {
            b.lines(c.lines());
        }
        return b.build();
    }

    /**
     * Spring's transactions, apart so that the class loads without them: an application without
     * spring-tx has no transaction, and every conversion is tracked at once.
     */
    private static final class Transactions {
        static boolean active() {
            return TransactionSynchronizationManager.isActualTransactionActive()
                    && TransactionSynchronizationManager.isSynchronizationActive();
        }

        static void afterCommit(HelloRetailTracker tracker, Conversion conversion) {
            TransactionSynchronizationManager.registerSynchronization(new AfterCommit(tracker, conversion));
        }
    }

    /** Tracks the conversion once the transaction has committed; forgets it when it rolls back. */
    private record AfterCommit(HelloRetailTracker tracker, Conversion conversion) implements TransactionSynchronization {
        @Override
        public void afterCommit() {
            tracker.tryTrackConversion(conversion);
        }

        @Override
        public void afterCompletion(int status) {
            if (status != STATUS_COMMITTED) {
                LOG.debug("conversion {} not tracked: its transaction {}", conversion.orderNumber(),
                        status == STATUS_ROLLED_BACK ? "rolled back" : "ended in an unknown state");
            }
        }
    }

    /** Spring JDBC's part, apart so that the class loads without it. */
    private static final class Jdbc {

        /**
         * Writes the conversion on the connection of the current transaction when that
         * transaction is on {@code dataSource}; false when it is not (the caller tracks the
         * conversion after the commit) or when the write failed and was undone (the same).
         */
        static boolean writeInTransaction(HelloRetailTracker tracker, DataSource dataSource, Conversion conversion) {
            if (!(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder)) {
                return false;
            }
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
                Savepoint savepoint = connection.setSavepoint();
                try {
                    tracker.trackConversion(connection, conversion);
                } catch (RuntimeException e) {
                    connection.rollback(savepoint);
                    LOG.warn("conversion {} could not be written in the order's transaction ({}): it will be tracked"
                            + " once the transaction has committed instead; check that the outbox table is writable"
                            + " by the application's database user", conversion.orderNumber(), e.getMessage());
                    return false;
                }
                connection.releaseSavepoint(savepoint);
                return true;
            } catch (SQLException e) {
                LOG.warn("conversion {} could not be written in the order's transaction (savepoint: {}, SQL state {}):"
                        + " it will be tracked once the transaction has committed instead", conversion.orderNumber(),
                        e.getMessage(), e.getSQLState());
                return false;
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        }
    }

    /** Spring Web's part, apart so that the class loads without it. */
    private static final class Web {
        static Optional<String> visitorId() {
            RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
            if (attributes instanceof ServletRequestAttributes servlet) {
                return HelloRetailWeb.trackingUserId(servlet.getRequest());
            }
            return Optional.empty();
        }
    }

}
