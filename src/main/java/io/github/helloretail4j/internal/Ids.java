package io.github.helloretail4j.internal;

import java.util.regex.Pattern;

/**
 * Not API: the identifiers of Hello Retail's API, the shop's website UUID and a visitor's
 * tracking user id. {@code isX} tells whether a value has the form; {@code x(value)} returns it
 * or throws naming the field and echoing the value.
 */
public final class Ids {

    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

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
                    + "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf: " + Messages.echo(value));
        }
        return value;
    }

    /** Validates an optional tracking user id; null stays null. */
    public static String trackingUserId(String value) {
        if (value != null && !isTrackingUserId(value)) {
            throw new IllegalArgumentException(
                    "trackingUserId must be 24 lowercase hex characters: " + Messages.echo(value));
        }
        return value;
    }

    private Ids() {
    }
}
