package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import io.github.helloretail4j.demo.html.Html;
import io.github.helloretail4j.demo.html.Html.Safe;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;

/** The shop's page: header with navigation and cart, the demo strip, the page, the footer. */
public final class Layout {

    public static final String SHOP_NAME = "Fjord & Fell";

    private Layout() {
    }

    /** Writes a whole HTML page. {@code active} is the nav entry to highlight (a path), or null. */
    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String title,
                             String active, Safe main) throws IOException {
        write(request, response, status, title, active, main, false);
    }

    /** As above; {@code wide} gives the page the whole window (the collector's tables). */
    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String title,
                             String active, Safe main, boolean wide) throws IOException {
        String ctx = request.getContextPath();
        Safe nav = Html.each(Arrays.asList(Category.values()), c -> html(
                "<a href=\"%s\"%s>%s</a>", ctx + c.path(),
                Html.literal(c.path().equals(active) ? " class=\"active\" aria-current=\"page\"" : ""), c.title()));
        int items = Cart.count(request);
        Safe page = html("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · %s</title>
                <link rel="icon" href="data:,">
                <link rel="stylesheet" href="%s/shop.css">
                </head>
                <body%s>
                <header class="topbar">
                  <div class="wrap topbar-inner">
                    <a class="brand" href="%s/">%s</a>
                    <nav class="nav">%s</nav>
                    <a class="cart-link" href="%s/cart">Cart <span class="badge" id="cart-count">%s</span></a>
                  </div>
                </header>
                <div class="demo-strip"><div class="wrap">Demo shop: every page you see and every order is sent
                  to Hello Retail from the server by helloretail4j.
                  <a href="%s/collector">See what the collector received →</a></div></div>
                <main class="wrap">
                %s
                </main>
                <footer class="footer"><div class="wrap">%s · a demo shop for helloretail4j ·
                  <a href="%s/collector">Stand-in collector</a></div></footer>
                </body>
                </html>
                """, title, SHOP_NAME, ctx, Html.literal(wide ? " class=\"wide\"" : ""), ctx, SHOP_NAME, nav, ctx, items,
                ctx, main, SHOP_NAME, ctx);
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(page.markup());
    }

    /** A product tile for grids. */
    public static Safe card(HttpServletRequest request, Product p) {
        return html("""
                <a class="card" href="%s">
                  %s
                  <span class="card-body"><span class="card-name">%s</span>
                  <span class="price">%s</span></span>
                </a>
                """, request.getContextPath() + p.path(), swatch(p, "swatch"), p.name(), p.price());
    }

    /** The product's picture: a coloured tile with its initials (the demo ships no images). */
    public static Safe swatch(Product p, String cssClass) {
        String initials = Arrays.stream(p.name().split("[^\\p{L}]+"))
                .filter(w -> !w.isEmpty() && Character.isUpperCase(w.charAt(0)))
                .limit(2).map(w -> w.substring(0, 1)).reduce("", String::concat);
        return html("<span class=\"%s\" style=\"--hue: %s\" aria-hidden=\"true\">%s</span>",
                cssClass, p.hue(), initials);
    }

    public static Safe grid(HttpServletRequest request, Iterable<Product> products) {
        StringBuilder sb = new StringBuilder("<div class=\"grid\">");
        for (Product p : products) {
            sb.append(card(request, p).markup());
        }
        return Html.literal(sb.append("</div>").toString());
    }
}
