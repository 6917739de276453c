package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import java.time.Clock;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code helloRetail} health indicator on Spring Boot 3 (Actuator's
 * {@code org.springframework.boot.actuate.health}); Boot 4 has
 * {@link HelloRetailHealthContributorAutoConfiguration}. DOWN when conversions have been failing
 * for {@code helloretail.health.down-after} (default 30 minutes): see {@link ConversionHealth}.
 * Switched off with {@code management.health.helloretail.enabled=false}.
 */
@AutoConfiguration(after = HelloRetailAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
public class HelloRetailHealthAutoConfiguration {

    // The Boot 3 types are named only inside this nested class, which is read only when the
    // condition above found them.
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(HelloRetailTracker.class)
    @ConditionalOnEnabledHealthIndicator("helloretail")
    static class Indicator {

        @Bean
        @ConditionalOnMissingBean(name = "helloRetailHealthIndicator")
        HealthIndicator helloRetailHealthIndicator(HelloRetailTracker tracker, HelloRetailProperties properties) {
            HelloRetailHealth health = new HelloRetailHealth(tracker, properties, Clock.systemUTC());
            return () -> {
                ConversionHealth.Verdict verdict = health.check();
                return (verdict.down() ? Health.down() : Health.up()).withDetails(verdict.details()).build();
            };
        }
    }
}
