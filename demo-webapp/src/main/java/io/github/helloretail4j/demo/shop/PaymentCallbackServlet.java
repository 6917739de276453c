package io.github.helloretail4j.demo.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /payment/callback}: the payment provider confirms that an order was paid,
 * server to server, with {@code orderNumber} as a form parameter or in a JSON body
 * ({@code {"orderNumber": "1002"}}). Answers JSON.
 *
 * <p>This request comes from the provider's server, not from the visitor's browser: it carries
 * no {@code hello_retail_id} cookie, and {@link HelloRetailWeb#trackingUserId} is empty here.
 * That is why the order keeps the id read at checkout ({@link CheckoutServlet}); the
 * conversion is sent with that stored id. Providers retry callbacks, so a second call for a
 * paid order answers 200 and sends nothing.
 *
 * <p>A real shop verifies the provider's signature on this request before trusting it; the
 * demo's provider is the shop itself ({@link PaymentSimulatorServlet}), so it does not.
 */
public final class PaymentCallbackServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentCallbackServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String orderNumber;
        try {
            orderNumber = orderNumber(request);
        } catch (IOException e) {
            answer(response, HttpServletResponse.SC_BAD_REQUEST, false, "body must be JSON: " + e.getMessage());
            return;
        }
        if (orderNumber == null || orderNumber.isBlank()) {
            answer(response, HttpServletResponse.SC_BAD_REQUEST, false, "orderNumber is required");
            return;
        }
        Optional<Order> found = Orders.of(getServletContext()).find(orderNumber);
        if (found.isEmpty()) {
            answer(response, HttpServletResponse.SC_NOT_FOUND, false, "unknown order " + orderNumber);
            return;
        }
        Order order = found.get();
        boolean first = order.paymentConfirmed(new Order.PaymentCallback(Instant.now(),
                request.getHeader("Cookie") != null,
                HelloRetailWeb.trackingUserId(request).orElse(null),   // empty: no cookie on this request
                request.getHeader("User-Agent")));
        try {
            order.submitConversionOnce(HelloRetailWeb.tracker(getServletContext()));
        } catch (RuntimeException e) {
            // 500 makes the provider call again later; the order stays unconverted until then.
            LOG.warn("conversion of order {} not submitted: {}", order.number(), e.getMessage());
            answer(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, false, "try again later");
            return;
        }
        answer(response, HttpServletResponse.SC_OK, true,
                first ? "order " + order.number() + " paid" : "order " + order.number() + " was already paid");
    }

    /** From the form parameter, else from a JSON body; null when neither has it. */
    private static String orderNumber(HttpServletRequest request) throws IOException {
        String contentType = request.getContentType();
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            try (InputStream in = request.getInputStream()) {
                byte[] body = in.readNBytes(MAX_BODY);
                JsonNode node = JSON.readTree(body);
                JsonNode number = node == null ? null : node.get("orderNumber");
                return number == null || number.isNull() ? null : number.asText();
            }
        }
        return request.getParameter("orderNumber");
    }

    private static void answer(HttpServletResponse response, int status, boolean success, String message)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=UTF-8");
        response.getWriter().write(JSON.createObjectNode().put("success", success).put("message", message).toString());
    }
}
