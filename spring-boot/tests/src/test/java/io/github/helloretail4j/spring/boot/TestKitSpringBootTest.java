package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.helloretail4j.testkit.HelloRetailCollectorExtension;
import io.github.helloretail4j.testkit.SentConversion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Boot shop's own test as docs/test-kit.md shows it: {@code @SpringBootTest}, the test kit's
 * extension, and the endpoint handed over with {@code @DynamicPropertySource} (the stand-in
 * starts on first use, before Spring asks). The context is closed after the class, so that no
 * tracker of it outlives the class into the tests that count the library's threads.
 */
@SpringBootTest(classes = ShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.banner-mode=off")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TestKitSpringBootTest {

    @RegisterExtension
    static HelloRetailCollectorExtension helloRetail = new HelloRetailCollectorExtension();

    @DynamicPropertySource
    static void helloRetail(DynamicPropertyRegistry registry) {
        registry.add("helloretail.endpoint", () -> helloRetail.endpoint().toString());
        registry.add("helloretail.website-uuid", helloRetail::websiteUuid);
        registry.add("helloretail.outbox-directory", TestKitSpringBootTest::outbox);
    }

    private static String outbox() {
        try {
            return Files.createTempDirectory("helloretail4j-kit-outbox-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Autowired
    Environment environment;

    @Test
    void checkout_sendsTheConversion() throws Exception {
        URI checkout = URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port")
                + "/checkout?order=boot-1");
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(checkout)
                .header("Cookie", "hello_retail_id=" + Shop.ID).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());

        SentConversion sent = helloRetail.awaitConversion("boot-1").assertTotal("499.30")
                .assertTrackingUserId(Shop.ID).assertTracked();
        assertEquals(List.of("sh-101", "bg-201"), sent.productNumbers());
    }
}
