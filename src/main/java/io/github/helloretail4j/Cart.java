package io.github.helloretail4j;

import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.Urls;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A visitor's whole current cart, as sent to Hello Retail's {@code collect/cart} endpoint, for
 * abandoned-cart emails and cart-based recommendations. Immutable; made by {@link #builder()},
 * whose {@link Builder#build()} checks every field.
 *
 * <p>Always the whole cart, each product once: Hello Retail keeps only the newest cart of a
 * visitor, so the tracker sends only the newest it has of each (see
 * {@link HelloRetailTracker#trackCart}). An empty cart ({@code productNumbers} or {@code urls}
 * empty, {@code total} zero) clears the visitor's cart at Hello Retail, after the order for
 * instance; it is sent as {@code "productNumbers": []} with {@code "total": 0}.
 *
 * <p>Required: {@code total} and the products, either as {@code productNumbers} or as
 * {@code urls}, not both. Without a {@code trackingUserId} Hello Retail answers "Not tracked
 * for anonymous user" and records nothing, which the tracker counts apart.
 * {@link #toString()} masks the email address.
 */
public final class Cart {

    /** More products than any real cart holds; guards against a runaway list. */
    public static final int MAX_PRODUCTS = Conversion.MAX_PRODUCTS;

    private final String trackingUserId;
    private final BigDecimal total;
    private final String url;
    private final String email;
    private final List<String> productNumbers;
    private final List<String> urls;

    private Cart(Builder b, BigDecimal total, List<String> productNumbers, List<String> urls) {
        this.trackingUserId = b.trackingUserId;
        this.total = total;
        this.url = b.url;
        this.email = b.email;
        this.productNumbers = productNumbers;
        this.urls = urls;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<String> trackingUserId() {
        return Optional.ofNullable(trackingUserId);
    }

    /** The cart's total, exactly as given (sent as a JSON number in plain notation). */
    public BigDecimal total() {
        return total;
    }

    /** A link that restores this cart (for the abandoned-cart email), not a product page. */
    public Optional<String> url() {
        return Optional.ofNullable(url);
    }

    public Optional<String> email() {
        return Optional.ofNullable(email);
    }

    /** The products in the cart by product number; empty when it names them by URL, or is empty. */
    public List<String> productNumbers() {
        return productNumbers;
    }

    /** The products in the cart by canonical URL; empty when it names product numbers, or is empty. */
    public List<String> urls() {
        return urls;
    }

    /** True for a cart that clears the visitor's cart at Hello Retail. */
    public boolean isEmpty() {
        return productNumbers.isEmpty() && urls.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cart c
                && Objects.equals(trackingUserId, c.trackingUserId)
                && total.equals(c.total)
                && Objects.equals(url, c.url)
                && Objects.equals(email, c.email)
                && productNumbers.equals(c.productNumbers)
                && urls.equals(c.urls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trackingUserId, total, url, email, productNumbers, urls);
    }

    @Override
    public String toString() {
        return "Cart{total=" + total.toPlainString()
                + (trackingUserId == null ? "" : ", trackingUserId=" + PageView.abbreviate(trackingUserId))
                + (url == null ? "" : ", url=" + url)
                + (email == null ? "" : ", email=" + Messages.maskEmail(email))
                + (urls.isEmpty() ? ", productNumbers=" + productNumbers : ", urls=" + urls) + "}";
    }

    /** Collects the fields of a {@link Cart}; {@code null} means "not set". */
    public static final class Builder {
        private String trackingUserId;
        private BigDecimal total;
        private String totalProblem;
        private String url;
        private String email;
        private List<String> productNumbers;
        private List<String> urls;

        private Builder() {
        }

        /** The visitor's id: {@code HelloRetailWeb.trackingUserId(request)}. */
        public Builder trackingUserId(String trackingUserId) {
            this.trackingUserId = trackingUserId;
            return this;
        }

        /** Required: the cart's total, zero or more; zero for an empty cart. */
        public Builder total(BigDecimal total) {
            this.total = total;
            this.totalProblem = null;
            return this;
        }

        /** Required: the cart's total, zero or more and finite. Kept as its shortest decimal. */
        public Builder total(double total) {
            this.total = Double.isFinite(total) ? BigDecimal.valueOf(total) : null;
            this.totalProblem = Fields.totalProblem(total);
            return this;
        }

        /** An absolute link that restores this cart, e.g. {@code https://shop.example/cart?restore=abc123}. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        public Builder email(String email) {
            this.email = email;
            return this;
        }

        /** The products in the cart by product number, each once; empty to clear the cart. */
        public Builder productNumbers(Collection<String> productNumbers) {
            this.productNumbers = productNumbers == null ? null : new ArrayList<>(productNumbers);
            return this;
        }

        /** The products in the cart by canonical URL, each once; or use {@link #productNumbers(Collection)}. */
        public Builder urls(Collection<String> urls) {
            this.urls = urls == null ? null : new ArrayList<>(urls);
            return this;
        }

        /**
         * @throws IllegalStateException when {@code total} or the products are missing, or both
         *         products lists are set
         * @throws IllegalArgumentException when a field is malformed (an empty cart with a total
         *         above zero among them); the message names the field and echoes the value (an
         *         email is masked)
         */
        public Cart build() {
            Fields.total(total, totalProblem);
            Ids.trackingUserId(trackingUserId);
            if (url != null) {
                Urls.url("url", url);
            }
            Fields.email(email);
            List<String> products = Fields.products(productNumbers, urls, 0, MAX_PRODUCTS);
            if (products.isEmpty()) {
                if (total.signum() != 0) {
                    throw new IllegalArgumentException("total must be 0 for an empty cart: " + total.toPlainString());
                }
                // An emptied cart is sent as "productNumbers": [] and "total": 0, whichever list
                // and whichever zero (0.00, 0.0) was given.
                return new Cart(this, BigDecimal.ZERO, List.of(), List.of());
            }
            return productNumbers != null
                    ? new Cart(this, total, products, List.of())
                    : new Cart(this, total, List.of(), products);
        }
    }
}
