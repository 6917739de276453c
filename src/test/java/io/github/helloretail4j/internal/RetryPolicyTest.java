package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30));

    @ParameterizedTest
    @CsvSource({
            // attempt, random, expected ms: half the backoff is fixed, the other half jittered
            "1, 0.0, 250",
            "1, 0.999999, 499",
            "2, 0.0, 500",
            "3, 0.5, 1500",
            "4, 0.0, 2000",
            "7, 0.0, 15000",   // 500 * 2^6 = 32000 capped at 30000
            "7, 0.999999, 29999",
            "100, 0.0, 15000", // no overflow for absurd attempt numbers
    })
    void delay_exponentialWithEqualJitter(int attempt, double random, long expectedMillis) {
        assertEquals(Duration.ofMillis(expectedMillis), policy.delay(attempt, null, random));
    }

    @Test
    void delay_retryAfterLongerThanBackoff_wins() {
        assertEquals(Duration.ofSeconds(7), policy.delay(1, Duration.ofSeconds(7), 0.5));
    }

    @Test
    void delay_retryAfterShorterThanBackoff_backoffWins() {
        assertEquals(Duration.ofMillis(1500), policy.delay(3, Duration.ofMillis(100), 0.5));
    }

    @Test
    void delay_hugeRetryAfter_isCapped() {
        assertEquals(RetryPolicy.MAX_RETRY_AFTER, policy.delay(1, Duration.ofDays(3), 0.0));
    }

    @ParameterizedTest
    @CsvSource({
            "120, PT2M",
            "' 3 ', PT3S",
            "0, PT0S",
            "99999999999, PT10M",
            "'Sun, 22 Nov 2026 20:00:30 GMT', PT30S",
            "'Sun, 22 Nov 2026 19:00:00 GMT', PT0S",
    })
    void parseRetryAfter_secondsAndDates(String header, Duration expected) {
        assertEquals(expected, RetryPolicy.parseRetryAfter(header, Instant.parse("2026-11-22T20:00:00Z")));
    }

    @Test
    void parseRetryAfter_garbageOrAbsent_isNull() {
        Instant now = Instant.parse("2026-11-22T20:00:00Z");
        assertNull(RetryPolicy.parseRetryAfter("soon", now));
        assertNull(RetryPolicy.parseRetryAfter("-5", now));
        assertNull(RetryPolicy.parseRetryAfter("", now));
        assertNull(RetryPolicy.parseRetryAfter(null, now));
    }
}
