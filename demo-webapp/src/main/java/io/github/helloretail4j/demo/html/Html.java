package io.github.helloretail4j.demo.html;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.Function;

/**
 * The demo's whole template engine: {@link #html} is {@link String#format} where every argument
 * is HTML-escaped unless it is already {@link Safe} markup. So a template can only emit a
 * shop's or a visitor's text escaped, and nesting templates never double-escapes.
 */
public final class Html {

    /** Markup that may be written as it is: a template's output or a literal. */
    public record Safe(String markup) {
        @Override
        public String toString() {
            return markup;
        }
    }

    public static final Safe EMPTY = new Safe("");

    private Html() {
    }

    /**
     * Fills {@code template} ({@code %s} placeholders) with {@code args}: {@link Safe} as it is,
     * {@link BigDecimal} as money, anything else as escaped text ({@code null} as nothing).
     */
    public static Safe html(String template, Object... args) {
        Object[] escaped = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            escaped[i] = a instanceof Safe s ? s.markup()
                    : a instanceof BigDecimal amount ? escape(money(amount))
                    : a == null ? "" : escape(a.toString());
        }
        return new Safe(String.format(template, escaped));
    }

    /** Markup written by the programmer, e.g. a fixed icon; never pass visitor input here. */
    public static Safe literal(String markup) {
        return new Safe(markup);
    }

    /** Renders each item and concatenates the results. */
    public static <T> Safe each(Collection<T> items, Function<? super T, Safe> render) {
        StringBuilder sb = new StringBuilder();
        for (T item : items) {
            sb.append(render.apply(item).markup());
        }
        return new Safe(sb.toString());
    }

    /** Escapes text for an element's content or a quoted attribute value. */
    public static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A path segment for a URL, e.g. a product number in {@code /products/...}. */
    public static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter value. */
    public static String queryValue(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A price as the shop shows it: {@code €129.95}. */
    public static String money(BigDecimal amount) {
        return "€" + amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
