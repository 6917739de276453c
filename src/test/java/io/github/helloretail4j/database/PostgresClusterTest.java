package io.github.helloretail4j.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fixture cleans up after itself, also after a JVM that was killed outright. */
class PostgresClusterTest {

    /** A JVM that starts a cluster, says where, and waits to be killed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            PostgresCluster cluster = PostgresCluster.start(false);
            System.out.println(cluster.port() + " " + cluster.directory());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    @Test
    void start_afterAJvmWasKilledWithItsClusterRunning_stopsThatServerAndRemovesItsDirectory() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String[] line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine().split(" ", 2);
        } finally {
            child.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
            child.waitFor(10, TimeUnit.SECONDS);
        }
        int port = Integer.parseInt(line[0]);
        Path dir = Path.of(line[1]);
        assertTrue(Files.isDirectory(dir));
        try (Connection c = connect(port)) {
            assertTrue(c.isValid(5), "the killed JVM's server outlived it");
        }

        try (PostgresCluster next = PostgresCluster.start(false)) {
            assertTrue(next.port() > 0);
        }

        assertFalse(Files.exists(dir), "stale directory removed: " + dir);
        SQLException e = assertThrows(SQLException.class, () -> connect(port).close());
        assertEquals("08001", e.getSQLState(), "its server was stopped");
    }

    private static Connection connect(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + PostgresCluster.DATABASE,
                PostgresCluster.USER, "");
    }
}
