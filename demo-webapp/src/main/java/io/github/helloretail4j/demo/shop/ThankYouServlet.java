package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import io.github.helloretail4j.demo.html.Html;
import io.github.helloretail4j.demo.html.Html.Safe;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * {@code /thank-you?order=...}: the order's page. For a paid order this is where the shop
 * completes the order with Hello Retail: it submits the conversion, with the tracking id stored
 * at checkout. Visitors reload this page and come back to it, so the order remembers that its
 * conversion was submitted and it is sent once.
 *
 * <p>An order paid later (invoice) is not converted here: its page offers a button that plays
 * the payment provider, whose server-to-server callback then submits the conversion.
 */
public final class ThankYouServlet extends ShopServlet {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<Order> found = orders().findMine(request, request.getParameter("order"));
        if (found.isEmpty()) {
            notFound(response);
            return;
        }
        Order order = found.get();
        if (order.status() == Order.Status.PAID) {
            // The one call of checkout code: the web app's tracker, and the visitor's id when the
            // order stored none at checkout. It never throws: what went wrong is logged, counted
            // and returned.
            order.submitConversionOnce(conversion -> HelloRetailWeb.trackConversion(request, conversion));
        }
        String ctx = request.getContextPath();
        Safe lines = Html.each(order.lines(), l -> html(
                "<li><span>%s × %s <code>%s</code></span><span>%s</span></li>",
                l.quantity(), l.product().name(), l.product().number(), l.amount()));
        boolean paid = order.status() == Order.Status.PAID;
        Safe headline = paid
                ? html("<h1 class=\"ok\">Thank you! Order %s is confirmed.</h1>"
                        + "<p class=\"lead\">A confirmation is on its way to %s.</p>", order.number(), order.email())
                : html("<h1>Order %s is placed: awaiting payment</h1>"
                        + "<p class=\"lead\">You chose to pay later. We will send an invoice to %s.</p>",
                        order.number(), order.email());
        page(request, response, "Order " + order.number(), null, html("""
                %s
                <div class="checkout">
                  <section class="panel">
                    <h2>Order %s</h2>
                    <p>Status: <strong id="order-status">%s</strong> · Payment: %s</p>
                    <ul class="summary-lines">%s</ul>
                    <p class="summary-total"><span>Total</span><span id="order-total">%s</span></p>
                    <p><a class="button" href="%s/">Continue shopping</a></p>
                  </section>
                  <aside class="panel hr-box">
                    <h2>Hello Retail</h2>
                    %s
                    <p><a href="%s/collector">See what the collector received →</a></p>
                  </aside>
                </div>
                """, headline, order.number(), paid ? "Paid" : "Awaiting payment", order.payment().label(),
                lines, order.total(), ctx, helloRetailBox(request, order), ctx));
    }

    private static Safe helloRetailBox(HttpServletRequest request, Order order) {
        Safe id = html("<code id=\"stored-tracking-id\">%s</code>", order.trackingUserId().orElse("none"));
        Safe stored = html("<p>Tracking id stored with the order at checkout: %s</p>", id);
        Optional<Instant> submitted = order.conversionSubmittedAt();
        if (order.status() != Order.Status.PAID) {
            return html("""
                    %s
                    <p>No conversion yet: the order is converted when the payment provider confirms
                    the payment, by calling <code>POST /payment/callback</code> from its server. That
                    call carries no cookie, so the shop uses the id stored above.</p>
                    <form method="post" action="%s/payment/simulate">
                      <input type="hidden" name="order" value="%s">
                      <button class="button primary" type="submit" id="simulate-callback">
                        Simulate the payment provider's callback</button>
                    </form>
                    """, stored, request.getContextPath(), order.number());
        }
        Safe callback = order.callbacks().isEmpty() ? Html.EMPTY : html("""
                <p>Paid: the provider's callback arrived at %s, with %s; the id on that request
                was %s.</p>
                """, TIME.format(order.callbacks().get(0).at()),
                order.callbacks().get(0).carriedCookie() ? "cookies" : "no cookie",
                order.callbacks().get(0).trackingUserIdOnRequest() == null ? "empty"
                        : order.callbacks().get(0).trackingUserIdOnRequest());
        Safe sent = submitted.isPresent()
                ? html("<p class=\"ok\">Conversion submitted at %s, with the stored id. "
                        + "Reloading this page does not send it again.</p>", TIME.format(submitted.get()))
                : html("<p class=\"error\">The conversion could not be handed to the tracker; "
                        + "reload to try again.</p>");
        return html("%s%s%s", stored, callback, sent);
    }
}
