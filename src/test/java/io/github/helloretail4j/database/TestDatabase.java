package io.github.helloretail4j.database;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * A throwaway database server started by the tests, for the suites that run the outbox on each
 * database it takes: {@code @ParameterizedClass @EnumSource(TestDatabase.Kind.class)} and a
 * constructor that takes the {@link Kind}.
 */
public interface TestDatabase {

    /** The databases the outbox takes that this machine can run. */
    enum Kind {
        POSTGRESQL(PostgresCluster::shared),
        MARIADB(MariaDbServer::shared);

        private final Supplier<TestDatabase> shared;

        Kind(Supplier<TestDatabase> shared) {
            this.shared = shared;
        }

        /** The run's shared server of this kind, started on first use, stopped when the JVM ends. */
        public TestDatabase shared() {
            return shared.get();
        }
    }

    String jdbcUrl();

    /** How the outbox names this database in its messages, up to the version: {@code "MariaDB "}. */
    String product();

    /** The schema (PostgreSQL) or database (MariaDB) a table without one goes to. */
    String defaultSchema();

    /** The user the tests connect as. */
    String user();

    /** A connection of its own, outside any pool, for a test's checks. */
    default Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), "");
    }

    /** A pool as a shop would configure one, that gives up quickly while the server is down. */
    default HikariDataSource pool(String name, int size) {
        return pool(name, size, true);
    }

    /** The same, handing out connections with auto-commit on or off, as the shop configured it. */
    HikariDataSource pool(String name, int size, boolean autoCommit);

    /** A table name no other test of this run uses. */
    String freshTable(String prefix);

    /** Stops the server as an administrator would; {@link #restart()} brings it back on the same port. */
    void stop() throws IOException;

    void restart() throws IOException;
}
