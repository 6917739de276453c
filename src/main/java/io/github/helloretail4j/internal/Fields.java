package io.github.helloretail4j.internal;

import java.math.BigDecimal;
import java.util.List;

/**
 * Not API: the values of conversions, carts, order lines and the order feed: texts, amounts of
 * money, emails and lists of products or lines, with their limits. {@code xProblem} says why a
 * value will not do, or null when it will; {@code x(field, value)} returns the value or throws
 * naming the field and echoing the value, as builders do at {@code build()}.
 */
public final class Fields {

    /** Longest product number, order number or customer id accepted. */
    public static final int MAX_TEXT_LENGTH = 256;
    /** RFC 5321 caps a forward path at 256 octets, so an address is at most 254 characters. */
    public static final int MAX_EMAIL_LENGTH = 254;
    /** Digits of a total as written in plain notation, sign and point included. */
    public static final int MAX_TOTAL_LENGTH = 32;


    /** Validates an optional short text (product number, customer id); null stays null. */
    public static String text(String field, String value) {
        if (value != null) {
            String problem = textProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(field + " must be " + problem + ": " + Messages.echo(value));
            }
        }
        return value;
    }

    /**
     * A total of a conversion or a cart: required, zero or more, at most
     * {@value #MAX_TOTAL_LENGTH} characters in plain notation.
     *
     * @param problem what was wrong with the value given, when it could not become a number
     *        (a NaN or infinite double), or null
     */
    public static BigDecimal total(BigDecimal total, String problem) {
        return amount("total", total, problem);
    }

    /**
     * A required amount of money ({@code total}, {@code lineTotal}): zero or more, at most
     * {@value #MAX_TOTAL_LENGTH} characters in plain notation.
     *
     * @param problem what a builder's {@code double} setter found wrong, or null
     */
    public static BigDecimal amount(String field, BigDecimal amount, String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (amount == null) {
            throw new IllegalStateException(field + " is required");
        }
        if (amount.signum() < 0 || amount.toPlainString().length() > MAX_TOTAL_LENGTH) {
            throw new IllegalArgumentException(field + " must be zero or more, with at most "
                    + MAX_TOTAL_LENGTH + " characters in plain notation: " + amount.toPlainString());
        }
        return amount;
    }

    /** The message {@code total(double)} of a builder keeps for a value that is not a number. */
    public static String totalProblem(double total) {
        return amountProblem("total", total);
    }

    /** The message a builder's {@code double} setter keeps for a value that is not a number. */
    public static String amountProblem(String field, double amount) {
        return Double.isFinite(amount) ? null : field + " must be a finite number, zero or more: " + amount;
    }

    /**
     * An order's lines: 1 to {@code max} of them, none null (each was checked by its own
     * builder); returns an immutable copy.
     */
    public static <T> List<T> lines(List<T> lines, int max) {
        if (lines.isEmpty() || lines.size() > max) {
            throw new IllegalArgumentException("lines must hold 1 to " + max + " entries: " + lines.size() + " given");
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i) == null) {
                throw new IllegalArgumentException("lines[" + i + "] must not be null");
            }
        }
        return List.copyOf(lines);
    }

    /**
     * The products of a conversion or a cart: exactly one of the two lists, each entry a product
     * number ({@link #text}) or a URL ({@link #url}); returns an immutable copy of the one given.
     *
     * @param min 1 for an order; 0 for a cart, which may be empty
     */
    public static List<String> products(List<String> productNumbers, List<String> urls, int min, int max) {
        if (productNumbers != null && urls != null) {
            throw new IllegalStateException("set either productNumbers or urls, not both");
        }
        if (productNumbers == null && urls == null) {
            throw new IllegalStateException("productNumbers or urls is required");
        }
        String field = productNumbers != null ? "productNumbers" : "urls";
        List<String> products = productNumbers != null ? productNumbers : urls;
        if (products.size() < min || products.size() > max) {
            throw new IllegalArgumentException(field + " must hold " + min + " to " + max
                    + " entries: " + products.size() + " given");
        }
        for (int i = 0; i < products.size(); i++) {
            String entry = products.get(i);
            String name = field + "[" + i + "]";
            if (entry == null) {
                throw new IllegalArgumentException(name + " must not be null");
            }
            if (productNumbers != null) {
                text(name, entry);
            } else {
                Urls.url(name, entry);
            }
        }
        return List.copyOf(products);
    }

    /** Validates an optional email address; null stays null. The message never shows it whole. */
    public static String email(String value) {
        if (value == null) {
            return null;
        }
        int at = value.lastIndexOf('@');
        boolean ok = value.length() <= MAX_EMAIL_LENGTH && at > 0 && at < value.length() - 1
                && value.indexOf('@') == at;
        for (int i = 0; ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = !Character.isWhitespace(c) && !Character.isISOControl(c) && !Character.isSurrogate(c);
        }
        if (!ok) {
            throw new IllegalArgumentException("email must be an address like name@example.com of at most "
                    + MAX_EMAIL_LENGTH + " characters: " + Messages.echo(Messages.maskEmail(value)));
        }
        return value;
    }
    /** Why {@code value} is not a short text we send, or null when it is. */
    public static String textProblem(String value) {
        final String expected = "non-blank text of at most " + MAX_TEXT_LENGTH
                + " characters without control characters";
        if (value.isBlank() || value.length() > MAX_TEXT_LENGTH) {
            return expected;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return expected;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return expected;
                }
            }
        }
        return null;
    }


    private Fields() {
    }
}
