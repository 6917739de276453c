package io.github.helloretail4j.demo.collector;

import io.github.helloretail4j.testkit.HelloRetailAnswers;
import io.github.helloretail4j.testkit.HelloRetailAnswers.Answer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Set;

/**
 * A stand-in for Hello Retail's collect API, mapped at {@code /serve/*} inside the demo shop,
 * so that the demo runs with no account and no network: {@code POST /serve/collect/pageview},
 * {@code /serve/collect/conversion}, {@code /serve/collect/cart} and {@code /serve/trackingUser}.
 *
 * <p>What it answers is {@link HelloRetailAnswers}'s, from the test kit (helloretail4j-test): the
 * same code the library's tests and a shop's tests answer with, so the demo and the tests cannot
 * disagree about Hello Retail: "Page view tracked",
 * "Conversion tracked", "Cart tracked", "Not tracked for anonymous user", the 400s
 * ("Website not found" for any UUID but {@link #DEMO_WEBSITE_UUID}), 404, 405, 413, and a new
 * id per {@code trackingUser} call. This servlet is only the transport: it reads the body (at
 * most one byte past the answers' bound), writes the answer, and keeps every request in the
 * {@link CollectorLog}, which {@code /collector} shows.
 */
public final class StandInCollectorServlet extends HttpServlet {

    /** The demo shop's website UUID (web.xml); the only website this stand-in knows. */
    public static final String DEMO_WEBSITE_UUID = "0d3a7c5e-5e11-4b0e-9f2a-3d3e70c0ffee";
    public static final String OPTED_OUT = HelloRetailAnswers.OPTED_OUT;

    private static final HelloRetailAnswers ANSWERS = new HelloRetailAnswers(Set.of(DEMO_WEBSITE_UUID));

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Instant at = Instant.now();
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(HelloRetailAnswers.MAX_BODY + 1);
        }
        Answer answer = ANSWERS.answer(request.getMethod(), path, request.getContentType(), body);
        String message = answer.message() != null ? answer.message() : "id " + answer.json().path("id").asText();
        CollectorLog.of(getServletContext()).add(at, CollectorLog.Kind.of(answer.endpoint()), request.getMethod(),
                path, answer.status(), message, answer.request());
        response.setStatus(answer.status());
        response.setContentType("application/json;charset=UTF-8");
        response.getWriter().write(answer.body());
    }
}
