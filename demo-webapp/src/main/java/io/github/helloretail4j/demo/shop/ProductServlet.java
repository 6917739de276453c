package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import io.github.helloretail4j.servlet.PageViewFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code /products/{productNumber}}: a product page. Nothing here tells Hello Retail which
 * product this is: the filter's {@code helloretail.productNumberPattern} (web.xml) reads it from
 * the path. The page only names its canonical URL, so that a link with a query string
 * ({@code ?utm_source=...}) still counts for the one product page.
 */
public final class ProductServlet extends ShopServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String info = request.getPathInfo();
        Optional<Product> product = info == null || info.indexOf('/', 1) >= 0
                ? Optional.empty() : catalog().product(info.substring(1));
        if (product.isEmpty()) {
            notFound(response);
            return;
        }
        Product p = product.get();
        // The URL without its query string. (Behind a proxy, a shop builds it from its public
        // base URL instead, as helloretail.publicBaseUrl does for the location.)
        request.setAttribute(PageViewFilter.ATTRIBUTE_CANONICAL_URL, request.getRequestURL().toString());
        String ctx = request.getContextPath();
        var more = catalog().inCategory(p.category()).stream().filter(o -> !o.equals(p)).toList();
        page(request, response, p.name(), p.category().path(), html("""
                <nav class="crumbs"><a href="%s/">Home</a> / <a href="%s">%s</a> / %s</nav>
                <article class="product">
                  %s
                  <div class="product-info">
                    <h1>%s</h1>
                    <p class="price big">%s</p>
                    <p>%s</p>
                    <p class="muted">Product no. <code>%s</code></p>
                    <form class="add" method="post" action="%s/cart/add">
                      <input type="hidden" name="productNumber" value="%s">
                      <label>Quantity
                        <select name="quantity">
                          <option value="1">1</option><option value="2">2</option><option value="3">3</option>
                          <option value="4">4</option><option value="5">5</option>
                        </select>
                      </label>
                      <button class="button primary" type="submit" id="add-to-cart">Add to cart</button>
                    </form>
                  </div>
                </article>
                <h2>More %s</h2>
                %s
                """, ctx, ctx + p.category().path(), p.category().title(), p.name(),
                Layout.swatch(p, "swatch hero-swatch"), p.name(), p.price(), p.description(), p.number(),
                ctx, p.number(), p.category().title().toLowerCase(java.util.Locale.ROOT),
                Layout.grid(request, more)));
    }
}
