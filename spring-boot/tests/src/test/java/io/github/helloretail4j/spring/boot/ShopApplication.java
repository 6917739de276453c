package io.github.helloretail4j.spring.boot;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * A small shop as a Spring Boot application: its pages, a JSON endpoint and a checkout that
 * completes orders through {@link CheckoutService} with the injected tracker. Nothing of Hello
 * Retail's is declared here: the starter on the class path and the properties are all.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({ShopController.class, CheckoutService.class})
public class ShopApplication {
}
