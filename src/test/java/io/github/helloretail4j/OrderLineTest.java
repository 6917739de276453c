package io.github.helloretail4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrderLineTest {

    private static OrderLine.Builder valid() {
        return OrderLine.builder().productNumber("p-1234").url("https://shop.example/p/1234").quantity(2)
                .lineTotal(new BigDecimal("699.95"));
    }

    private static String message(Class<? extends Exception> type, OrderLine.Builder b) {
        return assertThrows(type, b::build).getMessage();
    }

    @Test
    void build_allFields_keepsThem() {
        OrderLine line = valid().build();
        assertEquals(Optional.of("p-1234"), line.productNumber());
        assertEquals(Optional.of("https://shop.example/p/1234"), line.url());
        assertEquals(2, line.quantity());
        assertEquals(new BigDecimal("699.95"), line.lineTotal());
        assertEquals("OrderLine{productNumber=p-1234, url=https://shop.example/p/1234, quantity=2, lineTotal=699.95}",
                line.toString());
    }

    @Test
    void build_numberOrUrlAlone_isEnough() {
        assertEquals(Optional.empty(), valid().url(null).build().url());
        assertEquals(Optional.empty(), valid().productNumber(null).build().productNumber());
    }

    @Test
    void build_noProduct_namesWhatIsMissing() {
        assertEquals("order line without product: productNumber or url is required",
                message(IllegalStateException.class, valid().productNumber(null).url(null)));
    }

    @Test
    void build_badQuantity_namesTheLineTheFieldAndTheValue() {
        assertEquals("order line \"p-1234\": quantity must be at least 1: 0",
                message(IllegalArgumentException.class, valid().quantity(0)));
        assertEquals("order line \"p-1234\": quantity must be at least 1: -3",
                message(IllegalArgumentException.class, valid().quantity(-3)));
        assertEquals("order line \"p-1234\": quantity is required",
                message(IllegalStateException.class, OrderLine.builder().productNumber("p-1234")
                        .lineTotal(BigDecimal.ONE)));
    }

    @Test
    void build_badLineTotal_namesTheLineTheFieldAndTheValue() {
        assertEquals("order line \"p-1234\": lineTotal must be zero or more, with at most 32 characters in plain"
                + " notation: -1.00", message(IllegalArgumentException.class, valid().lineTotal(new BigDecimal("-1.00"))));
        assertEquals("order line \"p-1234\": lineTotal must be a finite number, zero or more: NaN",
                message(IllegalArgumentException.class, valid().lineTotal(Double.NaN)));
        assertEquals("order line \"p-1234\": lineTotal is required",
                message(IllegalStateException.class, valid().lineTotal((BigDecimal) null)));
        assertEquals(new BigDecimal("0.1"), valid().lineTotal(0.1).build().lineTotal());
    }

    @Test
    void build_badUrlOrNumber_namesTheField() {
        assertEquals("order line \"/p/1\": url must be an absolute http or https URL of at most 4096 characters:"
                + " \"/p/1\"", message(IllegalArgumentException.class, valid().productNumber(null).url("/p/1")));
        assertEquals("order line \"\": productNumber must be non-blank text of at most 256 characters without control"
                + " characters: \"\"",
                message(IllegalArgumentException.class, valid().productNumber("")));
    }

    @Test
    void conversion_linesAlone_orBesideProductNumbers_areKept() {
        OrderLine line = valid().build();
        Conversion alone = Conversion.builder().orderNumber("1").total(BigDecimal.TEN).lines(List.of(line)).build();
        assertEquals(List.of(line), alone.lines());
        assertEquals(List.of(), alone.productNumbers());
        Conversion both = Conversion.builder().orderNumber("1").total(BigDecimal.TEN).productNumbers(List.of("p-1234"))
                .lines(List.of(line)).build();
        assertEquals(List.of("p-1234"), both.productNumbers());
        assertEquals(List.of(line), both.lines());
    }

    @Test
    void conversion_noProductsAtAll_namesTheThreeWays() {
        assertEquals("productNumbers, urls or lines is required", assertThrows(IllegalStateException.class,
                () -> Conversion.builder().orderNumber("1").total(BigDecimal.TEN).build()).getMessage());
    }

    @Test
    void conversion_emptyOrNullLine_isRefusedNamingTheLine() {
        assertEquals("lines must hold 1 to 10000 entries: 0 given", assertThrows(IllegalArgumentException.class,
                () -> Conversion.builder().orderNumber("1").total(BigDecimal.TEN).lines(List.of()).build()).getMessage());
        List<OrderLine> withNull = new ArrayList<>(Arrays.asList(valid().build(), null));
        assertEquals("lines[1] must not be null", assertThrows(IllegalArgumentException.class,
                () -> Conversion.builder().orderNumber("1").total(BigDecimal.TEN).lines(withNull).build()).getMessage());
    }

    @Test
    void conversion_copiesTheLines_soLaterChangesDoNotLeakIn() {
        List<OrderLine> lines = new ArrayList<>(List.of(valid().build()));
        Conversion c = Conversion.builder().orderNumber("1").total(BigDecimal.TEN).lines(lines).build();
        lines.add(valid().quantity(5).build());
        assertEquals(1, c.lines().size());
    }
}
