package io.github.helloretail4j.testkit;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar helloretail4j-test-<version>-standalone.jar --port 9900}: the stand-in
 * collector for a manual run, e.g. a shop on a developer's machine configured with the endpoint
 * {@code http://127.0.0.1:9900/serve/}. It prints each request and its answer on stdout, one
 * line each (a customer's email masked), until Ctrl+C.
 *
 * <p>Exit codes: 2 for bad arguments (with a message and the usage on stderr), 1 when the port
 * cannot be bound.
 */
public final class Main {

    static final String USAGE = """
            usage: java -jar helloretail4j-test-<version>-standalone.jar [--port PORT] [--website UUID]...
              --port PORT      the loopback port to listen on, 1 to 65535 (default 9900; 0 for a free one)
              --website UUID   a website the stand-in knows (repeat for more; default %s);
                               requests for any other get 400 "Website not found", as from Hello Retail
            """.formatted(StandInCollector.WEBSITE_UUID);

    /** Bad arguments, with what is wrong. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed arguments. */
    record Options(int port, Set<String> websites, boolean help) {
    }

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = parse(args);
        } catch (UsageException e) {
            System.err.println("helloretail4j stand-in: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(USAGE);
            return;
        }
        StandInCollector collector;
        try {
            collector = start(options, System.out);
        } catch (UncheckedIOException e) {
            System.err.println("helloretail4j stand-in: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            collector.close();
            stopped.countDown();
        }, "helloretail-standin-stop"));
        stopped.await();
    }

    /** Starts a stand-in that logs each request to {@code out}, and says where it listens. */
    static StandInCollector start(Options options, PrintStream out) {
        StandInCollector collector = StandInCollector.start(options.port(), options.websites());
        collector.onRequest(r -> out.println(r.at() + " " + r.method() + " " + r.path() + " " + r.maskedBody() + " -> "
                + r.status() + " " + r.answer()));
        out.println("helloretail4j stand-in collector: endpoint " + collector.endpoint() + ", websites "
                + String.join(", ", options.websites()) + " (Ctrl+C stops it)");
        out.flush();
        return collector;
    }

    static Options parse(String[] args) throws UsageException {
        int port = 9900;
        Set<String> websites = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return new Options(port, Set.of(StandInCollector.WEBSITE_UUID), true);
                }
                case "--port" -> port = port(value(args, ++i, arg));
                case "--website" -> {
                    String uuid = value(args, ++i, arg);
                    if (uuid.isBlank()) {
                        throw new UsageException("--website: a website UUID, not an empty value");
                    }
                    websites.add(uuid);
                }
                default -> throw new UsageException("unknown argument '" + arg + "'");
            }
        }
        if (websites.isEmpty()) {
            websites.add(StandInCollector.WEBSITE_UUID);
        }
        return new Options(port, websites, false);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String value) throws UsageException {
        int port;
        try {
            port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--port: a number from 0 to 65535, not '" + value + "'");
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--port: a number from 0 to 65535, not " + port);
        }
        return port;
    }
}
