package io.github.helloretail4j.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway MariaDB server from the machine's own binaries (Debian's {@code mariadb-server}:
 * {@code mariadb-install-db} and {@code mariadbd}, or those under {@code $MARIADB_BIN}):
 * installed into a temporary directory and started on a free port on 127.0.0.1, with a user
 * {@value #USER} and a database {@value #DATABASE}; removed again by {@link #close()} and, if
 * the JVM ends first, by a shutdown hook. A JVM killed outright leaves its directory behind; the
 * next server's start removes every such directory whose owner JVM is gone, killing its server.
 *
 * <p>As root the server runs as root ({@code --user=root}), which {@code mariadbd} allows when
 * told so explicitly; the directory is the test's own.
 */
public final class MariaDbServer implements TestDatabase, AutoCloseable {
    static final String DIR_PREFIX = "helloretail4j-mariadb-";
    public static final String USER = "test";
    public static final String DATABASE = "shop";

    private static MariaDbServer shared;

    private final Path dir;
    private final Path data;
    private final Path log;
    private final Path installDb;
    private final Path daemon;
    private final AtomicInteger tables = new AtomicInteger();
    private final Thread hook;
    private Process server;
    private int port;
    private boolean closed;

    /** The server the test classes of this run share, started on first use. */
    public static synchronized MariaDbServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    public static MariaDbServer start() {
        try {
            return new MariaDbServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private MariaDbServer() throws IOException {
        this.installDb = binary("mariadb-install-db", "/usr/bin");
        this.daemon = binary("mariadbd", "/usr/sbin");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        removeStale(tmp);
        this.dir = Files.createTempDirectory(tmp, DIR_PREFIX);
        ServerFiles.markOwner(dir);
        this.data = dir.resolve("data");
        this.log = dir.resolve("server.log");
        this.hook = new Thread(this::closeQuietly, "mariadb-server-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run(List.of(installDb.toString(), "--no-defaults", "--datadir=" + data,
                    "--user=" + System.getProperty("user.name"), "--auth-root-authentication-method=normal",
                    "--skip-test-db"));
            IOException last = null;
            for (int tries = 0; tries < 5 && server == null; tries++) {
                // The port is free when asked and taken by the server a moment later; another
                // process may take it in between, so a failed start is tried on another port.
                port = ServerFiles.freePort();
                try {
                    startServer();
                } catch (IOException e) {
                    last = e;
                }
            }
            if (server == null) {
                throw last;
            }
            try (Connection c = DriverManager.getConnection(url("mysql"), "root", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE USER '" + USER + "'@'%'");
                s.execute("GRANT ALL ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION");
                s.execute("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4");
            }
        } catch (IOException | RuntimeException | SQLException e) {
            closeQuietly();
            throw e instanceof IOException io ? io : new IOException("MariaDB did not start: " + e.getMessage(), e);
        }
    }

    /** {@code program} in {@code $MARIADB_BIN}, else where Debian puts it. */
    private static Path binary(String program, String debianFolder) {
        String env = System.getenv("MARIADB_BIN");
        Path path = (env != null && !env.isBlank() ? Path.of(env) : Path.of(debianFolder)).resolve(program);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException("no " + path + "; install Debian's mariadb-server package (.ci/run does)"
                    + " or set MARIADB_BIN to the folder of mariadbd and mariadb-install-db");
        }
        return path;
    }

    /** Directories of servers whose JVM died without its shutdown hook (SIGKILL, a CI timeout). */
    private static void removeStale(Path tmp) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path d : dirs) {
                if (!ServerFiles.ownerGone(d)) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(Files.readString(d.resolve("server.pid")).trim());
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                } catch (IOException | NumberFormatException e) {
                    // not running after all; the directory goes anyway
                }
                ServerFiles.deleteTree(d);
            }
        } catch (IOException e) {
            // a temp dir we cannot list is no reason not to test
        }
    }

    private void startServer() throws IOException {
        List<String> command = List.of(daemon.toString(), "--no-defaults", "--datadir=" + data,
                "--user=" + System.getProperty("user.name"), "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("server.sock"), "--pid-file=" + dir.resolve("server.pid"),
                "--log-error=" + log, "--skip-name-resolve", "--max-connections=300",
                // durability a test does not need: nothing here survives a power cut, and it need not
                "--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0", "--skip-log-bin");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile())).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection(url("mysql"), "root", "")) {
                server = p;
                return;
            } catch (SQLException notYet) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    p.destroyForcibly();
                    throw new IOException("mariadbd on port " + port + " did not start:\n" + ServerFiles.tail(log));
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted while starting mariadbd", e);
            }
        }
    }

    private void run(List<String> command) throws IOException {
        Path out = dir.resolve("command.out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
    }

    private String url(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?connectTimeout=2000";
    }

    public int port() {
        return port;
    }

    @Override
    public String product() {
        return "MariaDB ";
    }

    @Override
    public String defaultSchema() {
        return DATABASE;
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String jdbcUrl() {
        return url(DATABASE);
    }

    /** The same, handing out connections with auto-commit on or off, as the shop configured it. */
    @Override
    public HikariDataSource pool(String name, int size, boolean autoCommit) {
        HikariConfig config = ServerFiles.pool(this, name, size, autoCommit);
        return new HikariDataSource(config);
    }

    /** A table name no other test of this run uses. */
    @Override
    public String freshTable(String prefix) {
        return prefix + "_" + tables.incrementAndGet();
    }

    /** Stops the server as an administrator would (SIGTERM, a clean shutdown); {@link #restart()} brings it back. */
    @Override
    public synchronized void stop() throws IOException {
        if (server != null) {
            server.destroy();
            try {
                if (!server.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IOException("mariadbd did not stop within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping mariadbd", e);
            }
            server = null;
        }
    }

    /** Starts the stopped server again, on the same port. */
    @Override
    public synchronized void restart() throws IOException {
        if (server == null) {
            startServer();
        }
    }

    public Path directory() {
        return dir;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            System.err.println("could not remove the test MariaDB in " + dir + ": " + e.getMessage());
        }
    }

    /** Kills the server and removes its directory. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (server != null) {
                server.destroyForcibly();
                try {
                    server.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                server = null;
            }
        } finally {
            ServerFiles.deleteTree(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // called from the hook itself
            }
        }
    }


    @Override
    public String toString() {
        return "MariaDB on 127.0.0.1:" + port;
    }
}
