package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.stereotype.Service;

/** The shop's checkout, as docs/spring-boot.md shows it: the starter's tracker, injected. */
@Service
public class CheckoutService {

    private final HelloRetailTracker tracker;

    public CheckoutService(HelloRetailTracker tracker) {
        this.tracker = tracker;
    }

    /** Called once the order is paid; safe to call again for the same order (a reloaded page). */
    public void orderCompleted(String orderNumber, BigDecimal total, List<String> productNumbers,
                               HttpServletRequest request) {
        tracker.trackConversion(Conversion.builder()
                .trackingUserId(HelloRetailWeb.trackingUserId(request).orElse(null))
                .orderNumber(orderNumber)
                .total(total)
                .productNumbers(productNumbers)
                .build());
    }

    HelloRetailTracker tracker() {
        return tracker;
    }
}
