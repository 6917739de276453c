package io.github.helloretail4j.servlet;

import io.github.helloretail4j.internal.Fields;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The pure parts of the page view decision, tested without a container. */
final class PageViewRules {

    private PageViewRules() {
    }

    /**
     * True for requests the browser makes ahead of or beside a page view: prefetch and
     * prerender ({@code Sec-Purpose}, {@code Purpose}, {@code X-Moz}, {@code X-Purpose}), XHR
     * ({@code X-Requested-With}) and any fetch whose destination is not a document
     * ({@code Sec-Fetch-Dest}: fetch(), iframes, images).
     */
    static boolean isNotANavigation(String secPurpose, String purpose, String xMoz, String xPurpose,
                                    String xRequestedWith, String secFetchDest) {
        return contains(secPurpose, "prefetch") || contains(secPurpose, "prerender")
                || contains(purpose, "prefetch") || contains(purpose, "prerender")
                || contains(xMoz, "prefetch")
                || contains(xPurpose, "preview") || contains(xPurpose, "prefetch")
                || (xRequestedWith != null && !xRequestedWith.isBlank())
                || (secFetchDest != null && !secFetchDest.strip().equalsIgnoreCase("document"));
    }

    private static boolean contains(String header, String token) {
        return header != null && header.toLowerCase(Locale.ROOT).contains(token);
    }

    /** {@code text/html} or XHTML, any parameters. */
    static boolean isHtml(String contentType) {
        if (contentType == null) {
            return false;
        }
        String ct = contentType.stripLeading();
        return ct.regionMatches(true, 0, "text/html", 0, 9) || ct.regionMatches(true, 0, "application/xhtml+xml", 0, 21);
    }

    static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    /** {@code Sec-GPC: 1}: the visitor asks not to be tracked (Global Privacy Control). */
    static boolean isGlobalPrivacyControl(String secGpc) {
        return secGpc != null && secGpc.strip().equals("1");
    }

    /**
     * The {@code productNumber} group of {@code pattern} found in the raw (still
     * percent-encoded) path, decoded; null when the pattern does not match or the result is
     * not a usable product number. The filter gives the path without path parameters
     * ({@link UrlCleaner#path}), so that {@code ;jsessionid=...} is never part of a product number.
     */
    static String productNumber(Pattern pattern, String rawPath) {
        if (pattern == null) {
            return null;
        }
        Matcher m = pattern.matcher(rawPath);
        if (!m.find()) {
            return null;
        }
        String raw = m.group("productNumber");
        if (raw == null) {
            return null;
        }
        String decoded = percentDecode(raw);
        return decoded != null && Fields.textProblem(decoded) == null ? decoded : null;
    }

    /**
     * The value of the first {@code name} parameter in the raw query string, decoded as a form
     * is ({@code +} is a space, then percent-decoding as UTF-8), the way
     * {@code getParameter(name)} reads it; null when there is none, or it is empty, malformed
     * or not a usable product number. Only the query is read, never a request body.
     */
    static String productNumberFromQuery(String queryString, String name) {
        if (name == null || queryString == null) {
            return null;
        }
        int start = 0;
        int length = queryString.length();
        while (start <= length) {
            int end = queryString.indexOf('&', start);
            if (end < 0) {
                end = length;
            }
            int eq = queryString.indexOf('=', start);
            int nameEnd = eq < 0 || eq > end ? end : eq;
            if (isName(queryString, start, nameEnd, name)) {
                // The first one decides, as getParameter's: a repeated parameter is not searched further.
                if (nameEnd == end) {
                    return null;
                }
                String decoded = formDecode(queryString.substring(nameEnd + 1, end));
                return decoded != null && Fields.textProblem(decoded) == null ? decoded : null;
            }
            start = end + 1;
        }
        return null;
    }

    /** Whether {@code query[start, end)} is {@code name}, also when a client escaped some of its characters. */
    private static boolean isName(String query, int start, int end, String name) {
        if (end - start == name.length() && query.startsWith(name, start)) {
            return true;
        }
        for (int i = start; i < end; i++) {
            char c = query.charAt(i);
            if (c == '%' || c == '+') {
                return name.equals(formDecode(query.substring(start, end)));
            }
        }
        return false;
    }

    private static String formDecode(String s) {
        return percentDecode(s.indexOf('+') < 0 ? s : s.replace('+', ' '));
    }

    /**
     * RFC 3986 percent-decoding as UTF-8 ('+' stays '+'); null when malformed: a '%' not
     * followed by two ASCII hex digits, escapes that are not UTF-8, a lone surrogate.
     */
    static String percentDecode(String s) {
        if (!isValidUnicode(s)) {
            return null;
        }
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            int percent = s.indexOf('%', i);
            int runEnd = percent < 0 ? s.length() : percent;
            // A run of characters as a whole, so that a surrogate pair becomes one code point.
            bytes.writeBytes(s.substring(i, runEnd).getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            if (percent + 2 >= s.length()) {
                return null;
            }
            int hi = hexValue(s.charAt(percent + 1));
            int lo = hexValue(s.charAt(percent + 2));
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes.write(hi * 16 + lo);
            i = percent + 3;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** ASCII only: {@code Character.digit} would also take '١' or '１' for a digit. */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isValidUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
