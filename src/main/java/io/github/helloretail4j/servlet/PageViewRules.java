package io.github.helloretail4j.servlet;

import io.github.helloretail4j.internal.Check;
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
     * not a usable product number.
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
        return decoded != null && Check.textProblem(decoded) == null ? decoded : null;
    }

    /** RFC 3986 percent-decoding as UTF-8 ('+' stays '+'); null when malformed. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
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
}
