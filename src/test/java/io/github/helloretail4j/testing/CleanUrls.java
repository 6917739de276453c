package io.github.helloretail4j.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URLs a page view may send, written independently of the filter's code (with regular
 * expressions and {@code split}), for tests to compare the filter's URLs with: no path
 * parameter, none of the named query parameters, no fragment.
 */
public final class CleanUrls {

    private static final Pattern SCHEME_AND_AUTHORITY = Pattern.compile("^[^/?#]*://[^/?#]*");

    private CleanUrls() {
    }

    /** {@code url} without path parameters, the named query parameters (in any case, also encoded) and fragment. */
    public static String url(String url, Collection<String> names) {
        int hash = url.indexOf('#');
        String withoutFragment = hash < 0 ? url : url.substring(0, hash);
        Matcher m = SCHEME_AND_AUTHORITY.matcher(withoutFragment);
        String prefix = m.find() ? m.group() : "";
        String rest = withoutFragment.substring(prefix.length());
        int question = rest.indexOf('?');
        if (question < 0) {
            return prefix + path(rest);
        }
        String query = rest.substring(question + 1);
        String cleaned = query(query, names);
        return prefix + path(rest.substring(0, question))
                + (cleaned.equals(query) ? "?" + query : cleaned.isEmpty() ? "" : "?" + cleaned);
    }

    /** A path without its path parameters. */
    public static String path(String path) {
        return path.replaceAll(";[^/]*", "");
    }

    /**
     * A query (without '?') without the named parameters: unchanged when none is there, else the
     * other non-empty pairs in their order.
     */
    public static String query(String query, Collection<String> names) {
        List<String> pairs = Arrays.asList(query.split("&", -1));
        if (pairs.stream().noneMatch(p -> isNamed(p, names))) {
            return query;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : pairs) {
            if (!pair.isEmpty() && !isNamed(pair, names)) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

    private static boolean isNamed(String pair, Collection<String> names) {
        String name = pair.split("=", 2)[0];
        String decoded;
        try {
            decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = name;
        }
        for (String n : names) {
            if (n.equalsIgnoreCase(name) || n.equalsIgnoreCase(decoded)) {
                return true;
            }
        }
        return false;
    }
}
