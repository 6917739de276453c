package io.github.helloretail4j.spring.boot;

import static io.github.helloretail4j.spring.boot.Shop.PAGEVIEW;
import static io.github.helloretail4j.spring.boot.Shop.pageView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.servlet.PageViewFilter;
import io.github.helloretail4j.testkit.Await;
import io.github.helloretail4j.testkit.StandInCollector;
import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.WebApplicationContext;

/** What a shop may replace: the tracker, and the filter's registration. */
class OverridesTest {

    private static StandInCollector collector;
    /** Set by OwnTracker: the tracker the shop built itself. */
    private static Path ownOutbox;

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
    void reset() {
        collector.reset();
        ownOutbox = outbox;
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTracker {
        @Bean
        HelloRetailTracker shopTracker() {
            return HelloRetailTracker.builder().websiteUuid(StandInCollector.WEBSITE_UUID).endpoint(collector.endpoint())
                    .outboxDirectory(ownOutbox).name("own-tracker").build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProductPagesOnly {
        @Bean(HelloRetailAutoConfiguration.PAGE_VIEW_FILTER_BEAN)
        FilterRegistrationBean<PageViewFilter> productPagesOnly() {
            FilterRegistrationBean<PageViewFilter> registration = new FilterRegistrationBean<>(new PageViewFilter());
            registration.addUrlPatterns("/p/*");
            return registration;
        }
    }

    @Test
    void tracker_definedByTheShop_isTheOneInjectedAndTheFilterUses() throws Exception {
        // no website UUID, endpoint or outbox property: the shop's own tracker has them
        try (Shop shop = Shop.of(Shop.run(new Class<?>[] {ShopApplication.class, OwnTracker.class},
                "--server.port=0", "--spring.main.banner-mode=off", "--helloretail.product-number-pattern=^/p/(?<productNumber>[^/]+)$"))) {
            HelloRetailTracker own = shop.bean(HelloRetailTracker.class);
            assertEquals(List.of("shopTracker"), List.of(shop.context.getBeanNamesForType(HelloRetailTracker.class)));
            assertSame(own, shop.bean(CheckoutService.class).tracker());
            ServletContext servletContext = ((WebApplicationContext) shop.context).getServletContext();
            assertSame(own, HelloRetailWeb.tracker(servletContext));

            assertEquals(200, shop.get("/p/sh-101").statusCode());
            collector.awaitCount(PAGEVIEW, 1);
            assertEquals(List.of(pageView(shop.base() + "/p/sh-101", null, "sh-101")),
                    collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
            assertEquals(1, own.metrics().pageViews().tracked());
            shop.context.close();
            Shop.assertNoThreadOfOurs("own-tracker");
        }
    }

    @Test
    void filterRegistration_replacedByTheShop_mapsOnlyWhatTheShopSays() throws Exception {
        try (Shop shop = Shop.startWith(new Class<?>[] {ShopApplication.class, ProductPagesOnly.class}, collector, outbox,
                "--helloretail.max-requests-in-flight=1")) {
            assertEquals(1, shop.context.getBeansOfType(FilterRegistrationBean.class).values().stream()
                    .filter(r -> r.getFilter() instanceof PageViewFilter).count());
            assertEquals(200, shop.get("/").statusCode());
            assertEquals(200, shop.get("/p/sh-101").statusCode());
            collector.awaitCount(PAGEVIEW, 1);
            // "/" never reached the filter: one page view was ever handed to the tracker
            assertEquals(1, shop.bean(HelloRetailTracker.class).metrics().pageViews().tracked());
            assertEquals(List.of(pageView(shop.base() + "/p/sh-101", null, null)),
                    collector.requests(PAGEVIEW).stream().map(StandInCollector.Received::body).toList());
        }
    }
}
