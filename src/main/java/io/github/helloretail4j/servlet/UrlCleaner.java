package io.github.helloretail4j.servlet;

import io.github.helloretail4j.internal.Messages;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes what may be a secret out of the URLs a page view sends ({@code location},
 * {@code referrer}, {@code url}): once sent, a URL is stored by a third party and shown in its
 * reports, where a session id or a password reset token must never be.
 * <ul>
 * <li>every path parameter, from a ';' to the end of its path segment ({@code ;jsessionid=...},
 *     which a container writes into the URL of a visitor whose session cookie it has not seen
 *     yet; any {@code ;name=value} the same way, as the cookie-less session ids of other
 *     servers have other names);</li>
 * <li>every query parameter named in {@code helloretail.removeQueryParameters}, the whole
 *     {@code name=value} pair, its name matched in any case and also percent- or form-encoded,
 *     the other pairs kept in their order;</li>
 * <li>the fragment of a full URL: a browser never sends one, yet a hand-made canonical URL or
 *     Referer may carry one, and OAuth's implicit flow puts its access token there.</li>
 * </ul>
 * These run on the request thread for every page view, so a URL with nothing to remove is
 * read once and returned as it came, with no allocation; a builder is made only when something
 * is taken out.
 */
final class UrlCleaner {

    private UrlCleaner() {
    }

    /** Query parameter names to remove; matched as sent or decoded, in any case. */
    static final class Names {

        static final Names NONE = new Names(List.of());

        private final String[] names;

        private Names(List<String> names) {
            this.names = names.toArray(new String[0]);
        }

        /**
         * {@code none}, or comma-separated names (blank entries ignored).
         *
         * @throws IllegalArgumentException naming the name that is not usable
         */
        static Names parse(String list) {
            if (list.strip().equalsIgnoreCase("none")) {
                return NONE;
            }
            List<String> names = new ArrayList<>();
            for (String raw : list.split(",")) {
                String name = raw.strip();
                if (name.isEmpty()) {
                    continue;
                }
                for (int i = 0; i < name.length(); i++) {
                    char c = name.charAt(i);
                    // A query string holds no name with these as written: such an entry is a slip (token&code).
                    if (c <= ' ' || Character.isISOControl(c) || Character.isWhitespace(c) || c == '&' || c == '='
                            || c == '#') {
                        throw new IllegalArgumentException("has a name with a space, control character, '&', '=' or '#': "
                                + Messages.echo(name) + " in the list");
                    }
                }
                names.add(name);
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("must be comma-separated query parameter names, or none to remove none");
            }
            return new Names(names);
        }

        boolean isEmpty() {
            return names.length == 0;
        }

        /** Whether {@code name} is one of these, in any case. */
        boolean contains(String name) {
            return matches(name, 0, name.length());
        }

        /** Whether {@code s[start, end)}, a name as the query holds it, is one of these. */
        boolean matches(String s, int start, int end) {
            int length = end - start;
            for (String name : names) {
                if (name.length() == length && s.regionMatches(true, start, name, 0, length)) {
                    return true;
                }
            }
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                if (c == '%' || c == '+') {
                    // Escaped, as a client may send any name: decoded as the container decodes it for getParameter.
                    String decoded = PageViewRules.percentDecode(s.substring(start, end).replace('+', ' '));
                    if (decoded != null) {
                        for (String name : names) {
                            if (name.equalsIgnoreCase(decoded)) {
                                return true;
                            }
                        }
                    }
                    return false;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return names.length == 0 ? "none" : String.join(",", names);
        }
    }

    /** A raw path (a request URI, a context path) without its path parameters; the same string when it has none. */
    static String path(String path) {
        int semicolon = path.indexOf(';');
        if (semicolon < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length()).append(path, 0, semicolon);
        appendPath(b, path, semicolon, path.length());
        return b.toString();
    }

    /**
     * A raw query string (without '?') without the named parameters; the same string when none
     * is there, "" when none is left. Empty pairs ({@code a=1&&b=2}) go with the removed ones.
     */
    static String query(String query, Names names) {
        if (query == null || query.isEmpty() || names.isEmpty() || !hasNamed(query, 0, query.length(), names)) {
            return query;
        }
        StringBuilder b = new StringBuilder(query.length());
        appendKept(b, query, 0, query.length(), names, false);
        return b.toString();
    }

