package io.github.helloretail4j.spring.boot;

import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A shop's own adjustment of the tracker: its name, and retries fast enough for a test. */
@Configuration(proxyBeanMethods = false)
class FastRetries {

    @Bean
    HelloRetailTrackerCustomizer shopTrackerCustomizer() {
        return builder -> builder.name("shop-tracker").initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(50));
    }
}
