package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.HelloRetailTracker;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/** The published starter's auto-configuration runs in a shop's application. */
@SpringBootTest(properties = {
        // nothing leaves the machine; the outbox in target/ (surefire runs in the module folder)
        "helloretail.endpoint=http://127.0.0.1:9/serve/",
        "helloretail.outbox-directory=${user.dir}/target/helloretail-outbox"})
class ShopApplicationTest {

    @Autowired
    HelloRetailTracker tracker;

    @Autowired
    ApplicationContext context;

    @Test
    void start_starterBeans_arePresent() {
        assertTrue(context.containsBean("helloRetailPageViewFilter"), "no helloRetailPageViewFilter bean");
        assertNotNull(tracker.metrics());
    }
}
