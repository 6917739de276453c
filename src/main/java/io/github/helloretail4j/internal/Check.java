package io.github.helloretail4j.internal;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validation shared by the value builders, the tracker builder and the servlet layer. Every
 * method is pure; problems come back as messages that name the field and echo the value, so
 * that a shop's developer sees at once what was wrong.
 *
 * <p>Not part of the public API.
 */
public final class Check {

    /** Longest URL accepted: browsers and proxies commonly cap URLs at a few kilobytes. */
    public static final int MAX_URL_LENGTH = 4096;
    /** Longest product number, order number or customer id accepted. */
    public static final int MAX_TEXT_LENGTH = 256;
    /** RFC 5321 caps a forward path at 256 octets, so an address is at most 254 characters. */
    public static final int MAX_EMAIL_LENGTH = 254;
    /** Values echoed in messages are cut to this many characters. */
    private static final int MAX_ECHO = 120;

    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Check() {
    }

    /** True for Hello Retail's id format: 24 lowercase hex characters (a MongoDB ObjectId). */
    public static boolean isTrackingUserId(String value) {
        if (value == null || value.length() != 24) {
            return false;
        }
        for (int i = 0; i < 24; i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isUuid(String value) {
        return value != null && value.length() == 36 && UUID.matcher(value).matches();
    }

    public static String websiteUuid(String value) {
        if (value == null) {
            throw new IllegalStateException("websiteUuid is required");
        }
        if (!isUuid(value)) {
            throw new IllegalArgumentException("websiteUuid must be a UUID like "
                    + "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf: " + echo(value));
        }
        return value;
    }

    /** Validates an optional tracking user id; null stays null. */
    public static String trackingUserId(String value) {
        if (value != null && !isTrackingUserId(value)) {
            throw new IllegalArgumentException(
                    "trackingUserId must be 24 lowercase hex characters: " + echo(value));
        }
        return value;
    }

    /** Validates an optional absolute http(s) URL; null stays null. */
    public static String url(String field, String value) {
        if (value != null) {
            String problem = urlProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(field + " must be " + problem + ": " + echo(value));
            }
        }
        return value;
    }

    /** Validates an optional short text (product number, customer id); null stays null. */
    public static String text(String field, String value) {
        if (value != null) {
            String problem = textProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(field + " must be " + problem + ": " + echo(value));
            }
        }
        return value;
    }

