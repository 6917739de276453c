package io.github.helloretail4j.database;

import com.zaxxer.hikari.HikariConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** What the throwaway database servers have in common: their directory, their port, their pools. */
final class ServerFiles {
    private static final String OWNER_FILE = "owner.pid";

    private ServerFiles() {
    }

    /** Marks {@code dir} as this JVM's, for {@link #ownerGone}. */
    static void markOwner(Path dir) throws IOException {
        Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
    }

    /** True when the JVM that made {@code dir} has ended (SIGKILL, a CI timeout) without removing it. */
    static boolean ownerGone(Path dir) {
        long owner;
        try {
            owner = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).trim());
        } catch (IOException | NumberFormatException e) {
            owner = -1;
        }
        return owner <= 0 || !ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The last 20 lines of a server's log, for a message about why it did not start. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A pool as a shop would configure one, that gives up quickly while the server is down. */
    static HikariConfig pool(TestDatabase db, String name, int size, boolean autoCommit) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(1000);
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(autoCommit);
        return config;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort; the next run's stale cleanup tries again
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
