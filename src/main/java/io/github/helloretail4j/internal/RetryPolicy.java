package io.github.helloretail4j.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * When to try a failed delivery again: exponential backoff with jitter, never sooner than the
 * collector's {@code Retry-After}. Pure functions of their arguments, so they are tested
 * without threads or clocks.
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** A {@code Retry-After} longer than this is treated as this: we check back regardless. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    /**
     * The pause after failed attempt number {@code attempt} (1 for the first): the backoff
     * {@code initial * 2^(attempt-1)}, capped at {@code maxBackoff}, of which a random half is
     * kept ("equal jitter", so that senders that failed together do not retry together), and
     * at least {@code retryAfter}.
     *
     * @param random a number in [0, 1)
     */
    public Duration delay(int attempt, Duration retryAfter, double random) {
        long initial = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        int doublings = Math.min(Math.max(attempt - 1, 0), 62);
        long backoff = initial > (cap >> doublings) ? cap : Math.min(cap, initial << doublings);
        long jittered = backoff / 2 + (long) (random * (backoff - backoff / 2));
        long floor = retryAfter == null ? 0 : Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
        return Duration.ofMillis(Math.max(jittered, floor));
    }

    /**
     * A {@code Retry-After} header: delta-seconds or an HTTP date (RFC 9110, 10.2.3), relative
     * to {@code now}; null when absent or unreadable, zero when the date is past.
     */
    public static Duration parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            if (value.length() > 9) {
                return MAX_RETRY_AFTER;
            }
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
