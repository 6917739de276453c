package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import io.github.helloretail4j.demo.html.Html;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import io.github.helloretail4j.demo.html.Html.Safe;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /cart} shows the cart; {@code POST /cart/add} and {@code POST /cart/remove} change
 * it, send the whole cart to Hello Retail ({@code HelloRetailWeb.trackCart}), and redirect back
 * to {@code /cart} (303), so that a reload never adds twice. The POSTs are
 * not page views (the filter tracks GETs only); the cart page they lead to is.
 */
public final class CartServlet extends ShopServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getPathInfo() != null) {
            notFound(response);
            return;
        }
        String ctx = request.getContextPath();
        List<Cart.Line> lines = Cart.of(request).lines(catalog());
        if (lines.isEmpty()) {
            page(request, response, "Your cart", null, html("""
                    <h1>Your cart</h1>
                    <p class="lead">Your cart is empty.</p>
                    <p><a class="button" href="%s/">Start shopping</a></p>
                    <h2>You might also like</h2>
                    %s
                    """, ctx, Layout.grid(request, suggestions(Set.of()))));
            return;
        }
        Safe rows = Html.each(lines, l -> html("""
                <tr>
                  <td class="line-product">%s<a href="%s">%s</a></td>
                  <td class="num">%s</td>
                  <td class="num">%s</td>
                  <td class="num">%s</td>
                  <td class="num"><form method="post" action="%s/cart/remove">
                    <input type="hidden" name="productNumber" value="%s">
                    <button class="link-button" type="submit">Remove</button></form></td>
                </tr>
                """, Layout.swatch(l.product(), "swatch mini"), ctx + l.product().path(), l.product().name(),
                l.quantity(), l.product().price(), l.amount(), ctx, l.product().number()));
        Set<String> inCart = lines.stream().map(l -> l.product().number()).collect(Collectors.toSet());
        page(request, response, "Your cart", null, html("""
                <h1>Your cart</h1>
                <table class="lines">
                  <thead><tr><th>Product</th><th class="num">Qty</th><th class="num">Price</th>
                    <th class="num">Amount</th><th></th></tr></thead>
                  <tbody>%s</tbody>
                  <tfoot><tr><th colspan="3">Total</th><th class="num" id="cart-total">%s</th><th></th></tr></tfoot>
                </table>
                <p class="actions"><a class="button" href="%s/">Continue shopping</a>
                  <a class="button primary" id="go-to-checkout" href="%s/checkout">Checkout</a></p>
                <h2>You might also like</h2>
                %s
                """, rows, Cart.total(lines), ctx, ctx, Layout.grid(request, suggestions(inCart))));
    }

    /** Up to four products not in the cart: one per category first, then the rest. */
    private List<Product> suggestions(Set<String> inCart) {
        List<Product> candidates = catalog().all().stream().filter(p -> !inCart.contains(p.number())).toList();
        List<Product> picked = new ArrayList<>();
        for (Category c : Category.values()) {
            candidates.stream().filter(p -> p.category() == c).findFirst().ifPresent(picked::add);
        }
        for (Product p : candidates) {
            if (picked.size() >= 4) {
                break;
            }
            if (!picked.contains(p)) {
                picked.add(p);
            }
        }
        return picked.subList(0, Math.min(4, picked.size()));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = request.getPathInfo();
        String number = request.getParameter("productNumber");
        if (number == null || catalog().product(number).isEmpty()) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "unknown product");
            return;
        }
        if ("/add".equals(action)) {
            int quantity;
            try {
                quantity = Integer.parseInt(request.getParameter("quantity") == null ? "1" : request.getParameter("quantity"));
            } catch (NumberFormatException e) {
                quantity = 0;
            }
            if (quantity < 1 || quantity > Cart.MAX_QUANTITY) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST, "quantity must be 1 to " + Cart.MAX_QUANTITY);
                return;
            }
            Cart.of(request).add(number, quantity);
        } else if ("/remove".equals(action)) {
            Cart.of(request).remove(number);
        } else {
            notFound(response);
            return;
        }
        tellHelloRetail(request, Cart.of(request).lines(catalog()));
        seeOther(request, response, "/cart");
    }

    /**
     * After each change, the whole cart goes to Hello Retail (for abandoned-cart emails and
     * cart-based recommendations); the library sends only the newest of quick changes. Each
     * product once: Hello Retail's cart has no quantities. An empty list clears the cart there.
     */
    static void tellHelloRetail(HttpServletRequest request, List<Cart.Line> lines) {
        String cartPage = request.getRequestURL().toString().replaceFirst("/cart/(add|remove)$", "/cart")
                .replaceFirst("/checkout$", "/cart");
        HelloRetailWeb.trackCart(request, io.github.helloretail4j.Cart.builder()
                .total(Cart.total(lines))
                .url(cartPage)
                .productNumbers(lines.stream().map(l -> l.product().number()).distinct().toList()));
    }
}
