package io.github.helloretail4j.feed;

import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.internal.Messages;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order feed's orders from the shop's database: one query, one row per order line.
 *
 * <pre>{@code
 * SqlOrderSource source = SqlOrderSource.builder()
 *         .dataSource(shopDataSource)
 *         .query("""
 *                 SELECT o.number AS order_number, o.placed_at AS order_date, o.total, o.email,
 *                        o.customer_id, l.sku AS product_number, l.url AS product_url,
 *                        l.quantity, l.line_total
 *                 FROM orders o JOIN order_lines l ON l.order_id = o.id
 *                 WHERE o.placed_at >= ? AND o.placed_at < ?
 *                 ORDER BY o.placed_at, o.number, l.position""")
 *         .build();
 * source.check(); // at start: fails naming a column the query lacks
 * }</pre>
 *
 * <p>The query:
 * <ul>
 * <li>has two {@code ?}, bound to the start (inclusive) and the end (exclusive) of the window
 *     with {@link PreparedStatement#setTimestamp(int, Timestamp)}: exact for a
 *     {@code timestamp with time zone} column; a column without time zone is taken in the JVM's
 *     time zone, as JDBC does;</li>
 * <li>returns the columns {@code order_number}, {@code order_date}, {@code total}, {@code email},
 *     {@code customer_id}, {@code product_number}, {@code product_url}, {@code quantity} and
 *     {@code line_total} (by name, in any order, any case; others are ignored);
 *     {@code customer_id} and one of {@code product_number} and {@code product_url} may be null
 *     in a row;</li>
 * <li>returns the lines of an order one after another, with the order's own columns repeated on
 *     each: {@code ORDER BY} the order's date and number, so that the feed's pages are stable.</li>
 * </ul>
 *
 * <p>Rows are grouped into orders as they are read, and read in batches of {@code fetchSize}:
 * the result is never held in memory, only the order being read. For that the query runs on a
 * connection taken out of auto-commit and made read-only (PostgreSQL's driver reads through a
 * cursor only in a transaction), in a transaction that is rolled back at the end; both settings
 * are restored before the connection goes back. The connection is released when the feed closes
 * the stream: at its end, on an error of the database, or when writing the feed fails.
 *
 * <p>An order whose values do not make a {@link FeedOrder} (no email, a negative total, a line
 * without product) is left out of the feed and logged at WARN on the logger
 * {@code io.github.helloretail4j.feed}, naming the order and the field: one such row must not
 * keep every other order from Hello Retail. A failing database fails the feed.
 */
public final class SqlOrderSource implements OrderSource {

    /** The columns of the query, by name. */
    public static final List<String> COLUMNS = List.of("order_number", "order_date", "total", "email",
            "customer_id", "product_number", "product_url", "quantity", "line_total");
    private static final String COLUMN_LIST = String.join(", ", COLUMNS);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(60);
    /** Rows per round trip: large enough to keep a network's latency out of the way, small enough to hold. */
    public static final int DEFAULT_FETCH_SIZE = 1000;
    public static final int MAX_FETCH_SIZE = 100_000;

    private static final OrderLine PASSING_LINE =
            OrderLine.builder().productNumber("-").quantity(1).lineTotal(BigDecimal.ZERO).build();
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.feed");
    private static final int ORDER_NUMBER = 0;
    private static final int ORDER_DATE = 1;
    private static final int TOTAL = 2;
    private static final int EMAIL = 3;
    private static final int CUSTOMER_ID = 4;
    private static final int PRODUCT_NUMBER = 5;
    private static final int PRODUCT_URL = 6;
    private static final int QUANTITY = 7;
    private static final int LINE_TOTAL = 8;

    private final DataSource dataSource;
    private final String query;
    private final int queryTimeoutSeconds;
    private final int fetchSize;

    private SqlOrderSource(Builder b, String query) {
        this.dataSource = b.dataSource;
        this.query = query;
        this.queryTimeoutSeconds = (int) b.queryTimeout.getSeconds();
        this.fetchSize = b.fetchSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the query on an empty window (from and to both the epoch) and checks its columns; for
     * the start of the application, so that a wrong query is found then and not at Hello Retail's
     * next fetch.
     *
     * @throws IllegalStateException naming what is wrong with the query: a missing column (the
     *         message names it and lists the columns the query has), or what the database said
     *         when it refused the query (a syntax error, a wrong number of {@code ?})
     * @throws SQLException when no connection could be had from the data source (the database
     *         is down or unreachable: the query itself may be fine)
     */
    public void check() throws SQLException {
        Connection connection = dataSource.getConnection();
        Cursor cursor = new Cursor(connection);
        try {
            cursor.open(Instant.EPOCH, Instant.EPOCH);
        } finally {
            cursor.close();
        }
    }

    /**
     * The query's orders in {@code [from, to)}. The query runs now; its rows are read as the
     * stream is. The caller closes the stream, which releases the connection.
     *
     * @throws IllegalStateException when no connection could be had or the query failed; also
     *         while the stream is read, when the database fails then
     */
    @Override
    public Stream<FeedOrder> orders(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("order feed: no connection from the data source ("
                    + Messages.describe(e) + ")", e);
        }
        Cursor cursor = new Cursor(connection);
        try {
            cursor.open(from, to);
        } catch (RuntimeException e) {
            cursor.close();
            throw e;
        }
        return StreamSupport.stream(cursor, false).onClose(cursor::close);
    }

    /** The query and the settings; never the data source's credentials. */
    @Override
    public String toString() {
        return "SqlOrderSource{query=" + Messages.echo(query) + ", queryTimeout=" + queryTimeoutSeconds
                + "s, fetchSize=" + fetchSize + "}";
    }

    /**
     * One run of the query on one connection, read row by row into orders. Used by one thread;
     * {@link #close()} may come at any point and more than once.
     */
    private final class Cursor extends Spliterators.AbstractSpliterator<FeedOrder> {
        private final Connection connection;
        private boolean autoCommitBefore = true;
        private boolean readOnlyBefore;
        private boolean changedSettings;
        private PreparedStatement statement;
        private ResultSet rows;
        private final int[] column = new int[COLUMNS.size()];
        /** True while {@link #rows} stands on a row that belongs to the next order. */
        private boolean onRow;
        private boolean closed;

        Cursor(Connection connection) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.connection = connection;
        }

        void open(Instant from, Instant to) {
            try {
                readOnlyBefore = connection.isReadOnly();
                autoCommitBefore = connection.getAutoCommit();
                changedSettings = true;
                // Read-only first: a driver may refuse to change it inside a transaction.
                connection.setReadOnly(true);
                connection.setAutoCommit(false);
                statement = connection.prepareStatement(query, ResultSet.TYPE_FORWARD_ONLY,
                        ResultSet.CONCUR_READ_ONLY);
                statement.setFetchSize(fetchSize);
                statement.setQueryTimeout(queryTimeoutSeconds);
                statement.setTimestamp(1, Timestamp.from(from));
                statement.setTimestamp(2, Timestamp.from(to));
                rows = statement.executeQuery();
            } catch (SQLException e) {
                throw new IllegalStateException("the order feed's query failed (" + Messages.describe(e) + "): "
                        + Messages.echo(query), e);
            }
            findColumns();
        }

        private void findColumns() {
            Map<String, Integer> byName = new HashMap<>();
            List<String> names = new ArrayList<>();
            try {
                ResultSetMetaData meta = rows.getMetaData();
                for (int i = meta.getColumnCount(); i >= 1; i--) {
                    String name = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
                    byName.put(name, i); // the first of two columns of one name wins, as in findColumn
                    names.add(0, name);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("the order feed's query failed (" + Messages.describe(e) + "): "
                        + Messages.echo(query), e);
            }
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < COLUMNS.size(); c++) {
                Integer index = byName.get(COLUMNS.get(c));
                if (index == null) {
                    missing.add(COLUMNS.get(c));
                } else {
                    column[c] = index;
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("the order feed's query has no column " + String.join(", ", missing)
                        + " (it needs " + COLUMN_LIST + "; it has " + String.join(", ", names) + "): "
                        + Messages.echo(query));
            }
        }

        @Override
        public boolean tryAdvance(Consumer<? super FeedOrder> action) {
            if (closed) {
                return false;
            }
            try {
                FeedOrder order = nextOrder();
                if (order == null) {
                    // The last row is read: the connection goes back now, not when the feed is written out.
                    close();
                    return false;
                }
                action.accept(order);
                return true;
            } catch (SQLException e) {
                close();
                throw new IllegalStateException("the order feed's query failed while reading ("
                        + Messages.describe(e) + ")", e);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        /** The next order that makes a {@link FeedOrder}; null after the last row. */
        private FeedOrder nextOrder() throws SQLException {
            while (true) {
                if (!onRow) {
                    if (!rows.next()) {
                        return null;
                    }
                    onRow = true;
                }
                String number = rows.getString(column[ORDER_NUMBER]);
                Timestamp date = rows.getTimestamp(column[ORDER_DATE]);
                FeedOrder.Builder order = FeedOrder.builder()
                        .orderNumber(number)
                        .date(date == null ? null : date.toInstant())
                        .total(rows.getBigDecimal(column[TOTAL]))
                        .email(rows.getString(column[EMAIL]))
                        .customerId(rows.getString(column[CUSTOMER_ID]));
                List<OrderLine> lines = new ArrayList<>();
                int count = 0;
                String problem = null;
                do {
                    count++;
                    if (problem == null && count <= FeedOrder.MAX_LINES) {
                        try {
                            lines.add(line());
                        } catch (IllegalArgumentException | IllegalStateException e) {
                            problem = e.getMessage();
                        }
                    }
                    onRow = rows.next();
                } while (onRow && Objects.equals(number, rows.getString(column[ORDER_NUMBER])));
                if (problem == null && count > FeedOrder.MAX_LINES) {
                    problem = "lines must hold 1 to " + FeedOrder.MAX_LINES + " entries: " + count + " given";
                }
                try {
                    if (problem != null) {
                        // The order's own fields first (a missing email says more than its third line):
                        // built with a line that passes, their problem is thrown from here.
                        order.lines(List.of(lines.isEmpty() ? PASSING_LINE : lines.get(0))).build();
                        throw new IllegalArgumentException("order " + Messages.echo(number) + ": " + problem);
                    }
                    return order.lines(lines).build();
                } catch (IllegalArgumentException | IllegalStateException e) {
                    LOG.warn("order feed: an order is left out: {}", e.getMessage());
                }
            }
        }

        private OrderLine line() throws SQLException {
            OrderLine.Builder line = OrderLine.builder()
                    .productNumber(rows.getString(column[PRODUCT_NUMBER]))
                    .url(rows.getString(column[PRODUCT_URL]))
                    .lineTotal(rows.getBigDecimal(column[LINE_TOTAL]));
            BigDecimal quantity = rows.getBigDecimal(column[QUANTITY]);
            if (quantity != null) {
                try {
                    line.quantity(quantity.intValueExact());
                } catch (ArithmeticException e) {
                    // Built anyway, so that the message names the line as the other problems do.
                    String name = "order line " + Messages.echo(rows.getString(column[PRODUCT_NUMBER]) != null
                            ? rows.getString(column[PRODUCT_NUMBER]) : rows.getString(column[PRODUCT_URL]));
                    throw new IllegalArgumentException(name + ": quantity must be a whole number from 1 to "
                            + Integer.MAX_VALUE + ": " + quantity.toPlainString(), e);
                }
            }
            return line.build();
        }

        /** Releases the rows, the statement and the connection; never throws. */
        void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (rows != null) {
                    rows.close();
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("order feed: closing the query's rows failed", e);
            }
            try {
                if (statement != null) {
                    statement.close();
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("order feed: closing the query's statement failed", e);
            }
            try {
                if (changedSettings) {
                    if (!connection.getAutoCommit()) {
                        connection.rollback();
                    }
                    connection.setAutoCommit(autoCommitBefore);
                    connection.setReadOnly(readOnlyBefore);
                }
            } catch (SQLException | RuntimeException e) {
                // A broken connection: the pool finds out for itself when it gets it back.
                LOG.debug("order feed: restoring the connection's settings failed", e);
            } finally {
                try {
                    connection.close();
                } catch (SQLException | RuntimeException e) {
                    LOG.warn("order feed: the connection could not be given back ({})", Messages.describe(e));
                }
            }
        }
    }

    /** Collects the settings of a {@link SqlOrderSource}. */
    public static final class Builder {
        private DataSource dataSource;
        private String query;
        private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
        private int fetchSize = DEFAULT_FETCH_SIZE;

        private Builder() {
        }

        /** Required: the shop's database, a pooled DataSource in production. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /** Required: the query (see the class's description); one statement, a trailing {@code ;} is dropped. */
        public Builder query(String query) {
            this.query = query;
            return this;
        }

        /**
         * How long the query may run before the driver cancels it, in whole seconds, at least 1;
         * 60 s by default. It bounds the query's execution, not the time Hello Retail takes to
         * read the feed: that is bounded by the container's idle timeout.
         */
        public Builder queryTimeout(Duration queryTimeout) {
            this.queryTimeout = queryTimeout;
            return this;
        }

        /** Rows per round trip to the database, 1 to {@value #MAX_FETCH_SIZE}; {@value #DEFAULT_FETCH_SIZE} by default. */
        public Builder fetchSize(int fetchSize) {
            this.fetchSize = fetchSize;
            return this;
        }

        /**
         * @throws IllegalStateException when the data source or the query is missing
         * @throws IllegalArgumentException when a value is out of range; the message names the
         *         field and echoes the value
         */
        public SqlOrderSource build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource is required");
            }
            if (query == null) {
                throw new IllegalStateException("query is required");
            }
            String trimmed = query.strip();
            while (trimmed.endsWith(";")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
            }
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("query must be an SQL query: " + Messages.echo(query));
            }
            if (queryTimeout == null || queryTimeout.compareTo(Duration.ofSeconds(1)) < 0
                    || queryTimeout.getSeconds() > Integer.MAX_VALUE || queryTimeout.getNano() != 0) {
                throw new IllegalArgumentException("queryTimeout must be whole seconds, at least 1: " + queryTimeout);
            }
            if (fetchSize < 1 || fetchSize > MAX_FETCH_SIZE) {
                throw new IllegalArgumentException("fetchSize must be from 1 to " + MAX_FETCH_SIZE + ": " + fetchSize);
            }
            return new SqlOrderSource(this, trimmed);
        }
    }
}
