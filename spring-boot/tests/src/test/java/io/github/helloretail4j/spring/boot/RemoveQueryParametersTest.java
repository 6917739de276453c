package io.github.helloretail4j.spring.boot;

import static io.github.helloretail4j.spring.boot.Shop.PAGEVIEW;
import static io.github.helloretail4j.spring.boot.Shop.pageView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.StandInCollector;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * helloretail.remove-query-parameters as Boot binds a list: it reaches the filter, replacing
 * the default; a name that cannot be one fails the start naming the property.
 */
@ExtendWith(OutputCaptureExtension.class)
class RemoveQueryParametersTest {

    private static StandInCollector collector;

    @TempDir
    Path outbox;

    @BeforeAll
    static void startCollector() {
        collector = StandInCollector.start().timeout(Await.DEFAULT);
    }

    @AfterAll
    static void stopCollector() {
        collector.close();
    }

    @BeforeEach
    void resetCollector() {
        collector.reset();
    }

    @Test
    void default_takesOutSessionIdAndSecrets_andTheProductIsFound() throws Exception {
        try (Shop shop = Shop.start(collector, outbox, "--helloretail.product-number-pattern=^/p/(?<productNumber>[^/]+)$")) {
            assertEquals(200, shop.get("/p/sh-101;jsessionid=SESSION?token=SECRET&color=red",
                    "Referer", "https://mail.example/inbox;jsessionid=MAIL?sid=MAILSESSION&folder=1#m-9").statusCode());
            collector.awaitCount(PAGEVIEW, 1);
            assertEquals(List.of(pageView(shop.base() + "/p/sh-101?color=red", "https://mail.example/inbox?folder=1", "sh-101")),
                    collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
        }
    }

    @Test
    void list_replacesTheDefault() throws Exception {
        try (Shop shop = Shop.start(collector, outbox, "--helloretail.remove-query-parameters=voucher,ref")) {
            assertEquals(200, shop.get("/?voucher=V-1&code=kept&REF=x").statusCode());
            collector.awaitCount(PAGEVIEW, 1);
            assertEquals(List.of(pageView(shop.base() + "/?code=kept", null, null)),
                    collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
        }
    }

    @Test
    void start_badName_failsNamingThePropertyAndValue(CapturedOutput output) {
        assertThrows(RuntimeException.class, () -> Shop.start(collector, outbox,
                "--helloretail.remove-query-parameters=token&code"));
        assertTrue(output.getOut().contains("Description:\n\nhelloretail.remove-query-parameters"
                + " (\"helloretail.remove-query-parameters\" from property source \"commandLineArgs\") has a name with a"
                + " space, control character, '&', '=' or '#': \"token&code\" in the list: \"token&code\"\n"),
                output.getOut());
    }
}
