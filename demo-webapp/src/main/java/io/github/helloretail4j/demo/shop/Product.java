package io.github.helloretail4j.demo.shop;

import io.github.helloretail4j.demo.html.Html;
import java.math.BigDecimal;

/**
 * A product of the catalogue. {@code number} is the product number Hello Retail knows it by
 * (the shop's product feed); it is also the last segment of the product page's URL,
 * {@code /products/{number}}, which is how the filter's productNumberPattern finds it.
 */
public record Product(String number, String name, Category category, BigDecimal price, String description,
                      int hue) {

    /** The product page, relative to the application. */
    public String path() {
        return "/products/" + Html.pathSegment(number);
    }
}
