package io.github.helloretail4j.feed;

import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Messages;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One order of the order feed, as Hello Retail's guide lists its fields. Immutable; made by
 * {@link #builder()}, whose {@link Builder#build()} checks every field.
 *
 * <p>Required: {@code orderNumber} (the same as in conversion tracking), {@code date} (when the
 * order was placed), {@code total}, {@code email} (the guide requires it) and at least one
 * {@link OrderLine}. Optional: {@code customerId}, the same id as in the tracking setup.
 *
 * <p>{@link #toString()} masks the email address, so an order can be logged.
 */
public final class FeedOrder {

    /** The same cap as a conversion's: more lines than any real order has. */
    public static final int MAX_LINES = 10_000;

    private final String orderNumber;
    private final Instant date;
    private final BigDecimal total;
    private final String email;
    private final String customerId;
    private final List<OrderLine> lines;

    private FeedOrder(Builder b, List<OrderLine> lines) {
        this.orderNumber = b.orderNumber;
        this.date = b.date;
        this.total = b.total;
        this.email = b.email;
        this.customerId = b.customerId;
        this.lines = lines;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String orderNumber() {
        return orderNumber;
    }

    /** When the order was placed; the feed writes it in its configured time zone. */
    public Instant date() {
        return date;
    }

    /** The order's total including tax, exactly as given (served in plain notation). */
    public BigDecimal total() {
        return total;
    }

    public String email() {
        return email;
    }

    public Optional<String> customerId() {
        return Optional.ofNullable(customerId);
    }

    /** One or more lines, in the order given. */
    public List<OrderLine> lines() {
        return lines;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeedOrder f
                && orderNumber.equals(f.orderNumber)
                && date.equals(f.date)
                && total.equals(f.total)
                && email.equals(f.email)
                && Objects.equals(customerId, f.customerId)
                && lines.equals(f.lines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(orderNumber, date, total, email, customerId, lines);
    }

    @Override
    public String toString() {
        return "FeedOrder{orderNumber=" + orderNumber + ", date=" + date + ", total=" + total.toPlainString()
                + ", email=" + Messages.maskEmail(email)
                + (customerId == null ? "" : ", customerId=" + customerId)
                + ", lines=" + lines + "}";
    }

    /** Collects the fields of a {@link FeedOrder}; {@code null} means "not set". */
    public static final class Builder {
        private String orderNumber;
        private Instant date;
        private BigDecimal total;
        private String totalProblem;
        private String email;
        private String customerId;
        private List<OrderLine> lines;

        private Builder() {
        }

        /** Required: identical to the order number sent with the conversion. */
        public Builder orderNumber(String orderNumber) {
            this.orderNumber = orderNumber;
            return this;
        }

        /** Required: when the order was placed. */
        public Builder date(Instant date) {
            this.date = date;
            return this;
        }

        /** Required: the order's total including tax, zero or more. */
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

        /** Required: the customer's email address. */
        public Builder email(String email) {
            this.email = email;
            return this;
        }

        /** The shop's own id of the customer, as given to the tracking. */
        public Builder customerId(String customerId) {
            this.customerId = customerId;
            return this;
        }

        /** Required: the order's lines, 1 to {@value #MAX_LINES}. */
        public Builder lines(Collection<OrderLine> lines) {
            this.lines = lines == null ? null : new ArrayList<>(lines);
            return this;
        }

        /**
         * @throws IllegalStateException when a required field is missing
         * @throws IllegalArgumentException when a field is malformed
         *         <p>Both messages name the order and the field and echo the value (an email masked):
         *         {@code order "110-2347": email is required}.
         */
        public FeedOrder build() {
            if (orderNumber == null) {
                throw new IllegalStateException("orderNumber is required");
            }
            Fields.text("orderNumber", orderNumber);
            String order = "order " + Messages.echo(orderNumber) + ": ";
            try {
                if (date == null) {
                    throw new IllegalStateException("date is required");
                }
                Fields.total(total, totalProblem);
                if (email == null) {
                    throw new IllegalStateException("email is required");
                }
                Fields.email(email);
                Fields.text("customerId", customerId);
                if (lines == null) {
                    throw new IllegalStateException("lines is required");
                }
                return new FeedOrder(this, Fields.lines(lines, MAX_LINES));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(order + e.getMessage(), e);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(order + e.getMessage(), e);
            }
        }
    }
}
