package io.github.helloretail4j.demo.shop;

import io.github.helloretail4j.demo.html.Html.Safe;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** What the shop's servlets share: the catalogue, the orders, pages and redirects. */
abstract class ShopServlet extends HttpServlet {

    Catalog catalog() {
        return (Catalog) getServletContext().getAttribute(ShopListener.CATALOG);
    }

    Orders orders() {
        return Orders.of(getServletContext());
    }

    static void page(HttpServletRequest request, HttpServletResponse response, String title, String active,
                     Safe main) throws IOException {
        Layout.write(request, response, HttpServletResponse.SC_OK, title, active, main);
    }

    /** 303 See Other: after a POST, the browser GETs the next page (and a reload does not re-post). */
    static void seeOther(HttpServletRequest request, HttpServletResponse response, String path) {
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", request.getContextPath() + path);
    }

    /** The shop's 404 page (the container's error page renders it: see web.xml). */
    static void notFound(HttpServletResponse response) throws IOException {
        response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
}
