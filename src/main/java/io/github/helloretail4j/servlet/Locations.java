package io.github.helloretail4j.servlet;

import java.util.Locale;

/**
 * Rebuilds the URL the visitor saw. Scheme, host and port come from
 * {@code helloretail.publicBaseUrl} when set; else from {@code Forwarded} (RFC 7239) or
 * {@code X-Forwarded-Proto/Host/Port} when the shop trusts its proxy; else from the request.
 * A forwarded value that is not a plain scheme, host or port is ignored, so a visitor cannot
 * make the filter send a URL of their choosing.
 */
final class Locations {

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

    static String location(String baseUrl, String requestUri, String queryString) {
        StringBuilder b = new StringBuilder(baseUrl.length() + requestUri.length()
                + (queryString == null ? 0 : queryString.length() + 1));
        b.append(baseUrl).append(requestUri);
        if (queryString != null && !queryString.isEmpty()) {
            b.append('?').append(queryString);
        }
        return b.toString();
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
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
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
