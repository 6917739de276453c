package io.github.helloretail4j.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Not API: URLs the library sends (a page's location, a product's URL) and the collector endpoint
 * it sends to. {@code xProblem} says why a value will not do, or null when it will; {@code
 * x(field, value)} throws with that problem, naming the field and echoing the value.
 */
public final class Urls {

    /** Longest URL accepted: browsers and proxies commonly cap URLs at a few kilobytes. */
    public static final int MAX_URL_LENGTH = 4096;

    /** Validates an optional absolute http(s) URL; null stays null. */
    public static String url(String field, String value) {
        if (value != null) {
            String problem = urlProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(field + " must be " + problem + ": " + Messages.echo(value));
            }
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
     * The endpoint with a trailing slash, so that paths resolve below it; https unless the host
     * is a loopback address, since the bodies carry visitor ids and customer emails.
     */
    public static URI endpoint(URI endpoint, URI example) {
        if (endpoint == null) {
            throw new IllegalArgumentException("endpoint must not be null");
        }
        String problem = endpointProblem(endpoint, example);
        if (problem != null) {
            throw new IllegalArgumentException("endpoint " + problem + ": " + Messages.echo(endpoint));
        }
        String path = endpoint.getRawPath();
        if (path == null || path.isEmpty() || !path.endsWith("/")) {
            try {
                return new URI(endpoint.getScheme(), endpoint.getRawAuthority(),
                        (path == null ? "" : path) + "/", null, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("endpoint is not a valid URL: " + Messages.echo(endpoint), e);
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

    private Urls() {
    }
}
