package io.github.helloretail4j.testing;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.PageView;
import io.github.helloretail4j.testkit.HelloRetailAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The ids and events tests share, so that each test says only what is particular to it. */
public final class Fixtures {
    public static final String WEBSITE_UUID = TestCollector.WEBSITE_UUID;
    /** The seeds' example id: 24 lowercase hex characters. */
    public static final String ID = "62a0317d17698aa57d369db9";
    /** The id of a visitor who declined tracking. */
    public static final String OPTED_OUT = HelloRetailAnswers.OPTED_OUT;
    public static final String PAGEVIEW = "/serve/collect/pageview";
    public static final String CONVERSION = "/serve/collect/conversion";
    public static final String TRACKING_USER = "/serve/trackingUser";

    private Fixtures() {
    }

    public static PageView view(String location) {
        return PageView.builder().trackingUserId(ID).location(location).build();
    }

    public static Conversion conversion(String orderNumber) {
        return Conversion.builder().trackingUserId(ID).orderNumber(orderNumber).total(new BigDecimal("25.50"))
                .productNumbers(List.of("p-1")).build();
    }

    /**
     * A tracker for the test website with retries fast enough for a test (20 ms doubling to
     * 200 ms) and timeouts short enough that a dead collector fails within seconds.
     */
    public static HelloRetailTracker.Builder fastRetries(URI endpoint, Path outbox) {
        return HelloRetailTracker.builder().websiteUuid(WEBSITE_UUID).endpoint(endpoint).outboxDirectory(outbox)
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(2));
    }

    /** A loopback port nothing listens on (until a test starts a collector there). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoint of a collector on this loopback port, as a tracker is configured with it. */
    public static URI endpoint(int port) {
        return URI.create("http://127.0.0.1:" + port + "/serve/");
    }

    /** The live threads whose names start with {@code prefix}. */
    public static List<Thread> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).toList();
    }
}
