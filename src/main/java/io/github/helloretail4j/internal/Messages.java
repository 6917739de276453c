package io.github.helloretail4j.internal;

/**
 * Not API: values as they may appear in an exception message or a log line: escaped and cut
 * ({@link #echo}), an email masked, an exception named with its class. A hostile value must not
 * forge a log line, and a customer's email must not reach one.
 */
public final class Messages {

    /** Values echoed in messages are cut to this many characters. */
    private static final int MAX_ECHO = 120;

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

    private Messages() {
    }
}
