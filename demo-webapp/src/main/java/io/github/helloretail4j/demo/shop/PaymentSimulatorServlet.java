package io.github.helloretail4j.demo.shop;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code POST /payment/simulate}: the order page's button that plays the payment provider. The
 * shop's server calls its own {@code POST /payment/callback} over HTTP with
 * {@link HttpClient}, the way a provider's server would: a new connection with no cookie, no
 * session and no browser in between. Then the visitor is sent back to the order's page.
 */
public final class PaymentSimulatorServlet extends ShopServlet {

    static final String PROVIDER_USER_AGENT = "DemoPaymentProvider/1.0 (server-to-server callback)";

    private transient HttpClient http;

    @Override
    public void init() throws ServletException {
        // No cookie handler: a provider's server has none of the visitor's cookies.
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<Order> order = orders().findMine(request, request.getParameter("order"));
        if (order.isEmpty()) {
            notFound(response);
            return;
        }
        // The server's own address as this request reached it: the callback goes straight to
        // this server, whatever Host the browser used.
        String host = request.getLocalAddr().contains(":") ? "[" + request.getLocalAddr() + "]" : request.getLocalAddr();
        URI callback = URI.create(request.getScheme() + "://" + host + ":" + request.getLocalPort()
                + request.getContextPath() + "/payment/callback");
        HttpRequest call = HttpRequest.newBuilder(callback)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", PROVIDER_USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"orderNumber\":\"" + order.get().number() + "\"}"))
                .build();
        HttpResponse<String> answer;
        try {
            answer = http.send(call, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("payment callback interrupted", e);
        }
        if (answer.statusCode() != HttpServletResponse.SC_OK) {
            response.sendError(HttpServletResponse.SC_BAD_GATEWAY,
                    "the payment callback answered " + answer.statusCode() + ": " + answer.body());
            return;
        }
        seeOther(request, response, "/thank-you?order=" + order.get().number());
    }
}
