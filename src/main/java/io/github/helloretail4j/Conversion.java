package io.github.helloretail4j;

import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Messages;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A completed order, as sent to Hello Retail's {@code collect/conversion} endpoint.
 * Immutable; made by {@link #builder()}, whose {@link Builder#build()} checks every field.
 *
 * <p>Required: {@code orderNumber} (the order feed's number), {@code total}, and the products:
 * as {@code productNumbers} or as {@code urls} (not both), or as order {@code lines} with their
 * quantities and line totals, or lines together with one of the two lists. The {@code trackingUserId}
 * ties the order to the visitor's behaviour; without it Hello Retail answers "Not tracked for
 * anonymous user" and records nothing, which the tracker counts apart.
 *
 * <p>{@link #toString()} masks the email address, so a conversion can be logged.
 */
public final class Conversion {

    /** More lines than any real order has; guards against a runaway list. */
    public static final int MAX_PRODUCTS = 10_000;

    private final String trackingUserId;
    private final String orderNumber;
    private final BigDecimal total;
    private final String email;
    private final String customerId;
    private final List<String> productNumbers;
    private final List<String> urls;
    private final List<OrderLine> lines;

    private Conversion(Builder b, List<String> productNumbers, List<String> urls, List<OrderLine> lines) {
        this.trackingUserId = b.trackingUserId;
        this.orderNumber = b.orderNumber;
        this.total = b.total;
        this.email = b.email;
        this.customerId = b.customerId;
        this.productNumbers = productNumbers;
        this.urls = urls;
        this.lines = lines;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<String> trackingUserId() {
        return Optional.ofNullable(trackingUserId);
    }

    public String orderNumber() {
        return orderNumber;
    }

    /** The order's total, exactly as given (sent as a JSON number in plain notation). */
    public BigDecimal total() {
        return total;
    }

    public Optional<String> email() {
        return Optional.ofNullable(email);
    }

    public Optional<String> customerId() {
        return Optional.ofNullable(customerId);
    }

    /** The product numbers of the order's lines; empty when the order names products by URL. */
    public List<String> productNumbers() {
        return productNumbers;
    }

    /** The canonical product URLs of the order's lines; empty when it names product numbers. */
    public List<String> urls() {
        return urls;
    }

    /** The order's lines with quantities and line totals (Hello Retail's {@code products}); empty when not given. */
    public List<OrderLine> lines() {
        return lines;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conversion c
                && Objects.equals(trackingUserId, c.trackingUserId)
                && orderNumber.equals(c.orderNumber)
                && total.equals(c.total)
                && Objects.equals(email, c.email)
                && Objects.equals(customerId, c.customerId)
                && productNumbers.equals(c.productNumbers)
                && urls.equals(c.urls)
                && lines.equals(c.lines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trackingUserId, orderNumber, total, email, customerId, productNumbers, urls, lines);
    }

    @Override
    public String toString() {
        return "Conversion{orderNumber=" + orderNumber + ", total=" + total.toPlainString()
                + (trackingUserId == null ? "" : ", trackingUserId=" + PageView.abbreviate(trackingUserId))
                + (email == null ? "" : ", email=" + Messages.maskEmail(email))
                + (customerId == null ? "" : ", customerId=" + customerId)
                + (productNumbers.isEmpty() ? "" : ", productNumbers=" + productNumbers)
                + (urls.isEmpty() ? "" : ", urls=" + urls)
                + (lines.isEmpty() ? "" : ", lines=" + lines) + "}";
    }

    /** Collects the fields of a {@link Conversion}; {@code null} means "not set". */
    public static final class Builder {
        private String trackingUserId;
        String orderNumber; // read by the tracker, to name an order that could not be built
        private BigDecimal total;
        private String totalProblem;
        private String email;
        private String customerId;
        private List<String> productNumbers;
        private List<String> urls;
        private List<OrderLine> lines;

        private Builder() {
        }

        /**
         * The visitor's id, from {@code HelloRetailWeb.trackingUserId(request)} at checkout, or
         * stored with the order when the conversion is submitted later (e.g. from a payment
         * provider's callback).
         */
        public Builder trackingUserId(String trackingUserId) {
            this.trackingUserId = trackingUserId;
            return this;
        }

        /** Required: identical to the order number in the order feed. */
        public Builder orderNumber(String orderNumber) {
            this.orderNumber = orderNumber;
            return this;
        }

        /** Required: the order's total, zero or more. */
        public Builder total(BigDecimal total) {
            this.total = total;
            this.totalProblem = null;
            return this;
        }

        /** Required: the order's total, zero or more and finite. Kept as its shortest decimal. */
        public Builder total(double total) {
            this.total = Double.isFinite(total) ? BigDecimal.valueOf(total) : null;
            this.totalProblem = Fields.totalProblem(total);
            return this;
        }

        public Builder email(String email) {
            this.email = email;
            return this;
        }

        /** The shop's own id of the customer, e.g. when logged in. */
        public Builder customerId(String customerId) {
            this.customerId = customerId;
            return this;
        }

        /** The products of the order by product number; or use {@link #urls(Collection)}. */
        public Builder productNumbers(Collection<String> productNumbers) {
            this.productNumbers = productNumbers == null ? null : new ArrayList<>(productNumbers);
            return this;
        }

        /** The products of the order by canonical URL; or use {@link #productNumbers(Collection)}. */
        public Builder urls(Collection<String> urls) {
            this.urls = urls == null ? null : new ArrayList<>(urls);
            return this;
        }

        /**
         * The order's lines, each with its product, quantity and line total (including tax), sent
         * as Hello Retail's {@code products}; may be given with {@link #productNumbers} or
         * {@link #urls}, or instead of them.
         */
        public Builder lines(Collection<OrderLine> lines) {
            this.lines = lines == null ? null : new ArrayList<>(lines);
            return this;
        }

        /**
         * @throws IllegalStateException when a required field is missing, or both products
         *         lists are set
         * @throws IllegalArgumentException when a field is malformed; the message names the
         *         field and echoes the value (an email is masked)
         */
        public Conversion build() {
            if (orderNumber == null) {
                throw new IllegalStateException("orderNumber is required");
            }
            Fields.text("orderNumber", orderNumber);
            Fields.total(total, totalProblem);
            Ids.trackingUserId(trackingUserId);
            Fields.email(email);
            Fields.text("customerId", customerId);
            if (productNumbers == null && urls == null && lines == null) {
                throw new IllegalStateException("productNumbers, urls or lines is required");
            }
            List<OrderLine> checkedLines = lines == null ? List.of() : Fields.lines(lines, MAX_PRODUCTS);
            if (productNumbers == null && urls == null) {
                return new Conversion(this, List.of(), List.of(), checkedLines);
            }
            List<String> products = Fields.products(productNumbers, urls, 1, MAX_PRODUCTS);
            return productNumbers != null
                    ? new Conversion(this, products, List.of(), checkedLines)
                    : new Conversion(this, List.of(), products, checkedLines);
        }
    }
}
