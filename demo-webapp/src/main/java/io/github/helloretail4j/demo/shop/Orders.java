package io.github.helloretail4j.demo.shop;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** The shop's orders, in memory, numbered 1001, 1002, ... */
public final class Orders {

    public static final String ATTRIBUTE = Orders.class.getName();
    private static final String SESSION_ORDERS = Orders.class.getName() + ".mine";
    public static final int FIRST_ORDER_NUMBER = 1001;

    private final AtomicInteger next = new AtomicInteger(FIRST_ORDER_NUMBER);
    private final Map<String, Order> orders = new ConcurrentHashMap<>();

    public static Orders of(ServletContext context) {
        return (Orders) context.getAttribute(ATTRIBUTE);
    }

    public Order place(List<Cart.Line> lines, String email, Order.Payment payment, String trackingUserId) {
        Order order = new Order(Integer.toString(next.getAndIncrement()), lines, email, payment, trackingUserId);
        orders.put(order.number(), order);
        return order;
    }

    /** The orders placed in {@code [from, to)}, by date and then by number, as the order feed wants them. */
    public Stream<Order> placedBetween(Instant from, Instant to) {
        return orders.values().stream()
                .filter(o -> !o.placedAt().isBefore(from) && o.placedAt().isBefore(to))
                .sorted(Comparator.comparing(Order::placedAt).thenComparing(Order::number))
                .toList().stream();
    }

    public Optional<Order> find(String number) {
        return number == null ? Optional.empty() : Optional.ofNullable(orders.get(number));
    }

    /** Remembers in the visitor's session that this order is theirs (to show it to them only). */
    public static void rememberMine(HttpServletRequest request, Order order) {
        HttpSession session = request.getSession();
        synchronized (session) {
            @SuppressWarnings("unchecked")
            Set<String> mine = (Set<String>) session.getAttribute(SESSION_ORDERS);
            if (mine == null) {
                mine = ConcurrentHashMap.newKeySet();
                session.setAttribute(SESSION_ORDERS, mine);
            }
            mine.add(order.number());
        }
    }

    /** The order when it belongs to this visitor's session. */
    public Optional<Order> findMine(HttpServletRequest request, String number) {
        HttpSession session = request.getSession(false);
        Object mine = session == null ? null : session.getAttribute(SESSION_ORDERS);
        if (number == null || !(mine instanceof Set<?> set) || !set.contains(number)) {
            return Optional.empty();
        }
        return find(number);
    }
}
