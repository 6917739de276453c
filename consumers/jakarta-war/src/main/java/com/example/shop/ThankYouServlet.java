package com.example.shop;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.ConversionResult;
import io.github.helloretail4j.servlet.HelloRetailWeb;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/** The page after a paid order: the checkout call of docs/conversions.md, against the published API. */
public class ThankYouServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ConversionResult result = HelloRetailWeb.trackConversion(request, Conversion.builder()
                .orderNumber(request.getParameter("order"))
                .total(new BigDecimal("129.00"))
                .productNumbers(List.of("sh-101")));
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().println("Thank you. Tracking: " + result.status());
    }
}
