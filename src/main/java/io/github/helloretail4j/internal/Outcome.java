package io.github.helloretail4j.internal;

import java.time.Duration;

/**
 * What one POST to the collector came to.
 *
 * @param status the HTTP status, or 0 when no response was read
 * @param message the collector's {@code message}, or a description of the I/O failure
 * @param retryAfter the collector's {@code Retry-After}, or null
 * @param mayHaveArrived true for a {@code RETRY} without an answer after the request began to
 *        go out (a timeout, a reset, an abort): Hello Retail may have recorded it all the same
 */
record Outcome(Type type, int status, String message, Duration retryAfter, boolean mayHaveArrived) {

    /** An outcome that is known: an answer, or a failure before the request went out. */
    Outcome(Type type, int status, String message, Duration retryAfter) {
        this(type, status, message, retryAfter, false);
    }

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
        String echoed = Messages.echo(message);
        return status == 0 ? echoed : "HTTP " + status + " " + echoed;
    }
}
