package io.github.helloretail4j.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ShopController {

    private final CheckoutService checkout;

    ShopController(CheckoutService checkout) {
        this.checkout = checkout;
    }

    @GetMapping(path = "/", produces = MediaType.TEXT_HTML_VALUE)
    String home() {
        return "<!doctype html><title>Fjord &amp; Fell</title><h1>Welcome</h1>";
    }

    @GetMapping(path = "/p/{id}", produces = MediaType.TEXT_HTML_VALUE)
    String product(@PathVariable String id) {
        return "<!doctype html><title>" + id + "</title><h1>Product</h1>";
    }

    /** A page that takes a while: in flight when the application is asked to stop. */
    /** Released when a {@code /slow} request is in the controller, for a test to know it is in flight. */
    static final java.util.concurrent.Semaphore SLOW_ENTERED = new java.util.concurrent.Semaphore(0);

    @GetMapping(path = "/slow", produces = MediaType.TEXT_HTML_VALUE)
    String slow(@RequestParam long millis) throws InterruptedException {
        SLOW_ENTERED.release();
        Thread.sleep(millis);
        return "<!doctype html><title>slow</title><h1>Slow</h1>";
    }

    @GetMapping(path = "/api/cart", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> cart() {
        return Map.of("items", List.of());
    }

    @PostMapping(path = "/checkout", produces = MediaType.TEXT_HTML_VALUE)
    String checkout(@RequestParam String order, HttpServletRequest request) {
        checkout.orderCompleted(order, new BigDecimal("499.30"), List.of("sh-101", "bg-201"), request);
        return "<!doctype html><title>Thank you</title><h1>Order " + order + "</h1>";
    }
}
