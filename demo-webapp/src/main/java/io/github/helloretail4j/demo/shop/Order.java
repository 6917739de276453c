package io.github.helloretail4j.demo.shop;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.OrderLine;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A placed order. It keeps the visitor's Hello Retail tracking id as it was at checkout,
 * because the conversion may be sent later from a request that carries no cookie at all (a
 * payment provider's server-to-server callback): the order, not the request, knows whose it
 * is.
 */
public final class Order {

    public enum Payment {
        CARD("Card", "paid at checkout"),
        INVOICE("Pay later (invoice)", "paid when the payment provider confirms");

        private final String label;
        private final String meaning;

        Payment(String label, String meaning) {
            this.label = label;
            this.meaning = meaning;
        }

        public String label() {
            return label;
        }

        public String meaning() {
            return meaning;
        }
    }

    public enum Status { AWAITING_PAYMENT, PAID }

    /** One call of {@code POST /payment/callback} for this order, as the shop saw it. */
    public record PaymentCallback(Instant at, boolean carriedCookie, String trackingUserIdOnRequest,
                                  String userAgent) {
    }

    private final String number;
    private final List<Cart.Line> lines;
    private final BigDecimal total;
    private final String email;
    private final Payment payment;
    private final String trackingUserId;
    private final Instant placedAt = Instant.now();
    private Status status;
    private Instant paidAt;
    private Instant conversionSubmittedAt;
    private final List<PaymentCallback> callbacks = new ArrayList<>();

    Order(String number, List<Cart.Line> lines, String email, Payment payment, String trackingUserId) {
        this.number = number;
        this.lines = List.copyOf(lines);
        this.total = Cart.total(lines);
        this.email = email;
        this.payment = payment;
        this.trackingUserId = trackingUserId;
        this.status = payment == Payment.CARD ? Status.PAID : Status.AWAITING_PAYMENT;
        this.paidAt = status == Status.PAID ? placedAt : null;
    }

    public String number() {
        return number;
    }

    public List<Cart.Line> lines() {
        return lines;
    }

    public BigDecimal total() {
        return total;
    }

    public String email() {
        return email;
    }

    public Payment payment() {
        return payment;
    }

    /** The visitor's {@code hello_retail_id} at checkout; empty when they had none. */
    public Optional<String> trackingUserId() {
        return Optional.ofNullable(trackingUserId);
    }

    public Instant placedAt() {
        return placedAt;
    }

    public synchronized Status status() {
        return status;
    }

    public synchronized Optional<Instant> paidAt() {
        return Optional.ofNullable(paidAt);
    }

    public synchronized Optional<Instant> conversionSubmittedAt() {
        return Optional.ofNullable(conversionSubmittedAt);
    }

    public synchronized List<PaymentCallback> callbacks() {
        return List.copyOf(callbacks);
    }

    /** Records a provider's callback; true when it moved the order to paid (the first one). */
    public synchronized boolean paymentConfirmed(PaymentCallback callback) {
        callbacks.add(callback);
        if (status == Status.PAID) {
            return false;
        }
        status = Status.PAID;
        paidAt = callback.at();
        return true;
    }

    /**
     * Hands this order's conversion to the tracker, once: the thank-you page calls this on every
     * view (visitors reload it) and the payment callback on every call (providers retry), and
     * only the first call of a paid order sends. The flag lives in memory, as this demo's
     * orders do; a real shop keeps it in its order table.
     *
     * @return true when this call handed the conversion to the tracker
     * @throws RuntimeException from the tracker (e.g. closed); the order stays unsent, so a
     *     later call tries again
     */
    public synchronized boolean submitConversionOnce(HelloRetailTracker tracker) {
        return submitConversionOnce(conversion -> tracker.trackConversion(conversion.build()));
    }

    /**
     * The same, handing {@code submit} the order's conversion as a builder, with the tracking id
     * stored at checkout (none when the visitor had none then): for the thank-you page, whose
     * {@code HelloRetailWeb.trackConversion(request, builder)} adds the visitor's id when the
     * order has none.
     */
    public synchronized boolean submitConversionOnce(java.util.function.Consumer<Conversion.Builder> submit) {
        if (status != Status.PAID || conversionSubmittedAt != null) {
            return false;
        }
        submit.accept(Conversion.builder()
                .trackingUserId(trackingUserId)         // stored at checkout: see CheckoutServlet
                .orderNumber(number)
                .total(total)
                .email(email)
                .productNumbers(lines.stream().map(l -> l.product().number()).toList())
                // the lines too, with quantities and amounts: what Hello Retail's order feed has
                .lines(lines.stream().map(l -> OrderLine.builder().productNumber(l.product().number())
                        .quantity(l.quantity()).lineTotal(l.amount()).build()).toList()));
        conversionSubmittedAt = Instant.now();
        return true;
    }
}
