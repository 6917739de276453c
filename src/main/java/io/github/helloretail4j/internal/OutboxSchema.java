package io.github.helloretail4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database outbox's table: which databases it takes, its name, its DDL (shipped as
 * {@value #DDL_RESOURCE} for shops that run Flyway or Liquibase), and making sure at start that
 * it exists and is one of ours. It is created under a transaction-scoped advisory lock, so that
 * nodes starting at once do not race on the catalog.
 */
final class OutboxSchema {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.outbox");

    static final String DEFAULT_TABLE = "helloretail_outbox";
    static final String DDL_RESOURCE = "/META-INF/helloretail4j/postgresql.sql";
    /** Older releases are out of upstream support; 12 has everything used here (identity columns, SKIP LOCKED, ON CONFLICT). */
    static final int MIN_POSTGRESQL = 12;
    /**
     * Unquoted lower-case identifiers only: they read the same in the DDL, in the catalog and in
     * a shop's own SQL, and leave no room for injection into the statements built from them.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    /** PostgreSQL's NAMEDATALEN - 1. */
    private static final int MAX_IDENTIFIER = 63;
    /** The longest index suffix the DDL appends to the table's name. */
    private static final int LONGEST_SUFFIX = "_pending".length();
    private static final Pattern DDL_NAME = Pattern.compile("\\b" + DEFAULT_TABLE + "(_[a-z]+)?\\b");

    private static final String COLUMNS = "id, website_uuid, order_number, created_at, state, body, claimed_by,"
            + " lease_until, attempts, last_status, last_message, done_at, dead_reason";

    /** What the outbox learned of its database at start. */
    record Found(String description, boolean asciiOnly) {
    }

    private OutboxSchema() {
    }

    /**
     * Checks the database, creates the table when missing and verifies it.
     *
     * @throws IllegalArgumentException when the database is not one the outbox takes
     * @throws IOException when the table exists but is not a helloretail4j outbox
     */
    static Found prepare(Connection c, String[] name) throws SQLException, IOException {
        DatabaseMetaData md = c.getMetaData();
        String product = md.getDatabaseProductName();
        String refusal = refusal(product, md.getDatabaseProductVersion(), md.getDatabaseMajorVersion());
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        String schema;
        String encoding;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_schema(), current_setting('server_encoding')")) {
            rs.next();
            schema = rs.getString(1);
            encoding = rs.getString(2);
        }
        // Non-UTF-8 databases get the JSON with every non-ASCII character escaped
        boolean asciiOnly = !"UTF8".equalsIgnoreCase(encoding);
        String where = name[0].indexOf('.') >= 0 ? name[0] : schema + "." + name[0];
        // major.minor only: the full version string carries the build's distribution and compiler
        String description = "outbox table " + where + " (PostgreSQL " + md.getDatabaseMajorVersion() + "."
                + md.getDatabaseMinorVersion() + ")";
        createIfMissing(c, name);
        verify(c, name[0]);
        return new Found(description, asciiOnly);
    }

    /**
     * Why the outbox cannot keep conversions in this database, or null when it can. The
     * product is the driver's {@code DatabaseMetaData.getDatabaseProductName()}.
     */
    static String refusal(String product, String version, int major) {
        if (!"PostgreSQL".equals(product)) {
            return "outboxDataSource is a " + product + " " + version + " database; helloretail4j keeps"
                    + " conversions in PostgreSQL " + MIN_POSTGRESQL + " or newer";
        }
        if (major < MIN_POSTGRESQL) {
            return "outboxDataSource is PostgreSQL " + version + "; helloretail4j needs PostgreSQL "
                    + MIN_POSTGRESQL + " or newer";
        }
        return null;
    }

    /**
     * The table as written in SQL, and its name without the schema (for index and constraint
     * names, which PostgreSQL keeps per schema).
     */
    static String[] tableName(String value) {
        String problem = tableNameProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException("outboxTable " + problem + ": " + Messages.echo(value));
        }
        String[] parts = value.split("\\.", -1);
        return new String[] {value, parts[parts.length - 1]};
    }

    /** What is wrong with {@code value} as the outbox's table name, or null when nothing is. */
    static String tableNameProblem(String value) {
        if (value != null) {
            String[] parts = value.split("\\.", -1);
            String bare = parts[parts.length - 1];
            boolean ok = parts.length <= 2 && bare.length() <= MAX_IDENTIFIER - LONGEST_SUFFIX;
            for (String part : parts) {
                ok &= IDENTIFIER.matcher(part).matches() && part.length() <= MAX_IDENTIFIER;
            }
            if (ok) {
                return null;
            }
        }
        return "must be a table name, optionally after its schema and a dot (" + DEFAULT_TABLE + ", shop."
                + DEFAULT_TABLE + "), of lower-case letters, digits and _, the table at most "
                + (MAX_IDENTIFIER - LONGEST_SUFFIX) + " characters";
    }

    /** The shipped DDL for this table: every name derived from the default table's, renamed. */
    static String ddl(String[] name) throws IOException {
        String script;
        try (InputStream in = OutboxSchema.class.getResourceAsStream(DDL_RESOURCE)) {
            if (in == null) {
                throw new IOException(DDL_RESOURCE + " is missing from the helloretail4j jar");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = DDL_NAME.matcher(script);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? name[0] : name[1] + m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Runs the DDL only when the table is missing, so that a shop whose application user may
     * not create tables (the schema is Flyway's) needs no such right; under an advisory lock,
     * because concurrent {@code CREATE TABLE IF NOT EXISTS} can still fail on PostgreSQL's
     * catalog (a unique violation in pg_type).
     */
    private static void createIfMissing(Connection c, String[] name) throws SQLException, IOException {
        if (exists(c, name[0])) {
            return;
        }
        String script = ddl(name);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        boolean done = false;
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "helloretail4j outbox " + name[0]);
                lock.execute();
            }
            if (!exists(c, name[0])) {
                try (Statement s = c.createStatement()) {
                    s.execute(script);
                }
                LOG.info("created the Hello Retail outbox table {}", name[0]);
            }
            c.commit();
            done = true;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(auto);
            } catch (SQLException e) {
                // after a failure the first exception is the one to report; the pool resets the rest
                if (done) {
                    throw e;
                }
            }
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** A table of that name that is not ours is refused at start, not at the first order. */
    private static void verify(Connection c, String table) throws IOException {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE false").close();
        } catch (SQLException e) {
            throw DatabaseOutbox.failure("table " + table + " exists but is not a helloretail4j outbox (its DDL is "
                    + DDL_RESOURCE + " in the helloretail4j jar)", e);
        }
    }
}