    /**
     * A full URL (a Referer, a canonical URL) without path parameters, the named query
     * parameters and its fragment; the same string when it has none of them. Scheme and
     * authority are kept as they are; a string without {@code scheme://} is taken as a path.
     */
    static String url(String url, Names names) {
        int n = url.length();
        int pathStart = pathStart(url);
        int query = -1;
        int fragment = -1;
        boolean semicolon = false;
        for (int i = pathStart; i < n; i++) {
            char c = url.charAt(i);
            if (c == '#') {
                fragment = i;
                break;
            }
            if (query < 0) {
                if (c == '?') {
                    query = i;
                } else if (c == ';') {
                    semicolon = true;
                }
            }
        }
        int queryEnd = fragment < 0 ? n : fragment;
        boolean named = query >= 0 && !names.isEmpty() && hasNamed(url, query + 1, queryEnd, names);
        if (!semicolon && !named && fragment < 0) {
            return url;
        }
        StringBuilder b = new StringBuilder(n).append(url, 0, pathStart);
        appendPath(b, url, pathStart, query >= 0 ? query : queryEnd);
        if (named) {
            appendKept(b, url, query + 1, queryEnd, names, true);
        } else if (query >= 0) {
            b.append(url, query, queryEnd);
        }
        return b.toString();
    }

    /** After {@code scheme://authority} when the URL starts with one, else 0. */
    private static int pathStart(String url) {
        int n = url.length();
        for (int i = 0; i < n; i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') {
                return 0;
            }
            if (c == '/') {
                if (i == 0 || url.charAt(i - 1) != ':' || i + 1 >= n || url.charAt(i + 1) != '/') {
                    return 0;
                }
                for (int j = i + 2; j < n; j++) {
                    char a = url.charAt(j);
                    if (a == '/' || a == '?' || a == '#') {
                        return j;
                    }
                }
                return n;
            }
        }
        return 0;
    }

    /** Appends {@code s[start, end)} without what runs from each ';' to the next '/'. */
    private static void appendPath(StringBuilder b, String s, int start, int end) {
        int i = start;
        while (i < end) {
            int semicolon = indexOf(s, ';', i, end);
            if (semicolon < 0) {
                b.append(s, i, end);
                return;
            }
            b.append(s, i, semicolon);
            int slash = indexOf(s, '/', semicolon, end);
            i = slash < 0 ? end : slash;
        }
    }

    /** Whether a pair of the query {@code s[start, end)} has one of the names. */
    private static boolean hasNamed(String s, int start, int end, Names names) {
        int pair = start;
        int nameEnd = -1;
        for (int i = start; i <= end; i++) {
            char c = i < end ? s.charAt(i) : '&';
            if (c == '=' && nameEnd < 0) {
                nameEnd = i;
            } else if (c == '&') {
                if (names.matches(s, pair, nameEnd < 0 ? i : nameEnd)) {
                    return true;
                }
                pair = i + 1;
                nameEnd = -1;
            }
        }
        return false;
    }

    /** Appends the non-empty pairs of the query {@code s[start, end)} not named, after '?' when {@code mark}. */
    private static void appendKept(StringBuilder b, String s, int start, int end, Names names, boolean mark) {
        boolean first = true;
        int pair = start;
        int nameEnd = -1;
        for (int i = start; i <= end; i++) {
            char c = i < end ? s.charAt(i) : '&';
            if (c == '=' && nameEnd < 0) {
                nameEnd = i;
            } else if (c == '&') {
                if (i > pair && !names.matches(s, pair, nameEnd < 0 ? i : nameEnd)) {
                    if (!first) {
                        b.append('&');
                    } else if (mark) {
                        b.append('?');
                    }
                    b.append(s, pair, i);
                    first = false;
                }
                pair = i + 1;
                nameEnd = -1;
            }
        }
    }

    /** {@code String.indexOf} that stops at {@code end}: a long query must not be read to its end for each pair. */
    private static int indexOf(String s, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