    /** Validates an optional email address; null stays null. The message never shows it whole. */
    /** Digits of a total as written in plain notation, sign and point included. */
    public static final int MAX_TOTAL_LENGTH = 32;

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
                url(name, entry);
            }
        }
        return List.copyOf(products);
    }

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
                    + MAX_EMAIL_LENGTH + " characters: " + echo(maskEmail(value)));
        }
        return value;
    }

    /**
     * Why {@code value} is not an absolute http(s) URL we are willing to send, or null when it
     * is. Deliberately stricter than {@link java.net.URI} in what matters for a tracking event
     * (a host, no credentials, no control characters, well-formed percent-escapes) and cheaper,
     * since the filter calls it on every request.
     */
    public static String urlProblem(String value) {
        final String expected = "an absolute http or https URL of at most " + MAX_URL_LENGTH + " characters";
        int n = value.length();
        if (n > MAX_URL_LENGTH) {
            return expected;
        }
        int authorityStart;
        if (startsWithIgnoringAsciiCase(value, "http://")) {
            authorityStart = 7;
        } else if (startsWithIgnoringAsciiCase(value, "https://")) {
            authorityStart = 8;
        } else {
            return expected;
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < n && "/?#".indexOf(value.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authorityProblem = authorityProblem(value, authorityStart, authorityEnd);
        if (authorityProblem != null) {
            return expected + " (" + authorityProblem + ")";
        }
        for (int i = authorityEnd; i < n; i++) {
            char c = value.charAt(i);
            if (isUnsafeInUrl(c)) {
                return expected + " (no spaces, quotes, angle brackets or control characters)";
            }
            if (c == '%' && (i + 2 >= n || !isHexDigit(value.charAt(i + 1)) || !isHexDigit(value.charAt(i + 2)))) {
                return expected + " (every % followed by two hex digits)";
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return expected + " (valid Unicode)";
                }
            }
        }
        return null;
    }

    private static String authorityProblem(String value, int start, int end) {
        if (start == end) {
            return "a host";
        }
        int at = value.indexOf('@', start);
        if (at >= 0 && at < end) {
            return "no user name or password";
        }
        int hostEnd = end;
        if (value.charAt(start) == '[') {
            int close = value.indexOf(']', start);
            if (close < 0 || close >= end || close == start + 1) {
                return "a valid IPv6 host";
            }
            for (int i = start + 1; i < close; i++) {
                char c = value.charAt(i);
                if (!(isHexDigit(c) || c == ':' || c == '.')) {
                    return "a valid IPv6 host";
                }
            }
            hostEnd = close + 1;
            if (hostEnd != end && value.charAt(hostEnd) != ':') {
                return "a valid IPv6 host";
            }
        } else {
            int colon = value.indexOf(':', start);
            if (colon >= 0 && colon < end) {
                hostEnd = colon;
            }
            if (hostEnd == start) {
                return "a host";
            }
            for (int i = start; i < hostEnd; i++) {
                char c = value.charAt(i);
                // Letters beyond ASCII are allowed for internationalised host names.
                if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                    return "a valid host name";
                }
            }
        }
        if (hostEnd < end) {
            int portStart = hostEnd + 1;
            int digits = end - portStart;
            if (digits < 1 || digits > 5) {
                return "a valid port";
            }
            int port = 0;
            for (int i = portStart; i < end; i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    return "a valid port";
                }
                port = port * 10 + (c - '0');
            }
            if (port < 1 || port > 65535) {
                return "a valid port";
            }
        }
        return null;
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

    /**
     * ASCII letters only: {@code String.regionMatches(true, ...)} folds Unicode case, which
     * takes {@code "httpſ://"} (U+017F, long s, upper-cases to S) for {@code "https://"}.
     */
    private static boolean startsWithIgnoringAsciiCase(String value, String lowerCasePrefix) {
        if (value.length() < lowerCasePrefix.length()) {
            return false;
        }
        for (int i = 0; i < lowerCasePrefix.length(); i++) {
            char c = value.charAt(i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c) != lowerCasePrefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** An ASCII hex digit (not any Unicode digit). */
    public static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /**
     * A character a URL of ours may not hold as it is (outside the authority): spaces, controls,
     * quotes, angle brackets, backslash and backtick. The filter percent-encodes these.
     */
    public static boolean isUnsafeInUrl(char c) {
        return c <= ' ' || Character.isISOControl(c) || Character.isWhitespace(c)
                || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`';
    }

    /**
     * {@code c***@example.com}: enough to recognise a typo in the domain, never the address.
     * Anything that is not an address at all is masked whole.
     */
    public static String maskEmail(String email) {
        if (email == null) {
            return null;
        }
        int at = email.lastIndexOf('@');
        if (at <= 0) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(at);
    }

    /**
     * An exception for a message: its class and its message, since for many I/O exceptions the
     * message alone is only a path ({@code AccessDeniedException: /var/lib/shop/outbox.lock}).
     */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * The value in double quotes for an error message: control characters escaped so that a
     * hostile value cannot forge log lines, and cut after {@value #MAX_ECHO} characters.
     */
    public static String echo(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_ECHO) + 24).append('"');
        int shown = Math.min(s.length(), MAX_ECHO);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (s.length() > MAX_ECHO) {
            out.append("... (").append(s.length()).append(" characters)");
        }
        return out.toString();
    }

    /**
     * The endpoint with a trailing slash, so that paths resolve below it; https unless the host
     * is a loopback address, since the bodies carry visitor ids and customer emails.
     */
    public static URI endpoint(URI endpoint, URI example) {
        if (endpoint == null) {
            throw new IllegalArgumentException("endpoint must not be null");
        }
        String problem = endpointProblem(endpoint, example);
        if (problem != null) {
            throw new IllegalArgumentException("endpoint " + problem + ": " + echo(endpoint));
        }
        String path = endpoint.getRawPath();
        if (path == null || path.isEmpty() || !path.endsWith("/")) {
            try {
                return new URI(endpoint.getScheme(), endpoint.getRawAuthority(),
                        (path == null ? "" : path) + "/", null, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("endpoint is not a valid URL: " + echo(endpoint), e);
            }
        }
        return endpoint;
    }

    /** What is wrong with a collector endpoint ("must use https ..."), or null when nothing is. */
    public static String endpointProblem(URI endpoint, URI example) {
        String scheme = endpoint.getScheme();
        boolean http = "http".equalsIgnoreCase(scheme);
        if (!endpoint.isAbsolute() || !(http || "https".equalsIgnoreCase(scheme)) || endpoint.getHost() == null
                || endpoint.getRawUserInfo() != null || endpoint.getRawQuery() != null
                || endpoint.getRawFragment() != null) {
            return "must be an https URL with a host and no user, query or fragment, like " + example;
        }
        if (http && !isLoopback(endpoint.getHost())) {
            return "must use https (http only for a loopback address)";
        }
        return null;
    }

    /** Loopback by name or literal address; never resolves a name through DNS. */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        boolean literal = h.indexOf(':') >= 0 || h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
