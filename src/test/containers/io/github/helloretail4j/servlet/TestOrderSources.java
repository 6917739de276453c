package io.github.helloretail4j.servlet;

import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.feed.OrderSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Order sources for the feed's tests, in memory, and the one a deployed test application serves
 * ({@link #current}, read by {@code OrderFeedTestListener} on every request).
 */
final class TestOrderSources {

    static final String USER = "helloretail";
    static final String PASSWORD = "feed-secret-1234";
    static final String FAILURE = "the shop's database went away";

    static final String AUTHORIZATION = basic(USER + ":" + PASSWORD);

    /** Three lines: by number and URL, by number alone, by URL alone; a customer id. */
    static final FeedOrder FIRST = FeedOrder.builder().orderNumber("110-2347")
            .date(Instant.parse("2024-05-12T08:04:05Z")).total(new BigDecimal("2185.85"))
            .email("customer@example.com").customerId("53967")
            .lines(List.of(
                    OrderLine.builder().productNumber("p-1234").url("https://shop.example/p/1234").quantity(1)
                            .lineTotal(new BigDecimal("785.95")).build(),
                    OrderLine.builder().productNumber("p-4567").quantity(2).lineTotal(new BigDecimal("1399.90"))
                            .build(),
                    OrderLine.builder().url("https://shop.example/p/89").quantity(1).lineTotal(new BigDecimal("0.00"))
                            .build()))
            .build();
    /** No customer id; a total in scientific notation, served plain. */
    static final FeedOrder SECOND = FeedOrder.builder().orderNumber("110-2348")
            .date(Instant.parse("2024-05-12T09:00:00Z")).total(new BigDecimal("1E+3")).email("guest@example.com")
            .lines(List.of(OrderLine.builder().productNumber("p-1").quantity(4).lineTotal(new BigDecimal("1E+3"))
                    .build()))
            .build();
    /** The two as the feed writes them, dates in Europe/Copenhagen. */
    static final String FIRST_JSON = "{\"total\":2185.85,\"orderNumber\":\"110-2347\",\"email\":\"customer@example.com\","
            + "\"customerId\":\"53967\",\"date\":\"2024-05-12 10:04:05\",\"products\":["
            + "{\"productNumber\":\"p-1234\",\"url\":\"https://shop.example/p/1234\",\"quantity\":1,\"lineTotal\":785.95},"
            + "{\"productNumber\":\"p-4567\",\"quantity\":2,\"lineTotal\":1399.90},"
            + "{\"url\":\"https://shop.example/p/89\",\"quantity\":1,\"lineTotal\":0.00}]}";
    static final String SECOND_JSON = "{\"total\":1000,\"orderNumber\":\"110-2348\",\"email\":\"guest@example.com\","
            + "\"date\":\"2024-05-12 11:00:00\",\"products\":[{\"productNumber\":\"p-1\",\"quantity\":4,\"lineTotal\":1000}]}";

    static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    static String gunzip(byte[] bytes) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What the deployed feed of a test serves; every test sets its own. */
    static final AtomicReference<OrderSource> current = new AtomicReference<>(fixed(List.of()));

    private TestOrderSources() {
    }

    /** The source of the deployed applications: whatever {@link #current} is at the request. */
    static OrderSource deployed() {
        return (from, to) -> current.get().orders(from, to);
    }

    /** A source that records the windows asked for and how often its streams were closed. */
    static class Recording implements OrderSource {
        final List<Instant[]> windows = new CopyOnWriteArrayList<>();
        final AtomicInteger closed = new AtomicInteger();
        private final OrderSource orders;

        Recording(OrderSource orders) {
            this.orders = orders;
        }

        @Override
        public Stream<FeedOrder> orders(Instant from, Instant to) {
            windows.add(new Instant[] {from, to});
            return orders.orders(from, to).onClose(closed::incrementAndGet);
        }

        Instant from() {
            return windows.get(windows.size() - 1)[0];
        }

        Instant to() {
            return windows.get(windows.size() - 1)[1];
        }
    }

    /** These orders, those in the window, by date and number. */
    static Recording fixed(List<FeedOrder> orders) {
        List<FeedOrder> sorted = new ArrayList<>(orders);
        sorted.sort(Comparator.comparing(FeedOrder::date).thenComparing(FeedOrder::orderNumber));
        return new Recording((from, to) -> sorted.stream()
                .filter(o -> !o.date().isBefore(from) && o.date().isBefore(to)));
    }

    /** {@code count} made-up orders one second apart (or endless with {@link Long#MAX_VALUE}), then the end or a failure. */
    static Recording generated(long count, boolean failAtEnd) {
        return new Recording((from, to) -> {
            Stream<FeedOrder> orders = Stream.iterate(0L, i -> i + 1).limit(count).map(i -> order(i, from.plusSeconds(i)));
            return failAtEnd ? Stream.concat(orders, Stream.<FeedOrder>of((FeedOrder) null).map(x -> {
                throw new IllegalStateException(FAILURE);
            })) : orders;
        });
    }

    /** Order {@code i}, placed at {@code date}: a line by number, one by URL, a customer id. */
    static FeedOrder order(long i, Instant date) {
        return FeedOrder.builder().orderNumber("o-" + i).date(date)
                .total(new BigDecimal("1299.90")).email("customer" + i + "@example.com").customerId("c-" + i)
                .lines(List.of(
                        OrderLine.builder().productNumber("p-" + i).quantity(2).lineTotal(new BigDecimal("999.90"))
                                .build(),
                        OrderLine.builder().url("https://shop.example/p/" + i).quantity(1)
                                .lineTotal(new BigDecimal("300.00")).build()))
                .build();
    }
}
