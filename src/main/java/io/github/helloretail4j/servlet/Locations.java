package io.github.helloretail4j.servlet;

import io.github.helloretail4j.internal.Urls;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Rebuilds the URL the visitor saw. Scheme, host and port come from
 * {@code helloretail.publicBaseUrl} when set; else from {@code Forwarded} (RFC 7239) or
 * {@code X-Forwarded-Proto/Host/Port} when the shop trusts its proxy; else from the request.
 * A forwarded value that is not a plain scheme, host or port is ignored, so a visitor cannot
 * make the filter send a URL of their choosing.
 */
final class Locations {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Locations() {
    }

    /** What the filter reads from the request to build the base URL. */
    record Origin(String scheme, String serverName, int serverPort,
                  String forwarded, String forwardedProto, String forwardedHost, String forwardedPort) {
    }

    /** {@code scheme://host[:port]} with the default port left out. */
    static String baseUrl(String publicBaseUrl, boolean trustForwarded, Origin o) {
        if (publicBaseUrl != null) {
            return publicBaseUrl;
        }
        String scheme = o.scheme() == null ? "http" : o.scheme().toLowerCase(Locale.ROOT);
        String host = o.serverName();
        int port = o.serverPort();
        if (trustForwarded) {
            String proto = null;
            String fHost = null;
            if (o.forwarded() != null) {
                String first = firstElement(o.forwarded());
                for (String pair : first.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        String key = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                        String value = unquote(pair.substring(eq + 1).strip());
                        if (key.equals("proto")) {
                            proto = value;
                        } else if (key.equals("host")) {
                            fHost = value;
                        }
                    }
                }
            }
            if (proto == null && o.forwardedProto() != null) {
                proto = firstElement(o.forwardedProto()).strip();
            }
            if (fHost == null && o.forwardedHost() != null) {
                fHost = firstElement(o.forwardedHost()).strip();
            }
            if (proto != null) {
                proto = proto.toLowerCase(Locale.ROOT);
                if (proto.equals("http") || proto.equals("https")) {
                    if (!proto.equals(scheme)) {
                        port = defaultPort(proto);
                    }
                    scheme = proto;
                }
            }
            if (fHost != null && isHostAndPort(fHost)) {
                int colon = fHost.lastIndexOf(':');
                if (colon > 0 && fHost.indexOf(']') < colon) {
                    host = fHost.substring(0, colon);
                    port = Integer.parseInt(fHost.substring(colon + 1));
                } else {
                    host = fHost;
                    port = defaultPort(scheme);
                }
            }
            if (o.forwardedPort() != null) {
                String p = firstElement(o.forwardedPort()).strip();
                if (isPort(p)) {
                    port = Integer.parseInt(p);
                }
            }
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        StringBuilder b = new StringBuilder(scheme.length() + host.length() + 9).append(scheme).append("://").append(host);
        if (port > 0 && port != defaultPort(scheme)) {
            b.append(':').append(port);
        }
        return b.toString();
    }

    /**
     * The base URL, the request URI as sent and the query string. What a URL cannot hold is
     * percent-encoded as UTF-8: a '%' that starts no escape (a browser sends {@code ?q=100%} as
     * typed), spaces, control characters, quotes, angle brackets, backslash and backtick (which
     * some containers let through), a lone surrogate (as U+FFFD). Otherwise the location would
     * fail validation and a real visit would go untracked. A valid URI is kept as it is.
     */
    static String location(String baseUrl, String requestUri, String queryString) {
        StringBuilder b = new StringBuilder(baseUrl.length() + requestUri.length()
                + (queryString == null ? 0 : queryString.length() + 1));
        b.append(baseUrl);
        appendEncoded(b, requestUri);
        if (queryString != null && !queryString.isEmpty()) {
            b.append('?');
            appendEncoded(b, queryString);
        }
        return b.toString();
    }

    private static void appendEncoded(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                boolean escape = i + 2 < s.length() && Urls.isHexDigit(s.charAt(i + 1)) && Urls.isHexDigit(s.charAt(i + 2));
                b.append(escape ? "%" : "%25");
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                b.append("%EF%BF%BD");
            } else if (Urls.isUnsafeInUrl(c)) {
                for (byte x : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                    b.append('%').append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
                }
            } else {
                b.append(c);
            }
        }
    }

    static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    private static String firstElement(String header) {
        int comma = header.indexOf(',');
        return comma < 0 ? header : header.substring(0, comma);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; letters, digits, '.', '-'. */
    static boolean isHostAndPort(String value) {
        if (value.isEmpty() || value.length() > 255) {
            return false;
        }
        int i = 0;
        if (value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (int j = 1; j < close; j++) {
                char c = value.charAt(j);
                // ASCII only: Character.digit would take '１' (U+FF11) for 1, and Urls.urlProblem would then refuse the URL.
                if (!(Urls.isHexDigit(c) || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < value.length() && value.charAt(i) != ':') {
                char c = value.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                    return false;
                }
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == value.length()) {
            return true;
        }
        return value.charAt(i) == ':' && isPort(value.substring(i + 1));
    }

    private static boolean isPort(String p) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int port = Integer.parseInt(p);
        return port >= 1 && port <= 65535;
    }
}
