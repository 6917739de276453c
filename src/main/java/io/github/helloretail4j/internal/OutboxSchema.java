package io.github.helloretail4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database outbox's table: its name, its DDL (shipped for each database, {@value #DDL_RESOURCE}
 * and {@value #MYSQL_DDL_RESOURCE}, for shops that run Flyway or Liquibase), and making sure at
 * start that it exists and is one of ours. It is created under a lock named after the table, so
 * that nodes starting at once do not race on the catalog. What differs between the databases is
 * the {@link OutboxDialect}'s.
 */
final class OutboxSchema {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.outbox");

    static final String DEFAULT_TABLE = "helloretail_outbox";
    static final String DDL_RESOURCE = "/META-INF/helloretail4j/postgresql.sql";
    static final String MYSQL_DDL_RESOURCE = "/META-INF/helloretail4j/mysql.sql";
    /**
     * Unquoted lower-case identifiers only: they read the same in the DDL, in the catalog and in
     * a shop's own SQL (MySQL on Linux tells table names apart by case), and leave no room for
     * injection into the statements built from them.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    /** The shortest of the databases' limits: PostgreSQL's NAMEDATALEN - 1 (MySQL's is 64). */
    private static final int MAX_IDENTIFIER = 63;
    /** The longest index suffix the DDL appends to the table's name. */
    private static final int LONGEST_SUFFIX = "_pending".length();
    private static final Pattern DDL_NAME = Pattern.compile("\\b" + DEFAULT_TABLE + "(_[a-z]+)?\\b");

    private static final String COLUMNS = "id, website_uuid, order_number, created_at, state, body, claimed_by,"
            + " lease_until, attempts, last_status, last_message, done_at, dead_reason";

    /** What the outbox learned of its database at start. */
    record Found(OutboxDialect dialect, String description, boolean asciiOnly) {
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
        OutboxDialect dialect = OutboxDialect.of(c);
        int dot = name[0].indexOf('.');
        String schema = dot >= 0 ? name[0].substring(0, dot) : dialect.currentSchema(c);
        String description = "outbox table " + schema + "." + name[1] + " (" + dialect.product + ")";
        createIfMissing(c, dialect, schema, name);
        verify(c, dialect, name[0]);
        // Databases that cannot store every character get the JSON with every non-ASCII character escaped
        return new Found(dialect, description, dialect.asciiOnly(c, schema, name[1]));
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

    /** The shipped PostgreSQL DDL for this table: every name derived from the default table's, renamed. */
    static String ddl(String[] name) throws IOException {
        return ddl(DDL_RESOURCE, name);
    }

    /** The DDL of {@code resource} for this table: every name derived from the default table's, renamed. */
    static String ddl(String resource, String[] name) throws IOException {
        String script;
        try (InputStream in = OutboxSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the helloretail4j jar");
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
     * not create tables (the schema is Flyway's) needs no such right; under a lock, because
     * concurrent {@code CREATE TABLE IF NOT EXISTS} can still fail on PostgreSQL's catalog (a
     * unique violation in pg_type), and MySQL's DDL commits each statement on its own.
     */
    private static void createIfMissing(Connection c, OutboxDialect dialect, String schema, String[] name)
            throws SQLException, IOException {
        if (dialect.exists(c, schema, name[1])) {
            return;
        }
        List<String> script = dialect.ddlStatements(ddl(dialect.ddlResource(), name));
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        boolean done = false;
        try {
            dialect.lockCreation(c, name[0]);
            try {
                if (!dialect.exists(c, schema, name[1])) {
                    try (Statement s = c.createStatement()) {
                        for (String statement : script) {
                            s.execute(statement);
                        }
                    }
                    LOG.info("created the Hello Retail outbox table {}", name[0]);
                }
                c.commit();
            } finally {
                dialect.unlockCreation(c, name[0]);
            }
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

    /** A table of that name that is not ours is refused at start, not at the first order. */
    private static void verify(Connection c, OutboxDialect dialect, String table) throws IOException {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE 1 = 0").close();
        } catch (SQLException e) {
            throw DatabaseOutbox.failure("table " + table + " exists but is not a helloretail4j outbox (its DDL is "
                    + dialect.ddlResource() + " in the helloretail4j jar)", e);
        }
    }
}
