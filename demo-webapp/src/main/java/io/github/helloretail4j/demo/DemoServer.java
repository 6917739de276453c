package io.github.helloretail4j.demo;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.servlet.PageViewFilter;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Runs the demo shop on embedded Jetty 12 (ee10), on 127.0.0.1 only: the web application in
 * {@code src/main/webapp} with its {@code web.xml}, exactly as a container would deploy the WAR,
 * its classes taken from this JVM's class path.
 *
 * <p>Port: the system property {@value #PORT_PROPERTY}, else the environment variable
 * {@value #PORT_ENV}, else {@value #DEFAULT_PORT}; 0 picks a free one (the tests do).
 *
 * <p>Where the events go: to the web application's own stand-in collector at
 * {@code http://127.0.0.1:PORT/serve/}, given to the library as the context-param
 * {@code helloretail.endpoint}. A context-param is the library's lowest-precedence source, so
 * {@code HELLORETAIL_ENDPOINT} / {@code HELLORETAIL_WEBSITE_UUID} in the environment (or the
 * same names as system properties) send the demo's events to the real Hello Retail instead,
 * without this class knowing about them.
 */
public final class DemoServer implements AutoCloseable {

    public static final String PORT_PROPERTY = "demo.port";
    public static final String PORT_ENV = "DEMO_PORT";
    public static final int DEFAULT_PORT = 8080;
    /** Overrides where the web application's directory is looked for. */
    public static final String WEBAPP_PROPERTY = "demo.webapp";
    public static final String HOST = "127.0.0.1";

    static {
        // Readable logs for a demo, unless the user configured slf4j-simple otherwise.
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        defaultProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        defaultProperty("org.slf4j.simpleLogger.showDateTime", "true");
        defaultProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        defaultProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    private final Server server;
    private final WebAppContext webapp;
    private final Path outbox;

    private DemoServer(Server server, WebAppContext webapp, Path outbox) {
        this.server = server;
        this.webapp = webapp;
        this.outbox = outbox;
    }

    public static void main(String[] args) throws Exception {
        DemoServer demo;
        int port = configuredPort();
        try {
            demo = start(port);
        } catch (Exception e) {
            System.err.println(rootCause(e) instanceof java.net.BindException
                    ? "The demo cannot listen on " + HOST + ":" + port + " (" + rootMessage(e) + "): choose another"
                            + " port with -D" + PORT_PROPERTY + "=9090 or " + PORT_ENV + "=9090"
                    : "The demo could not start: " + rootMessage(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
        HelloRetailTracker tracker = demo.tracker();
        System.out.println();
        System.out.println("  Fjord & Fell, the helloretail4j demo shop, is running:");
        System.out.println();
        System.out.println("    Shop:       " + demo.baseUri());
        System.out.println("    Collector:  " + demo.baseUri().resolve("collector"));
        System.out.println("    Order feed: " + demo.baseUri().resolve("helloretail/orderfeed")
                + " (user helloretail, the password of helloretail.orderFeedPassword)");
        System.out.println();
        System.out.println("  Hello Retail endpoint: " + tracker.endpoint()
                + (tracker.endpoint().equals(demo.standInEndpoint()) ? " (the demo's stand-in)" : ""));
        System.out.println("  Website UUID:          " + tracker.websiteUuid());
        System.out.println();
        System.out.println("  Press Ctrl+C to stop.");
        demo.server.join();
    }

    /** Starts the demo on 127.0.0.1 and the given port (0: a free one). */
    public static DemoServer start(int port) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("demo-shop");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(HOST);
        connector.setPort(port);
        server.addConnector(connector);
        // Bind first: the endpoint of the stand-in collector needs the real port.
        connector.open();
        int actualPort = connector.getLocalPort();

        // The demo's orders live in memory and are numbered from 1001 again on every start, so
        // its conversion outbox must not outlive a run either: the library remembers order
        // numbers (30 days) and would take the next run's order 1001 for a duplicate. A real
        // shop points helloretail.outboxDirectory at a persistent directory of its own.
        Path outbox = Files.createTempDirectory("helloretail4j-demo-outbox-");

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setBaseResourceAsPath(webappDirectory());
        // The shop's classes and the library come from this JVM's class path (Maven's), so that
        // the tests can read the shop's and the stand-in's state directly.
        webapp.setParentLoaderPriority(true);
        // Context-params: the lowest precedence, so the environment and system properties win.
        webapp.setInitParameter(PageViewFilter.PARAM_ENDPOINT, "http://" + HOST + ":" + actualPort + "/serve/");
        webapp.setInitParameter(PageViewFilter.PARAM_OUTBOX_DIRECTORY, outbox.toString());
        // A configuration error (say, a malformed HELLORETAIL_ENDPOINT) stops the demo with the
        // library's message rather than serving a half-deployed shop.
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            deleteRecursively(outbox);
            throw e;
        }
        return new DemoServer(server, webapp, outbox);
    }

    /** {@code http://127.0.0.1:PORT/} */
    public URI baseUri() {
        return URI.create("http://" + HOST + ":" + port() + "/");
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Where the web application's own stand-in collector listens. */
    public URI standInEndpoint() {
        return baseUri().resolve("serve/");
    }

    /** The web application's context: the shop's and the stand-in's state are its attributes. */
    public ServletContext servletContext() {
        return webapp.getServletContext();
    }

    /** The tracker the shop's filter and checkout use. */
    public HelloRetailTracker tracker() {
        return HelloRetailWeb.tracker(servletContext());
    }

    /** Stops Jetty (the library closes its tracker with the application) and removes the outbox. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the demo server", e);
        } finally {
            deleteRecursively(outbox);
        }
    }

    /** The port to use: system property, then environment variable, then 8080. */
    static int configuredPort() {
        for (String value : new String[] {System.getProperty(PORT_PROPERTY), System.getenv(PORT_ENV)}) {
            if (value != null && !value.isBlank()) {
                try {
                    int port = Integer.parseInt(value.strip());
                    if (port >= 0 && port <= 65535) {
                        return port;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException(PORT_PROPERTY + " / " + PORT_ENV
                        + " must be a port number from 0 to 65535: \"" + value + "\"");
            }
        }
        return DEFAULT_PORT;
    }

    /**
     * {@code src/main/webapp}, found from where this class was loaded ({@code target/classes}),
     * so that it does not matter from which directory Maven was started; or, when running from
     * an unpacked WAR, that WAR's root.
     */
    static Path webappDirectory() throws URISyntaxException {
        String configured = System.getProperty(WEBAPP_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path classes = Path.of(DemoServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> candidates = List.of(
                classes.resolve("../../src/main/webapp").normalize(),   // target/classes
                classes.resolve("..").normalize());                     // WEB-INF/classes
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("WEB-INF/web.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find the web application (WEB-INF/web.xml) in " + candidates
                + "; set -D" + WEBAPP_PROPERTY + "=/path/to/demo-webapp/src/main/webapp");
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The innermost message: the library's own words for a configuration error. */
    private static String rootMessage(Throwable e) {
        Throwable t = rootCause(e);
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the demo's outbox " + dir, e);
        }
    }
}
