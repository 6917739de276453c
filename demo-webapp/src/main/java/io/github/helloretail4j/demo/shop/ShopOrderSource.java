package io.github.helloretail4j.demo.shop;

import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.feed.OrderSource;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * The demo's orders as Hello Retail's order feed reads them: what a shop writes over its own
 * order store. Every placed order is in it, paid or awaiting payment (an order Hello Retail
 * learns of from the feed is one the shop took), under the same order number its conversion
 * carries, with its lines.
 */
public final class ShopOrderSource implements OrderSource {

    private final Orders orders;

    public ShopOrderSource(Orders orders) {
        this.orders = orders;
    }

    @Override
    public Stream<FeedOrder> orders(Instant from, Instant to) {
        // The demo's orders are few and in memory: sorting a copy of the window is fine here. A
        // shop with a database lets the database sort and hands rows out as they are read.
        return orders.placedBetween(from, to).map(ShopOrderSource::feedOrder);
    }

    private static FeedOrder feedOrder(Order order) {
        return FeedOrder.builder()
                .orderNumber(order.number())
                .date(order.placedAt())
                .total(order.total())
                .email(order.email())
                .lines(order.lines().stream().map(line -> OrderLine.builder()
                        .productNumber(line.product().number())
                        .quantity(line.quantity())
                        .lineTotal(line.amount())
                        .build()).toList())
                .build();
    }

    @Override
    public String toString() {
        return "the demo's in-memory orders";
    }
}
