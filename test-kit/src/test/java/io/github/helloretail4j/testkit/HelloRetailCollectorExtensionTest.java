package io.github.helloretail4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.SentConversion.Line;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension as a shop's test uses it: one stand-in per class, a clean slate per test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelloRetailCollectorExtensionTest {

    @RegisterExtension
    static HelloRetailCollectorExtension helloRetail = new HelloRetailCollectorExtension()
            .timeout(Duration.ofSeconds(5));

    static int firstPort;

    static String order(String number) {
        return StandInCollectorTest.conversion(number, "59.90", "[{\"productNumber\":\"SKU-1\",\"quantity\":2,"
                + "\"lineTotal\":39.90},{\"productNumber\":\"SKU-2\",\"quantity\":1,\"lineTotal\":20.00}]");
    }

    @Test
    @Order(1)
    void assertConversion_sentLater_waitsForIt() {
        firstPort = helloRetail.collector().port();
        // sent after the assertion started waiting, as a tracker's background thread does
        CompletableFuture.runAsync(() -> Post.json(helloRetail.endpoint(), "collect/conversion", order("A-1001")),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
        helloRetail.assertConversion("A-1001", "59.90", Line.of("SKU-1", 2, "39.90"), Line.of("SKU-2", 1, "20.00"));
    }

    @Test
    @Order(2)
    void eachTest_startsWithNothingRecorded_onTheSameStandIn(StandInCollector collector) {
        assertSame(helloRetail.collector(), collector);
        assertEquals(firstPort, collector.port(), "one stand-in per class");
        assertEquals(0, helloRetail.requests().size(), "the previous test's conversion is forgotten");
    }

    @Test
    @Order(3)
    void assertConversion_wrongLines_failsSayingWhatWasSent() {
        Post.json(helloRetail.endpoint(), "collect/conversion", order("A-1002"));
        AssertionError e = assertThrows(AssertionError.class,
                () -> helloRetail.assertConversion("A-1002", "59.90", Line.of("SKU-1", 2, "39.90")));
        assertTrue(e.getMessage().startsWith("conversion A-1002: expected lines [SKU-1 x2 = 39.90] but the shop "
                + "sent [SKU-1 x2 = 39.90, SKU-2 x1 = 20.00]"), e.getMessage());
    }

    @Test
    @Order(4)
    void assertPageView_byLocation() {
        Post.json(helloRetail.endpoint(), "collect/pageview", "{\"websiteUuid\":\"" + helloRetail.websiteUuid()
                + "\",\"location\":\"https://shop.example/p/1\"}");
        helloRetail.assertPageView("https://shop.example/p/1");
        helloRetail.assertNoConversion("A-1001", Duration.ofMillis(20));
    }

    @Nested
    class InANestedClass {
        @Test
        void theOuterStandInServes() {
            assertEquals(firstPort == 0 ? helloRetail.collector().port() : firstPort, helloRetail.collector().port());
        }
    }

    @Test
    @Order(5)
    void settings_afterStart_areRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> helloRetail.port(9900));
        assertEquals("port: set it where the extension is made, before it starts", e.getMessage());
    }
}
