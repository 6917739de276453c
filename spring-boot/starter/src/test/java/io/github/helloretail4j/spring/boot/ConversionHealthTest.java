package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.TrackerMetrics;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConversionHealthTest {

    private static final Duration DOWN_AFTER = Duration.ofMinutes(30);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** Conversions: tracked, delivered, rejected, failed; and outbox failures. */
    private static TrackerMetrics m(long tracked, long delivered, long rejected, long failed, long outboxFailures) {
        TrackerMetrics.Counts none = new TrackerMetrics.Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return new TrackerMetrics(none, new TrackerMetrics.Counts(tracked, delivered, 0, rejected, 0, failed, 0, 0, 0, 0, 0),
                none, outboxFailures, 0, 0);
    }

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    @Test
    void check_conversionsDelivered_isUp() {
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        assertFalse(health.check(m(5, 5, 0, 0, 0), at(0)).down());
        assertFalse(health.check(m(9, 9, 0, 0, 0), at(60)).down());
    }

    @Test
    void check_conversionWaitingWithNoDeliveryForDownAfter_isDownUntilOneIsDelivered() {
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        assertFalse(health.check(m(1, 0, 0, 0, 0), at(0)).down());
        assertFalse(health.check(m(2, 0, 0, 0, 0), at(29)).down());
        ConversionHealth.Verdict down = health.check(m(2, 0, 0, 0, 0), at(30));
        assertTrue(down.down());
        assertEquals(2L, down.details().get("conversionsPending"));
        assertEquals(T0.toString(), down.details().get("conversionsFailingSince"));
        ConversionHealth.Verdict up = health.check(m(2, 1, 0, 0, 0), at(31));
        assertFalse(up.down());
        assertFalse(up.details().containsKey("conversionsFailingSince"));
    }

    @Test
    void check_conversionWaitingBriefly_isNeverDown() {
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        for (int minute = 0; minute < 120; minute += 5) {
            // one order every 5 minutes, each seen waiting once and delivered by the next check
            assertFalse(health.check(m(minute / 5 + 1, minute / 5, 0, 0, 0), at(minute)).down(), "minute " + minute);
        }
    }

    @Test
    void check_everyConversionRejected_isDownAfterDownAfter() {
        // a wrong website UUID: each order is refused at once, so none waits
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        assertFalse(health.check(m(1, 0, 1, 0, 0), at(0)).down());
        assertFalse(health.check(m(2, 0, 2, 0, 0), at(20)).down());
        assertTrue(health.check(m(3, 0, 3, 0, 0), at(40)).down());
    }

    @Test
    void check_oneRejectedConversionThenQuiet_isNotDown() {
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        assertFalse(health.check(m(1, 0, 1, 0, 0), at(0)).down());
        // no failure since: the streak ends after downAfter of quiet, before it could count as long
        assertFalse(health.check(m(1, 0, 1, 0, 0), at(30)).down());
        assertFalse(health.check(m(1, 0, 1, 0, 0), at(90)).down());
    }

    @Test
    void check_outboxFailingForDownAfter_isDownUntilAConversionIsWritten() {
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        assertFalse(health.check(m(0, 0, 0, 0, 1), at(0)).down());
        assertFalse(health.check(m(0, 0, 0, 0, 3), at(15)).down());
        ConversionHealth.Verdict down = health.check(m(0, 0, 0, 0, 4), at(30));
        assertTrue(down.down());
        assertEquals(T0.toString(), down.details().get("outboxFailingSince"));
        // still down at a check with no new failure, within downAfter of the last one
        assertTrue(health.check(m(0, 0, 0, 0, 4), at(40)).down());
        // the disk works again: a conversion written, no failure beside it
        assertFalse(health.check(m(1, 1, 0, 0, 4), at(41)).down());
    }

    @Test
    void check_outboxFailedOnceThenQuietForDownAfter_isUp() {
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(0, 0, 0, 0, 0));
        assertFalse(health.check(m(0, 0, 0, 0, 1), at(0)).down());
        assertFalse(health.check(m(0, 0, 0, 0, 1), at(30)).down());
        assertFalse(health.check(m(0, 0, 0, 0, 1), at(61)).details().containsKey("outboxFailingSince"));
    }

    @Test
    void check_failuresBeforeTheBaseline_areNotCounted() {
        // the tracker had failed before the indicator was made (counters from its start)
        ConversionHealth health = new ConversionHealth(DOWN_AFTER, m(10, 5, 5, 0, 7));
        assertFalse(health.check(m(10, 5, 5, 0, 7), at(0)).down());
        assertFalse(health.check(m(10, 5, 5, 0, 7), at(60)).down());
    }
}
