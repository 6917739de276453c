package io.github.helloretail4j.testkit;

import io.github.helloretail4j.testkit.HelloRetailAnswers.Endpoint;
import io.github.helloretail4j.testkit.SentConversion.Line;
import io.github.helloretail4j.testkit.StandInCollector.Received;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: a {@link StandInCollector} for a test class, so that a test can assert what the shop
 * sent to Hello Retail.
 *
 * <pre>{@code
 * class CheckoutTest {
 *     @RegisterExtension
 *     static HelloRetailCollectorExtension helloRetail = new HelloRetailCollectorExtension();
 *
 *     // configure the shop with helloRetail.websiteUuid() and helloRetail.endpoint()
 *
 *     @Test
 *     void checkoutSendsTheOrder() {
 *         // ... place order A-1001 through the shop ...
 *         helloRetail.assertConversion("A-1001", "59.90",
 *                 Line.of("SKU-1", 2, "39.90"), Line.of("SKU-2", 1, "20.00"));
 *     }
 * }
 * }</pre>
 *
 * <p>In a {@code static} field it starts one stand-in on a free port before the class's first
 * test and stops it after the last; in an instance field, one per test. Either way, each test
 * starts with no requests recorded and no scripted answers. The stand-in also starts on first
 * use ({@link #endpoint()}), for code that needs the endpoint before JUnit calls the
 * extension. Test methods may take the {@link StandInCollector} as a parameter.
 *
 * <p>Each {@code assert...} waits (at most {@link #timeout(Duration) 10 seconds} unless set) for
 * the request to arrive: a tracker sends on a thread of its own, after the shop's response.
 */
public final class HelloRetailCollectorExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {

    private final Set<String> websites = new LinkedHashSet<>(Set.of(StandInCollector.WEBSITE_UUID));
    private int port;
    private Duration timeout = StandInCollector.DEFAULT_TIMEOUT;
    private StandInCollector collector;
    /** How many class contexts (the class and its {@code @Nested} classes) hold the stand-in open. */
    private int classes;

    /** A stand-in on a free port that knows the website {@link StandInCollector#WEBSITE_UUID}. */
    public HelloRetailCollectorExtension() {
    }

    /** The websites the stand-in knows, instead of {@link StandInCollector#WEBSITE_UUID}: the shop's own. */
    public HelloRetailCollectorExtension websites(String... websiteUuids) {
        if (websiteUuids.length == 0) {
            throw new IllegalArgumentException("websites: at least one website UUID");
        }
        notStarted("websites");
        websites.clear();
        websites.addAll(List.of(websiteUuids));
        return this;
    }

    /** A fixed port instead of a free one, for a shop whose configuration names the port. */
    public HelloRetailCollectorExtension port(int port) {
        notStarted("port");
        this.port = port;
        return this;
    }

    /** How long each {@code await...} and {@code assert...} waits for a request to arrive. */
    public synchronized HelloRetailCollectorExtension timeout(Duration timeout) {
        this.timeout = timeout;
        if (collector != null) {
            collector.timeout(timeout);
        }
        return this;
    }

    private synchronized void notStarted(String setting) {
        if (collector != null) {
            throw new IllegalStateException(setting + ": set it where the extension is made, before it starts");
        }
    }

    /** The stand-in, started if it was not yet. */
    public synchronized StandInCollector collector() {
        if (collector == null) {
            collector = StandInCollector.start(port, websites).timeout(timeout);
        }
        return collector;
    }

    /** The base URL to configure as the shop's Hello Retail endpoint ({@code http://127.0.0.1:<port>/serve/}). */
    public URI endpoint() {
        return collector().endpoint();
    }

    /** The website UUID to configure the shop with (the first of {@link #websites}). */
    public String websiteUuid() {
        return websites.iterator().next();
    }

    /** Every request so far in this test. */
    public List<Received> requests() {
        return collector().requests();
    }

    /** This test's requests to one endpoint so far. */
    public List<Received> requests(Endpoint endpoint) {
        return collector().requests(endpoint);
    }

    /** Waits for the conversion with this order number (see {@link SentConversion} for its assertions). */
    public SentConversion awaitConversion(String orderNumber) {
        return collector().awaitConversion(orderNumber);
    }

    /**
     * Waits for the conversion with this order number and fails unless it has this total and
     * exactly these lines, and Hello Retail would have tracked it.
     */
    public SentConversion assertConversion(String orderNumber, String total, Line... lines) {
        return awaitConversion(orderNumber).assertTotal(total).assertLines(lines).assertTracked();
    }

    /** Waits for a page view of this page (its {@code location}) and fails unless Hello Retail would track it. */
    public Received assertPageView(String location) {
        Received view = collector().awaitPageView(location);
        if (!view.tracked()) {
            throw new AssertionError("the page view of " + location + " was not tracked: " + view);
        }
        return view;
    }

    /** Fails if a conversion with this order number arrives within {@code quiet}. */
    public void assertNoConversion(String orderNumber, Duration quiet) {
        collector().assertNoConversion(orderNumber, quiet);
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        classes++;
        collector();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        collector().reset();
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (classes == 0) {
            stop();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (--classes == 0) {
            stop();
        }
    }

    private void stop() {
        if (collector != null) {
            collector.close();
            collector = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StandInCollector.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return collector();
    }
}
