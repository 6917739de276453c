package io.github.helloretail4j.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conversions in a table of the shop's own database (PostgreSQL 12, MySQL 8.0 or MariaDB 10.6,
 * or newer: {@link OutboxDialect}), shared by every node of the shop: a conversion commits with
 * the shop's order, or not at all, and whichever node is alive delivers it.
 *
 * <h2>The table</h2>
 * Created when missing ({@link OutboxSchema}; its statements are {@link OutboxStatements}). One
 * row per website and order number: the unique key is the
 * order-number memory of all nodes, and a duplicate insert never aborts the shop's transaction
 * (PostgreSQL: {@code ON CONFLICT DO NOTHING}; MySQL and MariaDB: the duplicate-key error, which
 * undoes its statement alone). Each tracker sees only the rows of its own website
 * UUID, so a staging tracker on a shared database never delivers production's conversions.
 *
 * <h2>Sharing the delivery</h2>
 * {@link #take} claims several rows (the conversion thread's free window) in one auto-committed
 * statement: {@code SELECT ... FOR UPDATE SKIP LOCKED LIMIT n} picks the oldest pending rows that
 * no node holds, and the same statement writes this node's name and one lease ({@code lease_until}, on the database's clock, so that nodes whose
 * clocks disagree still never hold a row together). No row lock outlives the statement: the lease
 * is the claim. {@link #delivered}, {@link #deadLetter} and {@link #release} (a row taken and not
 * attempted) end it; so does {@link #failedAttempt} when the request cannot have arrived (no
 * connection). A row whose outcome is unknown (a timeout, a reset) keeps its lease, and so does
 * whatever a node holds when it closes or dies: then any node takes the row when the lease runs
 * out. The row is late by at most the lease, and it is sent twice only when its outcome was
 * unknown, or the node died after Hello Retail recorded it and before the {@code delivered}
 * update committed. The lease must outlast one attempt (connect plus response timeout), or a
 * slow attempt could be taken over and sent twice.
 *
 * <h2>Connections</h2>
 * Every operation borrows a connection from the shop's pool and returns it before it returns;
 * nothing is held between operations, none while idle. A connection the pool hands out without
 * auto-commit is committed (or rolled back) by the operation that borrowed it. The shop's own
 * connection in {@link #add(Connection, String, byte[])} is used as it is.
 *
 * <h2>Several nodes</h2>
 * {@link #pending()} counts the rows of this website that wait and that no node holds now (so
 * it reads 0 exactly when {@link #next} finds nothing), over the whole table, not only
 * those this node added: every node shows the same backlog, and summing it over nodes counts it
 * several times. {@link #recovered()} is that count when the outbox was opened. Outcomes are
 * committed as they are recorded (deliveries a window at a time, {@link #delivered(List)}), so
 * {@link #sync()} has nothing left to do.
 *
 * <h2>Pruning</h2>
 * Delivered rows lose their body at once (it holds the customer's email) and are deleted once
 * their order number is older than the order-number window, by whichever node's delivery thread
 * gets there first, at most every {@code pruneEvery}, in batches of {@code pruneBatch} rows
 * (each its own short transaction). Dead letters stay until an operator deletes them.
 */
final class DatabaseOutbox implements Outbox {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.outbox");

    static final String DEFAULT_TABLE = OutboxSchema.DEFAULT_TABLE;

    /** Longer than an attempt takes with the default timeouts (2 s connect + 10 s response), several times over. */
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    /**
     * An idle node looks for conversions other nodes (or a shop transaction that committed after
     * the tracker was told) added this often: one indexed query a second per node.
     */
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    static final Duration DEFAULT_PRUNE_EVERY = Duration.ofMinutes(1);
    static final int DEFAULT_PRUNE_BATCH = 500;
    /** Per pruning round, so that a backlog of old rows is worked off over several rounds, not in one long pause. */
    static final int MAX_PRUNE_BATCHES = 20;
    /** As for the file outbox: a conversion of 10,000 product URLs fits. */
    static final int MAX_BODY = 64 * 1024 * 1024;
    /**
     * How long {@link #pending()} answers from memory after the database could not be reached
     * (SQL state class 08, or 57P: the server shutting down), so that metrics and a tracker's
     * close do not wait a pool's connection timeout each time.
     */
    static final Duration UNREACHABLE_PAUSE = Duration.ofSeconds(5);
    /** Our own statements give up after this, so a hung database cannot hold the delivery thread for ever. */
    static final int QUERY_TIMEOUT_SECONDS = 30;

    /**
     * How the outbox shares its table.
     *
     * @param table the table, optionally with its schema ({@code shop.helloretail_outbox})
     * @param lease how long a claim lasts; must outlast one attempt
     * @param pollInterval what {@link #pollInterval()} returns
     * @param pruneEvery how often a node prunes delivered rows past the order-number window
     * @param pruneBatch rows deleted per pruning transaction
     * @param node this node's name in {@code claimed_by}
     */
    record Options(String table, Duration lease, Duration pollInterval, Duration pruneEvery, int pruneBatch,
                   String node) {

        static Options defaults() {
            return new Options(DEFAULT_TABLE, DEFAULT_LEASE, DEFAULT_POLL_INTERVAL, DEFAULT_PRUNE_EVERY,
                    DEFAULT_PRUNE_BATCH, defaultNode());
        }

        Options table(String table) {
            return new Options(table, lease, pollInterval, pruneEvery, pruneBatch, node);
        }

        Options lease(Duration lease) {
            return new Options(table, lease, pollInterval, pruneEvery, pruneBatch, node);
        }

        Options pollInterval(Duration pollInterval) {
            return new Options(table, lease, pollInterval, pruneEvery, pruneBatch, node);
        }

        Options pruning(Duration pruneEvery, int pruneBatch) {
            return new Options(table, lease, pollInterval, pruneEvery, pruneBatch, node);
        }

        Options node(String node) {
            return new Options(table, lease, pollInterval, pruneEvery, pruneBatch, node);
        }
    }

    private final DataSource dataSource;
    private final String websiteUuid;
    private final Clock clock;
    private final long windowMillis;
    private final Options options;
    private final String table;
    private final String description;
    /** Non-UTF-8 databases get the JSON with every non-ASCII character escaped: the same JSON, storable in any encoding. */
    private final boolean asciiOnly;
    private final int recovered;

    private final OutboxDialect dialect;
    private final OutboxStatements sql;

    private final AtomicBoolean pruning = new AtomicBoolean();
    private volatile long nextPruneNanos;
    private volatile boolean pruneTroubleLogged;
    private volatile int lastPending;
    private volatile boolean closed;
    /** Until then {@link #pending()} does not ask: the database just failed to answer, and asking again would only wait. */
    private volatile long unreachableUntilNanos = System.nanoTime();

    private DatabaseOutbox(DataSource dataSource, String websiteUuid, Clock clock, Duration dedupeWindow,
                           Options options, String[] name, OutboxSchema.Found found) throws IOException {
        this.dataSource = dataSource;
        this.websiteUuid = websiteUuid;
        this.clock = clock;
        this.windowMillis = dedupeWindow.toMillis();
        this.options = options;
        this.table = name[0];
        this.description = found.description();
        this.asciiOnly = found.asciiOnly();
        this.dialect = found.dialect();
        this.sql = dialect.statements(table);
        this.recovered = countPending();
        this.lastPending = recovered;
        this.nextPruneNanos = System.nanoTime();
    }

    /**
     * Opens the outbox on the shop's database, creating its table when missing.
     *
     * @throws IllegalArgumentException when the database is none the outbox takes (see
     *         {@link OutboxDialect}), or the table name is not one it takes; the message names what
     *         was found
     * @throws IOException when the database cannot be reached, or the table exists but is not
     *         a helloretail4j outbox
     */
    static DatabaseOutbox open(DataSource dataSource, String websiteUuid, Clock clock, Duration dedupeWindow,
                               Options options) throws IOException {
        Objects.requireNonNull(dataSource, "outboxDataSource");
        Objects.requireNonNull(websiteUuid, "websiteUuid");
        String[] name = OutboxSchema.tableName(options.table());
        requirePositive("lease", options.lease());
        requirePositive("pollInterval", options.pollInterval());
        requirePositive("pruneEvery", options.pruneEvery());
        if (options.pruneBatch() < 1) {
            throw new IllegalArgumentException("pruneBatch must be at least 1: " + options.pruneBatch());
        }
        OutboxSchema.Found found;
        try (Connection c = dataSource.getConnection()) {
            found = OutboxSchema.prepare(c, name);
        } catch (SQLException e) {
            throw failure("the outbox table " + name[0] + " cannot be used", e);
        }
        return new DatabaseOutbox(dataSource, websiteUuid, clock, dedupeWindow, options, name, found);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }

    @Override
    public Added add(String orderNumber, byte[] body) throws IOException {
        String json = prepare(orderNumber, body);
        try {
            return oneStatement(c -> insert(c, orderNumber, json));
        } catch (SQLException e) {
            // the engine names the order and this outbox around it
            throw failure(null, e);
        }
    }

    @Override
    public Added add(Connection connection, String orderNumber, byte[] body) throws IOException {
        Objects.requireNonNull(connection, "connection");
        String json = prepare(orderNumber, body);
        try {
            return insert(connection, orderNumber, json);
        } catch (SQLException e) {
            throw failure(null, e);
        }
    }

    private String prepare(String orderNumber, byte[] body) {
        Objects.requireNonNull(orderNumber, "orderNumber");
        ensureOpen();
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("conversion " + Messages.echo(orderNumber) + " is " + body.length
                    + " bytes as JSON; the outbox takes at most " + MAX_BODY);
        }
        String json = new String(body, StandardCharsets.UTF_8);
        return asciiOnly ? asciiJson(json) : json;
    }

    private Added insert(Connection c, String orderNumber, String json) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql.insert())) {
            s.setString(1, websiteUuid);
            s.setString(2, orderNumber);
            s.setObject(3, dialect.timestamp(clock.instant()));
            s.setString(4, json);
            return dialect.insert(s) ? Added.ACCEPTED : Added.DUPLICATE;
        }
    }

    @Override
    public Entry next(long afterId) throws IOException {
        List<Entry> one = take(afterId, 1);
        return one.isEmpty() ? null : one.get(0);
    }

    /**
     * Claims up to {@code max} rows in one statement (two when it wraps around to the oldest),
     * all with one lease.
     */
    @Override
    public List<Entry> take(long afterId, int max) throws IOException {
        ensureOpen();
        maybePrune();
        try {
            return inTransaction(c -> {
                List<Entry> claimed = claim(c, afterId, max);
                if (claimed.size() < max && afterId > 0) {
                    // rows just claimed hold a lease now: the second claim does not see them
                    claimed.addAll(claim(c, 0, max - claimed.size()));
                }
                return claimed;
            });
        } catch (SQLException e) {
            throw failure("could not claim the next conversion", e);
        }
    }

    private List<Entry> claim(Connection c, long afterId, int max) throws SQLException {
        List<Entry> claimed = new ArrayList<>();
        dialect.claim(c, sql, options.node(), options.lease().toMillis(), websiteUuid, afterId, max, rs -> {
            String message = rs.getString("last_message");
            int status = rs.getInt("last_status");
            Outcome last = message == null ? null : new Outcome(Outcome.Type.RETRY, status, message, null);
            claimed.add(new Entry(rs.getLong("id"), dialect.epochMillis(rs, "created_at"),
                    rs.getString("order_number"), rs.getString("body").getBytes(StandardCharsets.UTF_8), last));
        });
        // RETURNING keeps no order: oldest first, as they were picked
        claimed.sort(Comparator.comparingLong(Entry::id));
        return claimed;
    }

    @Override
    public void delivered(Entry entry, Fate fate) throws IOException {
        ensureOpen();
        String state = fate == Fate.DELIVERED ? "delivered" : "not_tracked";
        update("record the delivery of", entry, sql.delivered(), s -> {
            s.setString(1, state);
            s.setObject(2, dialect.timestamp(clock.instant()));
            s.setLong(3, entry.id());
        });
    }

    /** One transaction, one round trip (a JDBC batch): what a window of answers comes to. */
    @Override
    public void delivered(List<Done> done) throws IOException {
        ensureOpen();
        if (done.isEmpty()) {
            return;
        }
        Object now = dialect.timestamp(clock.instant());
        try {
            inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement(sql.delivered())) {
                    s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                    for (Done d : done) {
                        s.setString(1, d.fate() == Fate.DELIVERED ? "delivered" : "not_tracked");
                        s.setObject(2, now);
                        s.setLong(3, d.entry().id());
                        s.addBatch();
                    }
                    return s.executeBatch();
                }
            });
        } catch (SQLException e) {
            throw failure("could not record the delivery of " + done.size() + " conversions (the first "
                    + Messages.echo(done.get(0).entry().orderNumber()) + ")", e);
        }
    }

    @Override
    public void failedAttempt(Entry entry, Outcome outcome) throws IOException {
        ensureOpen();
        update("record the failed attempt of", entry, sql.failed(), s -> bindFailed(s, entry, outcome));
    }

    /** One transaction, one round trip (a JDBC batch): the failures of a window caught by an outage. */
    @Override
    public void failedAttempts(List<Failed> failed) throws IOException {
        ensureOpen();
        if (failed.isEmpty()) {
            return;
        }
        try {
            inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement(sql.failed())) {
                    s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                    for (Failed f : failed) {
                        bindFailed(s, f.entry(), f.outcome());
                        s.addBatch();
                    }
                    return s.executeBatch();
                }
            });
        } catch (SQLException e) {
            throw failure("could not record the failed attempts of " + failed.size() + " conversions (the first "
                    + Messages.echo(failed.get(0).entry().orderNumber()) + ")", e);
        }
    }

    private void bindFailed(PreparedStatement s, Entry entry, Outcome outcome) throws SQLException {
        setStatus(s, 1, outcome.status());
        s.setString(2, outcome.message());
        s.setString(3, options.node());
        s.setBoolean(4, outcome.mayHaveArrived());
        s.setString(5, options.node());
        s.setBoolean(6, outcome.mayHaveArrived());
        s.setLong(7, entry.id());
    }

    @Override
    public void release(Entry entry) throws IOException {
        ensureOpen();
        update("hand back", entry, sql.release(), s -> {
            s.setLong(1, entry.id());
            s.setString(2, options.node());
        });
    }

    @Override
    public void deadLetter(Entry entry, String reason, Outcome last, Instant now) throws IOException {
        ensureOpen();
        update("move to the dead letters", entry, sql.dead(), s -> {
            s.setString(1, reason);
            s.setObject(2, dialect.timestamp(now));
            s.setBoolean(3, last != null);
            setStatus(s, 4, last == null ? 0 : last.status());
            s.setBoolean(5, last != null);
            s.setString(6, last == null ? null : last.message());
            s.setLong(7, entry.id());
        });
    }

    /** No HTTP status (an I/O failure, status 0) is NULL in the table. */
    private static void setStatus(PreparedStatement s, int index, int status) throws SQLException {
        if (status == 0) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, status);
        }
    }

    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    private void update(String what, Entry entry, String sql, Binder binder) throws IOException {
        try {
            int rows = oneStatement(c -> {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                    binder.bind(s);
                    return s.executeUpdate();
                }
            });
            if (rows == 0 && LOG.isDebugEnabled()) {
                // another node finished it after this node's lease ran out
                LOG.debug("conversion {} was no longer waiting in the {}", Messages.echo(entry.orderNumber()), description);
            }
        } catch (SQLException e) {
            throw failure("could not " + what + " conversion " + Messages.echo(entry.orderNumber()), e);
        }
    }

    /** Every outcome was committed as it was recorded. */
    @Override
    public void sync() {
    }

    @Override
    public java.time.Duration pollInterval() {
        return options.pollInterval();
    }

    /**
     * Rows of this website that wait and that no node holds now (so 0 exactly when {@link #next}
     * finds nothing: the engine's closing loop relies on it); one indexed count per call. The
     * last count when the database cannot be asked, or could not be reached a moment ago.
     */
    @Override
    public int pending() {
        if (!closed && System.nanoTime() - unreachableUntilNanos >= 0) {
            try {
                lastPending = countPending();
            } catch (IOException e) {
                LOG.debug("could not count the conversions waiting in the {}: {}", description, e.getMessage());
            }
        }
        return lastPending;
    }

    private int countPending() throws IOException {
        try {
            return oneStatement(c -> {
                try (PreparedStatement s = c.prepareStatement(sql.pending())) {
                    s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                    s.setString(1, websiteUuid);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        return (int) Math.min(Integer.MAX_VALUE, rs.getLong(1));
                    }
                }
            });
        } catch (SQLException e) {
            throw failure("could not count the conversions waiting", e);
        }
    }

    @Override
    public int recovered() {
        return recovered;
    }

    @Override
    public List<String> recoveryProblems() {
        return List.of();
    }

    @Override
    public String describe() {
        return description;
    }

    String nodeName() {
        return options.node();
    }

    /** Prunes when a round is due; a failure is logged, never thrown: delivery goes on without it. */
    private void maybePrune() {
        if (System.nanoTime() - nextPruneNanos < 0 || !pruning.compareAndSet(false, true)) {
            return;
        }
        try {
            nextPruneNanos = System.nanoTime() + options.pruneEvery().toNanos();
            prune(MAX_PRUNE_BATCHES);
            pruneTroubleLogged = false;
        } catch (IOException e) {
            if (!pruneTroubleLogged) {
                pruneTroubleLogged = true;
                LOG.warn("{}; trying again in {} s. Further failures are logged at DEBUG", e.getMessage(),
                        options.pruneEvery().toSeconds());
            } else {
                LOG.debug("{}", e.getMessage());
            }
        } finally {
            pruning.set(false);
        }
    }

    /**
     * Deletes delivered rows whose order number is past the window, a batch per transaction,
     * until a batch comes back short or {@code maxBatches} ran; the rows deleted.
     */
    int prune(int maxBatches) throws IOException {
        Instant before = clock.instant().minusMillis(windowMillis);
        int total = 0;
        try {
            for (int i = 0; i < maxBatches; i++) {
                int deleted = inTransaction(c -> dialect.prune(c, sql, websiteUuid, before, options.pruneBatch()));
                total += deleted;
                if (deleted < options.pruneBatch()) {
                    break;
                }
            }
        } catch (SQLException e) {
            throw failure("could not prune delivered conversions from the " + description, e);
        }
        return total;
    }

    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Work of several statements (or a batch), on one borrowed connection, in a transaction of
     * its own where the dialect needs one (a claim there is two statements), at the isolation it
     * needs: committed here, and rolled back on failure, so that nothing half-done goes back to
     * the pool.
     */
    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        return borrowing(work, dialect.isolation());
    }

    /**
     * One statement, on the connection as the pool hands it out: in auto-commit it is its own
     * transaction, and switching the connection's mode and isolation would cost more round trips
     * than the statement itself; otherwise committed here.
     */
    private <T> T oneStatement(SqlWork<T> work) throws SQLException {
        return borrowing(work, -1);
    }

    private <T> T borrowing(SqlWork<T> work, int isolation) throws SQLException {
        try {
            return borrowed(work, isolation);
        } catch (SQLException e) {
            if (dialect.unreachable(e)) {
                unreachableUntilNanos = System.nanoTime() + UNREACHABLE_PAUSE.toNanos();
            }
            throw e;
        }
    }

    /** With {@code isolation} -1: no transaction of its own. The connection goes back as it came. */
    private <T> T borrowed(SqlWork<T> work, int isolation) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            int was = isolation < 0 ? -1 : c.getTransactionIsolation();
            boolean own = isolation >= 0;
            if (own) {
                if (was != isolation) {
                    c.setTransactionIsolation(isolation);
                }
                if (auto) {
                    c.setAutoCommit(false);
                }
            }
            try {
                T result = work.run(c);
                if (!auto || own) {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (!auto || own) {
                    try {
                        c.rollback();
                    } catch (SQLException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            } finally {
                if (own) {
                    restore(c, auto, was, isolation);
                }
            }
        }
    }

    private static void restore(Connection c, boolean auto, int was, int isolation) throws SQLException {
        if (auto) {
            c.setAutoCommit(true);
        }
        if (was != isolation) {
            c.setTransactionIsolation(was);
        }
    }

    /**
     * What went wrong ({@code what}: ..., or only the rest when null), with the SQL state, and
     * the driver's cause where a pool wrapped it.
     */
    static IOException failure(String what, SQLException e) {
        StringBuilder m = new StringBuilder(what == null ? "" : what + ": ").append("SQL state ")
                .append(e.getSQLState() == null ? "unknown" : e.getSQLState()).append(": ").append(e.getMessage());
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !Objects.equals(cause.getMessage(), e.getMessage())) {
            m.append(" (").append(cause.getMessage()).append(')');
        }
        return new IOException(m.toString(), e);
    }

    /** The same JSON with every character above ASCII as a {@code \\uXXXX} escape. */
    static String asciiJson(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c >= 0x80) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? json : out.toString();
    }

    /** host/pid/random: the pod's name on Kubernetes, and apart for two trackers in one JVM. */
    static String defaultNode() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown-host";
            }
        }
        if (host.length() > 150) {
            host = host.substring(0, 150);
        }
        return host + "/" + ProcessHandle.current().pid() + "/"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000) | 0x1000000).substring(1);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the outbox is closed");
        }
    }

    /**
     * Closes the outbox. What this node still holds stays held until its lease ends: the
     * conversion thread hands back what it took and did not attempt ({@link #release}), so
     * a row still held here is one whose request may have reached Hello Retail, and handing it
     * to another node at once would send that order twice. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
    }
}
