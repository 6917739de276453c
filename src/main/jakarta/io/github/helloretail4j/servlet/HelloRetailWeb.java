package io.github.helloretail4j.servlet;

import io.github.helloretail4j.Cart;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.ConversionResult;
import io.github.helloretail4j.HelloRetailTracker;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * The servlet layer's entry points for a shop's own code: the web application's tracker, the
 * visitor's tracking id, and the order-completion and cart calls that take both.
 */
public final class HelloRetailWeb {

    /** Hello Retail's first-party cookie holding the visitor's tracking id. */
    public static final String COOKIE_NAME = WebTracking.COOKIE_NAME;

    private HelloRetailWeb() {
    }

    /**
     * The web application's tracker: the one {@link PageViewFilter} uses, configured from the
     * {@code helloretail.*} parameters, started with the application and closed when it stops.
     *
     * @throws IllegalStateException when the application has no Hello Retail configuration
     */
    public static HelloRetailTracker tracker(ServletContext context) {
        return WebTracking.required(new ServletWebApp(context)).tracker;
    }

    /**
     * The visitor's Hello Retail id: from the {@code hello_retail_id} cookie when it is 24
     * lowercase hex characters (the opted-out id {@code 000000000000000000000000} included), or
     * the id the filter just gave this visitor. Empty when missing or malformed, and when the
     * application requires consent ({@code helloretail.consentCookie}) and the visitor has not
     * given it. Store it with the order when the conversion is submitted later, e.g. from a
     * payment provider's callback, which carries no cookie.
     */
    public static Optional<String> trackingUserId(HttpServletRequest request) {
        return Optional.ofNullable(WebTracking.trackingUserId(
                WebTracking.get(new ServletWebApp(request.getServletContext())), new ServletExchange(request, null)));
    }

    /**
     * Completes an order from checkout code, and never fails it: builds {@code conversion}, with
     * the visitor's id of {@link #trackingUserId} when the builder has no {@code trackingUserId},
     * and tracks it with the web application's tracker as
     * {@link HelloRetailTracker#tryTrackConversion(Conversion.Builder)} does. It returns once the
     * conversion is durable; a value that {@link Conversion.Builder#build()} refuses, or an
     * outbox that cannot take it (then it is held in memory until the outbox works again), is
     * logged at WARN with the order number and the reason, counted in the tracker's
     * {@code metrics()}, and said in the result, but never thrown. The builder is left as it was.
     *
     * @return what became of the conversion
     * @throws IllegalStateException when the application has no Hello Retail configuration (a
     *         deployment error, found by the first checkout in any test)
     */
    public static ConversionResult trackConversion(HttpServletRequest request, Conversion.Builder conversion) {
        return WebTracking.required(new ServletWebApp(request.getServletContext()))
                .trackConversion(conversion, new ServletExchange(request, null));
    }

    /**
     * Sends the visitor's whole current cart, from the shop's cart code after each change (an
     * empty cart after the order): builds {@code cart} (a bad value throws as
     * {@link Cart.Builder#build()} does), with the visitor's id of {@link #trackingUserId} when
     * the builder has none, and queues it with the web application's tracker, which sends only
     * the newest cart of each visitor ({@link HelloRetailTracker#trackCart}). Never blocks, never
     * throws for delivery problems. The builder is left as it was.
     *
     * @return the cart that was queued
     * @throws IllegalStateException when the application has no Hello Retail configuration
     */
    public static Cart trackCart(HttpServletRequest request, Cart.Builder cart) {
        return WebTracking.required(new ServletWebApp(request.getServletContext()))
                .trackCart(cart, new ServletExchange(request, null));
    }
}
