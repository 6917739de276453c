package io.github.helloretail4j.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What differs between the databases the outbox keeps conversions in: PostgreSQL 12+, and
 * MySQL 8.0+ and MariaDB 10.6+ (one dialect: the same SQL runs on both). Which one a
 * {@code DataSource} leads to is told from its connection ({@link #of}); any other database, or
 * an older version, is refused naming what was found and what is supported.
 */
abstract sealed class OutboxDialect permits OutboxDialect.Postgres, OutboxDialect.MySql {

    static final int MIN_POSTGRESQL = 12;
    /** The first with {@code SKIP LOCKED}. */
    static final int MIN_MYSQL = 8;
    /** The first MariaDB with {@code SKIP LOCKED}: 10.6. */
    static final int[] MIN_MARIADB = {10, 6};
    static final String SUPPORTED = "PostgreSQL " + MIN_POSTGRESQL + ", MySQL " + MIN_MYSQL + ".0 or MariaDB "
            + MIN_MARIADB[0] + "." + MIN_MARIADB[1] + " or newer";

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    /** {@code PostgreSQL 15.4}, {@code MariaDB 10.11}: the product and major.minor, for messages. */
    final String product;

    private OutboxDialect(String product) {
        this.product = product;
    }

    /**
     * The dialect of the connection's database.
     *
     * @throws IllegalArgumentException when it is none the outbox takes, naming what it is
     */
    static OutboxDialect of(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String name = md.getDatabaseProductName();
        String version = md.getDatabaseProductVersion();
        if ("MySQL".equalsIgnoreCase(name) || "MariaDB".equalsIgnoreCase(name)) {
            // MySQL's driver calls MariaDB "MySQL"; the server's own version string tells them apart
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT VERSION()")) {
                rs.next();
                version = rs.getString(1);
            }
            name = version.toLowerCase(java.util.Locale.ROOT).contains("mariadb") ? "MariaDB" : "MySQL";
        }
        String refusal = refusal(name, version);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        int[] v = majorMinor(version);
        String product = name + " " + v[0] + "." + v[1];
        return "PostgreSQL".equals(name) ? new Postgres(product) : new MySql(product);
    }

    /**
     * Why the outbox cannot keep conversions in this database, or null when it can. {@code name}
     * is the product ({@code PostgreSQL}, {@code MySQL}, {@code MariaDB}, or what a driver calls
     * another), {@code version} its version string.
     */
    static String refusal(String name, String version) {
        int[] v = majorMinor(version);
        String needs = switch (name) {
            case "PostgreSQL" -> v[0] >= MIN_POSTGRESQL ? null : "PostgreSQL " + MIN_POSTGRESQL;
            case "MySQL" -> v[0] >= MIN_MYSQL ? null : "MySQL " + MIN_MYSQL + ".0";
            case "MariaDB" -> v[0] > MIN_MARIADB[0] || (v[0] == MIN_MARIADB[0] && v[1] >= MIN_MARIADB[1]) ? null
                    : "MariaDB " + MIN_MARIADB[0] + "." + MIN_MARIADB[1];
            default -> "";
        };
        if (needs == null) {
            return null;
        }
        return needs.isEmpty()
                ? "outboxDataSource is a " + name + " " + version + " database; helloretail4j keeps conversions in "
                        + SUPPORTED
                : "outboxDataSource is " + name + " " + version + "; helloretail4j needs " + needs + " or newer";
    }

    private static int[] majorMinor(String version) {
        Matcher m = VERSION.matcher(version == null ? "" : version);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
    }

    /** The DDL shipped in the jar, which the outbox runs when its table is missing. */
    abstract String ddlResource();

    /** The longest identifier the database takes. */
    abstract int maxIdentifier();

    /** The DDL script as the statements to execute one by one. */
    abstract List<String> ddlStatements(String script);

    abstract OutboxStatements statements(String table);

    /** The schema (PostgreSQL) or database (MySQL) a table name without one is in. */
    abstract String currentSchema(Connection c) throws SQLException;

    /** True when the table's {@code body} cannot hold every character: the JSON is stored ASCII-escaped. */
    abstract boolean asciiOnly(Connection c, String schema, String table) throws SQLException;

    abstract boolean exists(Connection c, String schema, String table) throws SQLException;

    /**
     * Holds a lock named after the table, so that nodes starting at once do not race on
     * creating it; released by {@link #unlockCreation}, or by the transaction's end (PostgreSQL).
     */
    abstract void lockCreation(Connection c, String table) throws SQLException;

    abstract void unlockCreation(Connection c, String table) throws SQLException;

    /** An instant as the driver binds it to the table's timestamp columns. */
    abstract Object timestamp(Instant instant);

    /** A timestamp column as epoch milliseconds. */
    abstract long epochMillis(ResultSet rs, String column) throws SQLException;

    /**
     * Inserts a conversion with the bound {@code insert}; false when its order number is there
     * already. Never leaves the caller's transaction unusable for a repeated order number.
     */
    abstract boolean insert(PreparedStatement insert) throws SQLException;

    /**
     * Claims up to {@code max} rows after {@code afterId} for {@code node}, with one lease of
     * {@code leaseMillis}; the rows' {@code id, created_at, order_number, body, last_status,
     * last_message} go to {@code row}. Runs in the transaction {@code c} is in.
     */
    abstract void claim(Connection c, OutboxStatements sql, String node, long leaseMillis, String websiteUuid,
                        long afterId, int max, RowReader row) throws SQLException;

    /** Deletes up to {@code batch} delivered rows created before {@code before}; the rows deleted. */
    abstract int prune(Connection c, OutboxStatements sql, String websiteUuid, Instant before, int batch)
            throws SQLException;

    /**
     * The isolation the outbox's own transactions need, or -1 for the connection's as it is.
     * MySQL's default (repeatable read) locks the gaps a claim's range scan passes: the shop's
     * inserts of new orders would wait for it.
     */
    abstract int isolation();

    /** True when the failure says the database cannot be reached now (or is shutting down). */
    abstract boolean unreachable(SQLException e);

    @FunctionalInterface
    interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    static final class Postgres extends OutboxDialect {

        Postgres(String product) {
            super(product);
        }

        @Override
        String ddlResource() {
            return "/META-INF/helloretail4j/postgresql.sql";
        }

        @Override
        int maxIdentifier() {
            return 63; // NAMEDATALEN - 1
        }

        @Override
        List<String> ddlStatements(String script) {
            return List.of(script);
        }

        @Override
        OutboxStatements statements(String table) {
            return OutboxStatements.postgresql(table);
        }

        @Override
        String currentSchema(Connection c) throws SQLException {
            return string(c, "SELECT current_schema()");
        }

        @Override
        boolean asciiOnly(Connection c, String schema, String table) throws SQLException {
            return !"UTF8".equalsIgnoreCase(string(c, "SELECT current_setting('server_encoding')"));
        }

        @Override
        boolean exists(Connection c, String schema, String table) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                s.setString(1, schema + "." + table);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        }

        @Override
        void lockCreation(Connection c, String table) throws SQLException {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "helloretail4j outbox " + table);
                lock.execute();
            }
        }

        @Override
        void unlockCreation(Connection c, String table) {
            // a transaction-scoped lock: the commit releases it
        }

        @Override
        Object timestamp(Instant instant) {
            return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
        }

        @Override
        long epochMillis(ResultSet rs, String column) throws SQLException {
            return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
        }

        @Override
        boolean insert(PreparedStatement insert) throws SQLException {
            return insert.executeUpdate() == 1; // ON CONFLICT DO NOTHING: 0 rows for a repeat
        }

        @Override
        void claim(Connection c, OutboxStatements sql, String node, long leaseMillis, String websiteUuid,
                   long afterId, int max, RowReader row) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql.claim())) {
                s.setQueryTimeout(DatabaseOutbox.QUERY_TIMEOUT_SECONDS);
                s.setString(1, node);
                s.setLong(2, leaseMillis);
                s.setString(3, websiteUuid);
                s.setLong(4, afterId);
                s.setInt(5, max);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        row.read(rs);
                    }
                }
            }
        }

        @Override
        int prune(Connection c, OutboxStatements sql, String websiteUuid, Instant before, int batch)
                throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql.prune())) {
                s.setQueryTimeout(DatabaseOutbox.QUERY_TIMEOUT_SECONDS);
                s.setString(1, websiteUuid);
                s.setObject(2, timestamp(before));
                s.setInt(3, batch);
                return s.executeUpdate();
            }
        }

        @Override
        int isolation() {
            return -1;
        }

        @Override
        boolean unreachable(SQLException e) {
            String state = e.getSQLState();
            return state != null && (state.startsWith("08") || state.startsWith("57P"));
        }
    }

    static final class MySql extends OutboxDialect {
        /** ER_DUP_ENTRY, the same number in MySQL and MariaDB. */
        static final int DUPLICATE_KEY = 1062;
        /** GET_LOCK names are at most 64 characters. */
        private static final int MAX_LOCK_NAME = 64;
        /** How long a starting node waits for another that is creating the table. */
        private static final int LOCK_SECONDS = 30;

        MySql(String product) {
            super(product);
        }

        @Override
        String ddlResource() {
            return "/META-INF/helloretail4j/mysql.sql";
        }

        @Override
        int maxIdentifier() {
            return 64;
        }

        /** One statement per {@code ;} at the end of a line: the driver runs one at a time. */
        @Override
        List<String> ddlStatements(String script) {
            List<String> statements = new ArrayList<>();
            for (String part : script.split(";[ \\t]*(\\r?\\n|$)")) {
                StringBuilder sql = new StringBuilder();
                for (String line : part.split("\\r?\\n")) {
                    if (!line.strip().startsWith("--")) {
                        sql.append(line).append('\n');
                    }
                }
                if (!sql.toString().isBlank()) {
                    statements.add(sql.toString().strip());
                }
            }
            return statements;
        }

        @Override
        OutboxStatements statements(String table) {
            return OutboxStatements.mysql(table);
        }

        @Override
        String currentSchema(Connection c) throws SQLException {
            return string(c, "SELECT DATABASE()");
        }

        @Override
        boolean asciiOnly(Connection c, String schema, String table) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT character_set_name FROM information_schema.columns"
                    + " WHERE table_schema = ? AND table_name = ? AND column_name = 'body'")) {
                s.setString(1, schema);
                s.setString(2, table);
                try (ResultSet rs = s.executeQuery()) {
                    return !rs.next() || rs.getString(1) == null || !rs.getString(1).startsWith("utf8mb4");
                }
            }
        }

        @Override
        boolean exists(Connection c, String schema, String table) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
                s.setString(1, schema);
                s.setString(2, table);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        }

        @Override
        void lockCreation(Connection c, String table) throws SQLException {
            try (PreparedStatement lock = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
                lock.setString(1, lockName(table));
                lock.setInt(2, LOCK_SECONDS);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != 1) {
                        throw new SQLException("another node held the lock " + lockName(table) + " for "
                                + LOCK_SECONDS + " s while creating the outbox table", "55P03");
                    }
                }
            }
        }

        @Override
        void unlockCreation(Connection c, String table) throws SQLException {
            try (PreparedStatement unlock = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
                unlock.setString(1, lockName(table));
                unlock.execute();
            }
        }

        private static String lockName(String table) {
            String name = "helloretail4j outbox " + table;
            return name.length() <= MAX_LOCK_NAME ? name : name.substring(0, MAX_LOCK_NAME);
        }

        /** UTC, as every time in the table is: the columns are {@code DATETIME(6)}, which keep no zone. */
        @Override
        Object timestamp(Instant instant) {
            return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        }

        @Override
        long epochMillis(ResultSet rs, String column) throws SQLException {
            return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC).toEpochMilli();
        }

        /**
         * A plain insert whose duplicate-key error is the answer. Not {@code INSERT IGNORE}, which
         * turns every error into a warning (a value cut to fit would be stored as if nothing
         * happened), and not {@code ON DUPLICATE KEY UPDATE}, whose count of rows cannot tell a
         * repeat from an insert under the drivers' default "found rows". A failed statement
         * undoes itself alone: the shop's transaction goes on.
         */
        @Override
        boolean insert(PreparedStatement insert) throws SQLException {
            try {
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (e.getErrorCode() == DUPLICATE_KEY) {
                    return false;
                }
                throw e;
            }
        }

        @Override
        void claim(Connection c, OutboxStatements sql, String node, long leaseMillis, String websiteUuid,
                   long afterId, int max, RowReader row) throws SQLException {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql.claim())) {
                s.setQueryTimeout(DatabaseOutbox.QUERY_TIMEOUT_SECONDS);
                s.setString(1, websiteUuid);
                s.setLong(2, afterId);
                s.setInt(3, max);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong("id"));
                        row.read(rs);
                    }
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            try (PreparedStatement s = c.prepareStatement(sql.lease() + OutboxStatements.placeholders(ids.size()))) {
                s.setQueryTimeout(DatabaseOutbox.QUERY_TIMEOUT_SECONDS);
                s.setString(1, node);
                s.setLong(2, leaseMillis * 1000);
                for (int i = 0; i < ids.size(); i++) {
                    s.setLong(3 + i, ids.get(i));
                }
                s.executeUpdate();
            }
        }

        @Override
        int prune(Connection c, OutboxStatements sql, String websiteUuid, Instant before, int batch)
                throws SQLException {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql.prune())) {
                s.setQueryTimeout(DatabaseOutbox.QUERY_TIMEOUT_SECONDS);
                s.setString(1, websiteUuid);
                s.setObject(2, timestamp(before));
                s.setInt(3, batch);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (ids.isEmpty()) {
                return 0;
            }
            try (PreparedStatement s = c.prepareStatement(sql.pruneDelete() + OutboxStatements.placeholders(ids.size()))) {
                s.setQueryTimeout(DatabaseOutbox.QUERY_TIMEOUT_SECONDS);
                for (int i = 0; i < ids.size(); i++) {
                    s.setLong(1 + i, ids.get(i));
                }
                return s.executeUpdate();
            }
        }

        @Override
        int isolation() {
            return Connection.TRANSACTION_READ_COMMITTED;
        }

        @Override
        boolean unreachable(SQLException e) {
            String state = e.getSQLState();
            return state != null && state.startsWith("08");
        }
    }

    private static String string(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
