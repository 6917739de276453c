package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code helloRetail} health indicator on Spring Boot 4, which moved health contributors to
 * {@code spring-boot-health} ({@code org.springframework.boot.health.contributor}); the same
 * indicator as {@link HelloRetailHealthAutoConfiguration}'s on Boot 3.
 */
@AutoConfiguration(after = HelloRetailAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
public class HelloRetailHealthContributorAutoConfiguration {

    // The Boot 4 types are named only inside this nested class, which is read only when the
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
