package io.github.helloretail4j.demo.shop;

import static io.github.helloretail4j.demo.html.Html.html;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The shop's 404 page, rendered by the container's error dispatch (web.xml's error-page). */
public final class NotFoundServlet extends ShopServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Layout.write(request, response, HttpServletResponse.SC_NOT_FOUND, "Not found", null, html("""
                <h1>We could not find that page</h1>
                <p class="lead">It may have moved, or the link is mistyped.</p>
                <p><a class="button primary" href="%s/">Back to the shop</a></p>
                """, request.getContextPath()));
    }
}
