package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.PAGEVIEW;
import static io.github.helloretail4j.testing.TestCollector.WEBSITE_UUID;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.helloretail4j.testing.TestCollector;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a shop's log shows of an undeploy when SLF4J goes to java.util.logging (slf4j-jdk14), as
 * on a Tomcat whose console handler formats with JULI's OneLineFormatter: nothing above INFO
 * from the library or httpclient, and nothing that handler cannot format.
 *
 * <p>The shop runs in a JVM of its own, with slf4j-jdk14 in place of the tests' slf4j-simple
 * (one SLF4J provider per class path); the build copies it to target/slf4j-jdk14.
 */
class UndeployLogTest {

    static final int CYCLES = 3;
    private static final String PROVIDER = "org.slf4j.jul.JDK14LoggerFactory";

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Containers.Kind.class)
    void undeploy_withAConnectionOpenAfterADeliveredPageView_logsNothingAboveInfoFromLibraryOrHttpclient(
            Containers.Kind kind) throws Exception {
        Path stderr = temp.resolve("stderr.txt");
        List<String> out = runShop(kind, stderr);

        List<String> expected = new ArrayList<>();
        expected.add("slf4j " + PROVIDER);
        for (int i = 0; i < CYCLES; i++) {
            expected.add("cycle " + i + ": page view delivered, a connection open, undeployed");
        }
        expected.add("stopped");
        assertEquals(expected, out.stream().filter(l -> !l.startsWith("LOG\t")).toList(),
                "stderr: " + Files.readString(stderr));
        List<String> console = Files.readAllLines(stderr);
        assertAll(
                () -> assertEquals(List.of(), out.stream()
                        .filter(UndeployLogTest::aboveInfoFromLibraryOrHttpclient).toList()),
                // a record the console handler could not format, a stack trace of ours, SLF4J's own complaints
                () -> assertEquals(List.of(), console.stream()
                        .filter(l -> l.contains("ErrorManager") || l.contains("at org.apache.hc.")
                                || l.contains("at io.github.helloretail4j.") || l.startsWith("SLF4J"))
                        .toList()));
    }

    /** A line of the shop's record log: LOG, level, logger, message. */
    private static boolean aboveInfoFromLibraryOrHttpclient(String line) {
        String[] f = line.split("\t", 4);
        return f[0].equals("LOG") && Level.parse(f[1]).intValue() > Level.INFO.intValue()
                && (f[2].startsWith("io.github.helloretail4j") || f[2].startsWith("org.apache.hc"));
    }

    private List<String> runShop(Containers.Kind kind, Path stderr) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", shopClassPath()));
        String jetty10 = System.getProperty("helloretail4j.jetty10");
        if (jetty10 != null) {
            command.add("-Dhelloretail4j.jetty10=" + jetty10);
        }
        command.addAll(List.of(Shop.class.getName(), kind.name(), temp.resolve("apps").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HELLORETAIL_"));
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (var r = p.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (out) {
                        out.add(line);
                    }
                }
            } catch (IOException e) {
                // the shop ended
            }
        }, "undeploy-log-shop-stdout");
        reader.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        reader.join(10_000);
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    /** The tests' class path with slf4j-jdk14 instead of slf4j-simple. */
    private static String shopClassPath() throws IOException {
        List<String> entries = new ArrayList<>(Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().startsWith("slf4j-simple"))
                .toList());
        try (var jars = Files.list(Path.of(System.getProperty("helloretail4j.slf4jJdk14", "target/slf4j-jdk14")))) {
            jars.map(Path::toString).forEach(entries::add);
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The shop's JVM: a collector, a container, and {@value #CYCLES} times a web application
     * deployed, visited once and undeployed. Prints its progress, and each log record as
     * {@code LOG<tab>level<tab>logger<tab>message}; the console handler writes to stderr.
     *
     * <p>Arguments: the container (JETTY or TOMCAT), a directory for the web applications.
     */
    public static final class Shop {
        public static void main(String[] args) throws Exception {
            PrintStream out = System.out;
            LogManager.getLogManager().reset();
            Logger root = Logger.getLogger("");
            root.setLevel(Level.INFO);
            ConsoleHandler console = new ConsoleHandler();
            console.setFormatter(new org.apache.juli.OneLineFormatter());
            console.setLevel(Level.ALL);
            root.addHandler(console);
            root.addHandler(new Handler() {
                @Override
                public void publish(LogRecord r) {
                    String message = r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown());
                    synchronized (out) {
                        out.println("LOG\t" + r.getLevel().getName() + "\t" + r.getLoggerName() + "\t"
                                + message.replace('\n', ' ').replace('\r', ' '));
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
            out.println("slf4j " + org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName());

            Path apps = Path.of(args[1]);
            try (TestCollector collector = TestCollector.start();
                 Containers.Container container = Containers.Kind.valueOf(args[0]).start()) {
                for (int i = 0; i < CYCLES; i++) {
                    TestWebApp app = new TestWebApp()
                            .contextParam("helloretail.websiteUuid", WEBSITE_UUID)
                            .contextParam("helloretail.endpoint", collector.endpoint().toString())
                            .contextParam("helloretail.outboxDirectory", Files.createDirectories(
                                    apps.resolve("outbox" + i)).toString());
                    Containers.Deployment d = container.deploy(app.write(apps.resolve("app" + i)), "/shop" + i);
                    int status = RawHttp.get(container.port(), "/shop" + i + "/page", "Cookie: hello_retail_id=" + ID)
                            .status();
                    collector.awaitRequests(PAGEVIEW, i + 1);
                    int accepted = collector.accepted(PAGEVIEW).size();
                    // the keep-alive connection of that delivery is what the close has to take down
                    String open = collector.openConnections() > 0 ? "a connection open" : "no connection open";
                    d.close();
                    synchronized (out) {
                        out.println("cycle " + i + ": " + (status == 200 && accepted == i + 1 ? "page view delivered"
                                : "HTTP " + status + " and " + accepted + " page views accepted") + ", " + open
                                + ", undeployed");
                    }
                }
            }
            synchronized (out) {
                out.println("stopped");
                out.flush();
            }
            System.exit(0);
        }
    }
}
