package io.github.helloretail4j.servlet;

import io.github.helloretail4j.internal.Messages;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code helloretail.excludePaths} list: comma-separated globs on the path within the web
 * application. A glob without {@code /} matches the last path segment ({@code *.css},
 * {@code favicon.ico}); one with {@code /} matches the whole path, {@code *} within a segment
 * and {@code **} across segments ({@code /admin/**}). Extensions match in any case.
 */
final class PathGlobs {

    static final String DEFAULT = "*.css,*.js,*.mjs,*.map,*.json,*.xml,*.txt,*.png,*.jpg,*.jpeg,*.gif,*.svg,"
            + "*.webp,*.avif,*.ico,*.bmp,*.woff,*.woff2,*.ttf,*.otf,*.eot,*.mp4,*.webm,*.mp3,*.pdf,*.zip";

    /** Lower-case extensions of the {@code *.ext} globs, looked up in one step per request. */
    private final Set<String> extensions = new HashSet<>();
    private final List<Pattern> patterns = new ArrayList<>();
    private final String source;

    private PathGlobs(String source) {
        this.source = source;
    }

    /** @throws IllegalArgumentException naming the glob that is not usable */
    static PathGlobs parse(String list) {
        PathGlobs globs = new PathGlobs(list);
        for (String raw : list.split(",")) {
            String glob = raw.strip();
            if (glob.isEmpty()) {
                continue;
            }
            if (glob.chars().anyMatch(c -> c <= ' ')) {
                throw new IllegalArgumentException("has a glob with a space or control character: " + Messages.echo(glob));
            }
            if (glob.startsWith("*.") && glob.indexOf('*', 1) < 0 && glob.indexOf('?') < 0 && glob.indexOf('/') < 0
                    && glob.indexOf('.', 2) < 0) {
                globs.extensions.add(asciiLowerCase(glob.substring(2)));
            } else {
                globs.patterns.add(toRegex(glob));
            }
        }
        return globs;
    }

    private static Pattern toRegex(String glob) {
        boolean whole = glob.indexOf('/') >= 0;
        StringBuilder re = new StringBuilder(whole ? "" : "(?:.*/)?");
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }

    boolean matches(String path) {
        if (!extensions.isEmpty()) {
            int dot = path.lastIndexOf('.');
            if (dot > path.lastIndexOf('/') && extensions.contains(asciiLowerCase(path.substring(dot + 1)))) {
                return true;
            }
        }
        for (Pattern p : patterns) {
            if (p.matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * ASCII case only, as the patterns ({@code CASE_INSENSITIVE} without {@code UNICODE_CASE}):
     * {@code toLowerCase()} would take "x.CſS" (U+017F) for "x.css" and "x.GİF" for "x.gif".
     */
    private static String asciiLowerCase(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    if (chars[j] >= 'A' && chars[j] <= 'Z') {
                        chars[j] = (char) (chars[j] + ('a' - 'A'));
                    }
                }
                return new String(chars);
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return source;
    }
}
