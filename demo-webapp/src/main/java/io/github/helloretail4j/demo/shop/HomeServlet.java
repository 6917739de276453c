package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import io.github.helloretail4j.demo.html.Html;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** {@code /}: the front page. */
public final class HomeServlet extends ShopServlet {

    private static final List<String> FEATURED = List.of("sh-101", "bg-201", "ac-302", "sh-102", "bg-203", "ac-304", "sh-104", "ac-301");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String ctx = request.getContextPath();
        Catalog catalog = catalog();
        var categories = Html.each(Arrays.asList(Category.values()), c -> html("""
                <a class="category-tile" href="%s"><span class="category-title">%s</span>
                <span class="category-blurb">%s</span></a>
                """, ctx + c.path(), c.title(), c.blurb()));
        var featured = FEATURED.stream().map(catalog::product).flatMap(java.util.Optional::stream).toList();
        page(request, response, "Outdoor gear for everyday weather", null, html("""
                <section class="hero">
                  <h1>Gear for wet trails and city streets</h1>
                  <p>Boots, bags and the small things, made to last. Free returns within 30 days.</p>
                </section>
                <h2>Shop by category</h2>
                <div class="categories">%s</div>
                <h2>Popular right now</h2>
                %s
                """, categories, Layout.grid(request, featured)));
    }
}
