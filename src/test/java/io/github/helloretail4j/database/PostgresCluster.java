package io.github.helloretail4j.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from the machine's own binaries (Debian's
 * {@code /usr/lib/postgresql/N/bin}, or {@code $PG_BIN}): {@code initdb} into a temporary
 * directory, started with {@code pg_ctl} on a free port on 127.0.0.1, removed again by
 * {@link #close()} and, if the JVM ends first, by a shutdown hook. A JVM killed outright leaves
 * its directory behind; the next cluster's start removes every such directory whose owner JVM is
 * gone, stopping its server first.
 *
 * <p>{@code initdb} and the server refuse to run as root, so as root both run as the
 * {@code postgres} user through {@code runuser}.
 *
 * <p>In a package of its own, not {@code testing}: the javax build compiles {@code testing/**}
 * for its container suite and has no JDBC driver or pool on its test class path.
 */
public final class PostgresCluster implements TestDatabase, AutoCloseable {
    static final String DIR_PREFIX = "helloretail4j-pg-";
    public static final String USER = "test";
    public static final String DATABASE = "postgres";

    private static PostgresCluster shared;

    private final Path dir;
    private final Path data;
    private final Path log;
    private final Path bin;
    private final boolean durable;
    private final AtomicInteger tables = new AtomicInteger();
    private final Thread hook;
    private int port;
    private boolean running;
    private boolean closed;

    /**
     * The cluster the test classes of this run share (fsync off: nothing here survives a power
     * cut, and it need not), started on first use.
     */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            shared = start(false);
        }
        return shared;
    }

    /** A cluster of its own; {@code durable}: fsync on, for measurements a shop would see. */
    public static PostgresCluster start(boolean durable) {
        try {
            return new PostgresCluster(durable);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PostgresCluster(boolean durable) throws IOException {
        this.bin = binaries();
        this.durable = durable;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        removeStale(tmp, bin);
        this.dir = Files.createTempDirectory(tmp, DIR_PREFIX);
        ServerFiles.markOwner(dir);
        this.data = dir.resolve("data");
        this.log = dir.resolve("server.log");
        this.hook = new Thread(this::closeQuietly, "postgres-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (isRoot()) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            IOException last = null;
            for (int tries = 0; tries < 5 && !running; tries++) {
                // The port is free when asked, and taken by the server a moment later; another
                // process may take it in between, so a failed start is tried on another port.
                port = ServerFiles.freePort();
                try {
                    startServer();
                } catch (IOException e) {
                    last = e;
                }
            }
            if (!running) {
                throw last;
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static Path binaries() {
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path base = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(base)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> parseOr(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + base
                            + "; install Debian's postgresql package (.ci/run does) or set PG_BIN"));
        } catch (IOException e) {
            throw new IllegalStateException("no PostgreSQL under " + base
                    + "; install Debian's postgresql package (.ci/run does) or set PG_BIN", e);
        }
    }

    private static int parseOr(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Directories of clusters whose JVM died without its shutdown hook (SIGKILL, a CI timeout). */
    private static void removeStale(Path tmp, Path bin) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path d : dirs) {
                if (!ServerFiles.ownerGone(d)) {
                    continue;
                }
                Path pid = d.resolve("data/postmaster.pid");
                if (Files.exists(pid)) {
                    try {
                        runAs(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", d.resolve("data").toString(),
                                "-m", "immediate", "-w", "-t", "30"), d.resolve("cleanup.out"));
                    } catch (IOException ignored) {
                        // not running after all; the directory goes anyway
                    }
                }
                ServerFiles.deleteTree(d);
            }
        } catch (IOException e) {
            // a temp dir we cannot list is no reason not to test
        }
    }

    private void startServer() throws IOException {
        String opts = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c max_connections=300"
                + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "start", "-w", "-t", "60", "-D", data.toString(),
                    "-l", log.toString(), "-o", opts));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\nserver log:\n" + ServerFiles.tail(log), e);
        }
        running = true;
    }

    private void run(List<String> command) throws IOException {
        runAs(command, dir.resolve("command.out"));
    }

    private static void runAs(List<String> command, Path out) throws IOException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", full) + " did not finish within 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", full), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", full) + " exited with " + p.exitValue() + ":\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
    }

    public int port() {
        return port;
    }

    @Override
    public String product() {
        return "PostgreSQL ";
    }

    @Override
    public String defaultSchema() {
        return "public";
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The same, handing out connections with auto-commit on or off, as the shop configured it. */
    @Override
    public HikariDataSource pool(String name, int size, boolean autoCommit) {
        HikariConfig config = ServerFiles.pool(this, name, size, autoCommit);
        config.addDataSourceProperty("ApplicationName", name);
        return new HikariDataSource(config);
    }

    /** A table name no other test of this run uses. */
    @Override
    public String freshTable(String prefix) {
        return prefix + "_" + tables.incrementAndGet();
    }

    /** Stops the server as an administrator would ({@code pg_ctl stop -m fast}); {@link #restart()} brings it back. */
    @Override
    public synchronized void stop() throws IOException {
        if (running) {
            run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-w", "-t", "60", "-D", data.toString(), "-m",
                    "fast"));
            running = false;
        }
    }

    /** Starts the stopped server again, on the same port. */
    @Override
    public synchronized void restart() throws IOException {
        if (!running) {
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
            System.err.println("could not remove the test PostgreSQL in " + dir + ": " + e.getMessage());
        }
    }

    /** Stops the server and removes its directory. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (running) {
                run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-w", "-t", "60", "-D", data.toString(), "-m",
                        "immediate"));
                running = false;
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
}
