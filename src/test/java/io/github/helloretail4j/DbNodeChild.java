package io.github.helloretail4j;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;

/**
 * One node of a shop for the multi-node tests: a JVM with its own pool and tracker on the shared
 * database. It takes orders {@code prefix-0} ... in the shop's transactions (the order row and
 * the conversion together; every fifth transaction rolls back), then the orders
 * {@code shared-0} ... that every node takes, and prints {@code committed X},
 * {@code rolledback X} or {@code failed X <message>} for each, then {@code tracked}. It keeps
 * delivering until it reads {@code exit} (then closes the tracker and prints {@code closed}), or
 * until the parent kills it.
 *
 * <p>Arguments: JDBC URL, user, outbox table, shop table, endpoint, prefix, count, shared count.
 */
public final class DbNodeChild {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String table = args[2];
        String shopTable = args[3];
        URI endpoint = URI.create(args[4]);
        String prefix = args[5];
        int count = Integer.parseInt(args[6]);
        int shared = Integer.parseInt(args[7]);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(1000);
        config.setPoolName(prefix);
        HikariDataSource pool = new HikariDataSource(config);
        HelloRetailTracker tracker = HelloRetailTracker.builder()
                .websiteUuid("4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf")
                .endpoint(endpoint)
                .name(prefix)
                .outboxDataSource(pool)
                .outboxTable(table)
                .initialBackoff(Duration.ofMillis(50))
                .maxBackoff(Duration.ofMillis(200))
                .connectTimeout(Duration.ofMillis(500))
                // longer than the test holds requests at the collector on a busy machine: a timed-out
                // request has an unknown outcome and is rightly sent again, which is not what is tested
                .responseTimeout(Duration.ofSeconds(6))
                .closeTimeout(Duration.ofSeconds(2))
                .build();
        say("ready");
        for (int i = 0; i < count; i++) {
            order(pool, tracker, shopTable, prefix, prefix + "-" + i, i % 5 == 4);
        }
        for (int i = 0; i < shared; i++) {
            order(pool, tracker, shopTable, prefix, "shared-" + i, false);
        }
        say("tracked");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            // wait for the parent
        }
        tracker.close();
        say("metrics " + tracker.metrics().conversions());
        pool.close();
        say("closed");
    }

    private static void order(HikariDataSource pool, HelloRetailTracker tracker, String shopTable, String node,
                              String orderNumber, boolean rollBack) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + shopTable + " VALUES (?, ?)")) {
                    s.setString(1, orderNumber);
                    s.setString(2, node);
                    s.executeUpdate();
                }
                tracker.trackConversion(c, Conversion.builder()
                        .trackingUserId("62a0317d17698aa57d369db9")
                        .orderNumber(orderNumber)
                        .total(new BigDecimal("10.00"))
                        .productNumbers(List.of("p-" + orderNumber))
                        .build());
                if (rollBack) {
                    c.rollback();
                    say("rolledback " + orderNumber);
                } else {
                    c.commit();
                    say("committed " + orderNumber);
                }
            } catch (RuntimeException | java.sql.SQLException e) {
                c.rollback();
                say("failed " + orderNumber + " " + e.getMessage().replace('\n', ' '));
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            say("failed " + orderNumber + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
