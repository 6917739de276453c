package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.WEBSITE_UUID;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A shop's JVM for the crash and restart tests: tracks conversions {@code prefix-0},
 * {@code prefix-1}, ... and prints {@code acked N} as soon as {@code trackConversion} returned
 * for N. The parent kills it with SIGKILL, or it exits after {@code count} conversions.
 *
 * <p>Arguments: outbox directory, endpoint, order prefix, count (-1: until killed).
 */
public final class CrashChild {
    public static void main(String[] args) throws Exception {
        Path outbox = Path.of(args[0]);
        URI endpoint = URI.create(args[1]);
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        HelloRetailTracker tracker = HelloRetailTracker.builder()
                .websiteUuid(WEBSITE_UUID)
                .endpoint(endpoint)
                .outboxDirectory(outbox)
                .initialBackoff(java.time.Duration.ofMillis(50))
                .maxBackoff(java.time.Duration.ofMillis(200))
                .closeTimeout(java.time.Duration.ZERO)
                .build();
        System.out.println("ready");
        System.out.flush();
        for (int i = 0; count < 0 || i < count; i++) {
            tracker.trackConversion(Conversion.builder()
                    .trackingUserId(ID)
                    .orderNumber(prefix + "-" + i)
                    .total(new BigDecimal("10.00"))
                    .productNumbers(List.of("p-" + i))
                    .build());
            System.out.println("acked " + i);
            System.out.flush();
        }
        tracker.close();
        System.out.println("closed");
        System.out.flush();
    }
}
