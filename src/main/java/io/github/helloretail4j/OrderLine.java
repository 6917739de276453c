package io.github.helloretail4j;

import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.internal.Urls;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a completed order: a product, how many, and what the line cost. Sent in a
 * conversion's {@code products} array as Hello Retail's examples show, and served in the order
 * feed. Immutable; made by {@link #builder()}, whose {@link Builder#build()} checks every field.
 *
 * <p>Required: a {@code productNumber} or a {@code url} (or both: the feed wants both), a
 * {@code quantity} of at least 1, and the {@code lineTotal}, zero or more, including tax. A
 * variant that was bought is given with the variant's number and URL, not its master product's.
 */
public final class OrderLine {

    private final String productNumber;
    private final String url;
    private final int quantity;
    private final BigDecimal lineTotal;

    private OrderLine(Builder b) {
        this.productNumber = b.productNumber;
        this.url = b.url;
        this.quantity = b.quantity;
        this.lineTotal = b.lineTotal;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<String> productNumber() {
        return Optional.ofNullable(productNumber);
    }

    /** The product's canonical URL on the shop. */
    public Optional<String> url() {
        return Optional.ofNullable(url);
    }

    public int quantity() {
        return quantity;
    }

    /** What the line cost, including tax, exactly as given (sent in plain notation). */
    public BigDecimal lineTotal() {
        return lineTotal;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrderLine l
                && Objects.equals(productNumber, l.productNumber)
                && Objects.equals(url, l.url)
                && quantity == l.quantity
                && lineTotal.equals(l.lineTotal);
    }

    @Override
    public int hashCode() {
        return Objects.hash(productNumber, url, quantity, lineTotal);
    }

    @Override
    public String toString() {
        return "OrderLine{" + (productNumber == null ? "" : "productNumber=" + productNumber + ", ")
                + (url == null ? "" : "url=" + url + ", ")
                + "quantity=" + quantity + ", lineTotal=" + lineTotal.toPlainString() + "}";
    }

    /** Collects the fields of an {@link OrderLine}; {@code null} means "not set". */
    public static final class Builder {
        private String productNumber;
        private String url;
        private Integer quantity;
        private BigDecimal lineTotal;
        private String lineTotalProblem;

        private Builder() {
        }

        public Builder productNumber(String productNumber) {
            this.productNumber = productNumber;
            return this;
        }

        /** The product's canonical URL: absolute, http or https. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** Required: how many were bought, at least 1. */
        public Builder quantity(int quantity) {
            this.quantity = quantity;
            return this;
        }

        /** Required: what the line cost, including tax; zero or more. */
        public Builder lineTotal(BigDecimal lineTotal) {
            this.lineTotal = lineTotal;
            this.lineTotalProblem = null;
            return this;
        }

        /** Required: what the line cost, including tax; zero or more and finite. Kept as its shortest decimal. */
        public Builder lineTotal(double lineTotal) {
            this.lineTotal = Double.isFinite(lineTotal) ? BigDecimal.valueOf(lineTotal) : null;
            this.lineTotalProblem = Fields.amountProblem("lineTotal", lineTotal);
            return this;
        }

        /**
         * @throws IllegalStateException when a required field is missing
         * @throws IllegalArgumentException when a field is malformed; the message names the line
         *         (by its product) and the field, and echoes the value
         */
        public OrderLine build() {
            String line = "order line " + (productNumber != null ? Messages.echo(productNumber)
                    : url != null ? Messages.echo(url) : "without product") + ": ";
            if (productNumber == null && url == null) {
                throw new IllegalStateException(line + "productNumber or url is required");
            }
            if (quantity == null) {
                throw new IllegalStateException(line + "quantity is required");
            }
            try {
                Fields.text("productNumber", productNumber);
                Urls.url("url", url);
                if (quantity < 1) {
                    throw new IllegalArgumentException("quantity must be at least 1: " + quantity);
                }
                Fields.amount("lineTotal", lineTotal, lineTotalProblem);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(line + e.getMessage(), e);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(line + e.getMessage(), e);
            }
            return new OrderLine(this);
        }
    }
}
