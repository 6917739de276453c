package io.github.helloretail4j.internal;

import java.time.Duration;

/**
 * What one POST to the collector came to.
 *
 * @param status the HTTP status, or 0 when no response was read
 * @param message the collector's {@code message}, or a description of the I/O failure
 * @param retryAfter the collector's {@code Retry-After}, or null
 */
record Outcome(Type type, int status, String message, Duration retryAfter) {

    public enum Type {
        /** 2xx: Hello Retail recorded it. */
        DELIVERED,
        /** 200 "Not tracked for anonymous user": accepted, yet nothing was recorded. */
        NOT_TRACKED,
        /** The collector refused the body (400 and other final 4xx); sending it again cannot help. */
        REJECTED,
        /** 5xx, 408, 425, 429, a timeout or an I/O error: worth another try later. */
        RETRY
    }

    static final String NOT_TRACKED_MESSAGE = "Not tracked for anonymous user";

    /** For logs: {@code HTTP 400 "Website not found"}, or the I/O failure. */
    String describe() {
        String echoed = Check.echo(message);
        return status == 0 ? echoed : "HTTP " + status + " " + echoed;
    }
}
