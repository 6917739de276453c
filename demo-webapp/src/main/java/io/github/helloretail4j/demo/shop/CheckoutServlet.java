package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import io.github.helloretail4j.demo.html.Html;
import io.github.helloretail4j.demo.html.Html.Safe;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET /checkout} asks for an email address and a way to pay; {@code POST /checkout}
 * places the order and redirects to its page, {@code /thank-you?order=...}.
 *
 * <p><b>Why the tracking id is read here and stored with the order.</b> The conversion tells
 * Hello Retail which visitor bought, by their {@code hello_retail_id}. That id lives in a
 * cookie, so only a request from the visitor's own browser carries it. This POST is the last
 * request the shop can be sure of: the thank-you page usually follows, but the order may
 * be completed by a request with no cookie at all — a payment provider's server-to-server
 * callback ({@code POST /payment/callback}) for "pay later", a back-office job, a retry after
 * a restart. Reading the id at the moment of sending would then give nothing, and the order
 * would reach Hello Retail as an anonymous conversion ("Not tracked for anonymous user") that
 * personalises nothing. So the id is captured now and travels with the order.
 */
public final class CheckoutServlet extends ShopServlet {

    /** Stricter than the library's own check (name@domain), so a placed order always converts. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<Cart.Line> lines = Cart.of(request).lines(catalog());
        if (lines.isEmpty()) {
            seeOther(request, response, "/cart");
            return;
        }
        form(request, response, HttpServletResponse.SC_OK, lines, "", Order.Payment.CARD, null);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Cart cart = Cart.of(request);
        List<Cart.Line> lines = cart.lines(catalog());
        if (lines.isEmpty()) {
            seeOther(request, response, "/cart");
            return;
        }
        String email = request.getParameter("email") == null ? "" : request.getParameter("email").strip();
        Order.Payment payment = "invoice".equals(request.getParameter("payment"))
                ? Order.Payment.INVOICE : Order.Payment.CARD;
        if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
            form(request, response, HttpServletResponse.SC_BAD_REQUEST, lines, email, payment,
                    "Please enter an email address like name@example.com.");
            return;
        }
        // The visitor's id, now, while their browser is talking to us (see the class comment).
        // Empty when they have none yet, or have not consented where the shop asks for consent.
        String trackingUserId = HelloRetailWeb.trackingUserId(request).orElse(null);
        Order order = orders().place(lines, email, payment, trackingUserId);
        Orders.rememberMine(request, order);
        cart.clear();
        CartServlet.tellHelloRetail(request, List.of()); // bought: the cart at Hello Retail is empty now
        seeOther(request, response, "/thank-you?order=" + Html.queryValue(order.number()));
    }

    private void form(HttpServletRequest request, HttpServletResponse response, int status, List<Cart.Line> lines,
                      String email, Order.Payment payment, String error) throws IOException {
        String ctx = request.getContextPath();
        Safe summary = Html.each(lines, l -> html("<li><span>%s × %s</span><span>%s</span></li>",
                l.quantity(), l.product().name(), l.amount()));
        Safe options = Html.each(List.of(Order.Payment.values()), p -> html("""
                <label class="option"><input type="radio" name="payment" value="%s"%s>
                  <span><strong>%s</strong><br><span class="muted">%s</span></span></label>
                """, p == Order.Payment.CARD ? "card" : "invoice",
                Html.literal(p == payment ? " checked" : ""), p.label(), p.meaning()));
        Layout.write(request, response, status, "Checkout", null, html("""
                <nav class="crumbs"><a href="%s/cart">Cart</a> / Checkout</nav>
                <h1>Checkout</h1>
                <div class="checkout">
                  <form class="panel" method="post" action="%s/checkout" id="checkout-form">
                    %s
                    <label class="field">Email address
                      <input type="email" name="email" id="email" value="%s" required autocomplete="email"
                             placeholder="you@example.com">
                    </label>
                    <fieldset><legend>Payment</legend>%s</fieldset>
                    <button class="button primary" type="submit" id="place-order">Place order</button>
                  </form>
                  <aside class="panel summary">
                    <h2>Your order</h2>
                    <ul class="summary-lines">%s</ul>
                    <p class="summary-total"><span>Total</span><span>%s</span></p>
                  </aside>
                </div>
                """, ctx, ctx, error == null ? Html.EMPTY : html("<p class=\"error\">%s</p>", error),
                email, options, summary, Cart.total(lines)));
    }
}
