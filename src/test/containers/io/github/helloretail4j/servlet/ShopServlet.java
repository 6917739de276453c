package io.github.helloretail4j.servlet;

import io.github.helloretail4j.Cart;
import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.ConversionResult;
import io.github.helloretail4j.TrackerMetrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/** A tiny shop for the container tests: each path answers in one of the ways a shop can. */
public class ShopServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        // In an include the request keeps the visitor's path; the included one is an attribute.
        Object included = req.getAttribute("jakarta.servlet.include.servlet_path");
        String path = included != null ? included.toString()
                : req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        if (path.startsWith("/products/") || path.equals("/") || path.equals("/page") || path.equals("/checkout")
                || path.startsWith("/category/") || path.startsWith("/admin/")) {
            html(resp, "page " + path);
            return;
        }
        switch (path) {
            case "/json" -> {
                resp.setContentType("application/json");
                resp.getWriter().write("{}");
            }
            case "/style.css" -> {
                resp.setContentType("text/css");
                resp.getWriter().write("body{}");
            }
            case "/missing" -> resp.sendError(404);
            case "/redirect" -> {
                // Not sendRedirect: Tomcat 11 implements it against Servlet 6.1, and the tests
                // compile against the 6.0 API that Jetty ee10 needs, so it would fail with 500.
                resp.setStatus(302);
                resp.setHeader("Location", req.getContextPath() + "/page");
            }
            case "/login" -> {
                // A form's answer: a session, then a redirect. For a visitor whose session cookie
                // the container has not seen yet, the container writes the session id into the URL.
                req.getSession(true);
                resp.setStatus(302);
                resp.setHeader("Location", resp.encodeRedirectURL(req.getContextPath() + "/products/p-6"));
            }
            case "/reset" -> html(resp, "reset your password");
            case "/canonical-with-secrets" -> {
                req.setAttribute(PageViewFilter.ATTRIBUTE_CANONICAL_URL,
                        "https://shop.example/products/p-9;jsessionid=CANONICALSESSION?sig=SIGNED&color=red#top");
                html(resp, "canonical with secrets");
            }
            case "/fails" -> throw new ServletException("the shop's own failure");
            case "/fails-runtime" -> throw new IllegalStateException("the shop's own runtime failure");
            case "/skip" -> {
                req.setAttribute(PageViewFilter.ATTRIBUTE_SKIP, Boolean.TRUE);
                html(resp, "skipped");
            }
            case "/attributes" -> {
                req.setAttribute(PageViewFilter.ATTRIBUTE_PRODUCT_NUMBER, "attr-7");
                req.setAttribute(PageViewFilter.ATTRIBUTE_CANONICAL_URL, "https://shop.example/products/attr-7");
                html(resp, "attributes");
            }
            case "/bad-attributes" -> {
                req.setAttribute(PageViewFilter.ATTRIBUTE_PRODUCT_NUMBER, "bad\nnumber");
                req.setAttribute(PageViewFilter.ATTRIBUTE_CANONICAL_URL, "not a url");
                html(resp, "bad attributes");
            }
            case "/forward" -> req.getRequestDispatcher("/products/fwd-1").forward(req, resp);
            case "/include" -> {
                resp.setContentType("text/html");
                req.getRequestDispatcher("/page").include(req, resp);
            }
            case "/async" -> {
                AsyncContext async = req.startAsync();
                async.start(() -> {
                    try {
                        req.setAttribute(PageViewFilter.ATTRIBUTE_PRODUCT_NUMBER, "async-1");
                        html((HttpServletResponse) async.getResponse(), "async");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    async.complete();
                });
            }
            case "/async-dispatch" -> {
                AsyncContext async = req.startAsync();
                async.start(() -> async.dispatch("/products/async-2"));
            }
            case "/whoami" -> {
                resp.setContentType("text/plain");
                resp.getWriter().write(HelloRetailWeb.trackingUserId(req).orElse("none"));
            }
            case "/tracker" -> {
                // what checkout code reaches: the application's tracker (an IllegalStateException without one)
                resp.setContentType("text/plain");
                resp.getWriter().write("conversions tracked="
                        + HelloRetailWeb.tracker(getServletContext()).metrics().conversions().tracked());
            }
            case "/without-id" -> {
                resp.setContentType("text/plain");
                resp.getWriter().write(String.valueOf(
                        HelloRetailWeb.tracker(getServletContext()).metrics().pageViewsWithoutVisitorId()));
            }
            case "/conversions" -> {
                TrackerMetrics m = HelloRetailWeb.tracker(getServletContext()).metrics();
                resp.setContentType("text/plain");
                resp.getWriter().write("tracked=" + m.conversions().tracked() + " invalid=" + m.conversions().invalid()
                        + " inMemory=" + m.conversionsInMemory() + " pending=" + m.conversions().pending()
                        + " delivered=" + m.conversions().delivered());
            }
            case "/order" -> {
                // checkout code's one call: the visitor's id is taken unless the shop gives one
                Conversion.Builder order = Conversion.builder().orderNumber(req.getParameter("number"))
                        .total(new BigDecimal("10.50")).productNumbers(List.of("p-1"));
                if (req.getParameter("id") != null) {
                    order.trackingUserId(req.getParameter("id"));
                }
                if (req.getParameter("total") != null) {
                    order.total(new BigDecimal(req.getParameter("total")));
                }
                resp.setContentType("text/plain");
                // the shopper's page is answered whatever tracking says
                ConversionResult result = HelloRetailWeb.trackConversion(req, order);
                resp.getWriter().write(result.status() + result.conversion()
                        .map(c -> " " + c.orderNumber() + " id=" + c.trackingUserId().orElse("none")).orElse("")
                        + result.problem().map(p -> ": " + p).orElse(""));
            }
            case "/cart" -> {
                // cart code's one call after each change: the visitor's id is taken from the cookie
                String items = req.getParameter("items");
                Cart.Builder cart = Cart.builder().total(items.isEmpty() ? BigDecimal.ZERO : new BigDecimal("9.90"))
                        .productNumbers(items.isEmpty() ? List.of() : List.of(items.split(",")));
                resp.setContentType("text/plain");
                Cart queued = HelloRetailWeb.trackCart(req, cart);
                resp.getWriter().write("queued " + queued.productNumbers() + " id=" + queued.trackingUserId().orElse("none"));
            }
            case "/whoami-html" -> html(resp, "id=" + HelloRetailWeb.trackingUserId(req).orElse("none"));
            default -> resp.sendError(404);
        }
    }

    private static void html(HttpServletResponse resp, String text) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        resp.getWriter().write("<!doctype html><title>" + text + "</title><p>" + text);
    }
}
