package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/** {@code /category/{slug}}: the products of one category. */
public final class CategoryServlet extends ShopServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String info = request.getPathInfo();
        Optional<Category> category = info == null ? Optional.empty() : catalog().category(info.substring(1));
        if (category.isEmpty()) {
            notFound(response);
            return;
        }
        Category c = category.get();
        page(request, response, c.title(), c.path(), html("""
                <nav class="crumbs"><a href="%s/">Home</a> / %s</nav>
                <h1>%s</h1>
                <p class="lead">%s</p>
                %s
                """, request.getContextPath(), c.title(), c.title(), c.blurb(),
                Layout.grid(request, catalog().inCategory(c))));
    }
}
