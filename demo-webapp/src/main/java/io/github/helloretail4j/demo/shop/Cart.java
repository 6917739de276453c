package io.github.helloretail4j.demo.shop;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The visitor's cart, kept in the HTTP session: product numbers and quantities. */
public final class Cart implements Serializable {

    private static final String ATTRIBUTE = Cart.class.getName();
    public static final int MAX_QUANTITY = 20;

    private final LinkedHashMap<String, Integer> quantities = new LinkedHashMap<>();

    /** The session's cart, created on first use. */
    public static Cart of(HttpServletRequest request) {
        HttpSession session = request.getSession();
        synchronized (session) {
            Cart cart = (Cart) session.getAttribute(ATTRIBUTE);
            if (cart == null) {
                cart = new Cart();
                session.setAttribute(ATTRIBUTE, cart);
            }
            return cart;
        }
    }

    /** The number of items in the session's cart, without creating a session. */
    public static int count(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        Cart cart = session == null ? null : (Cart) session.getAttribute(ATTRIBUTE);
        return cart == null ? 0 : cart.itemCount();
    }

    public synchronized void add(String productNumber, int quantity) {
        quantities.merge(productNumber, quantity, (a, b) -> Math.min(MAX_QUANTITY, a + b));
    }

    public synchronized void remove(String productNumber) {
        quantities.remove(productNumber);
    }

    public synchronized void clear() {
        quantities.clear();
    }

    public synchronized int itemCount() {
        return quantities.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The cart's lines, priced from the catalogue. */
    public synchronized List<Line> lines(Catalog catalog) {
        List<Line> lines = new ArrayList<>();
        for (Map.Entry<String, Integer> e : quantities.entrySet()) {
            catalog.product(e.getKey()).ifPresent(p -> lines.add(new Line(p, e.getValue())));
        }
        return lines;
    }

    /** One line of a cart or an order. */
    public record Line(Product product, int quantity) {
        public BigDecimal amount() {
            return product.price().multiply(BigDecimal.valueOf(quantity));
        }
    }

    public static BigDecimal total(List<Line> lines) {
        return lines.stream().map(Line::amount).reduce(new BigDecimal("0.00"), BigDecimal::add);
    }
}
