package io.github.helloretail4j.spring.boot;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/** A site with pages and no checkout: for applications that need no tracker bean. */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
class PagesApplication {

    @Bean
    RouterFunction<ServerResponse> pages() {
        return RouterFunctions.route().GET("/**", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                .body("<!doctype html><title>page</title><h1>" + request.path() + "</h1>")).build();
    }
}
