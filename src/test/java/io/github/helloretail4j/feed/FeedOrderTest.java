package io.github.helloretail4j.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.helloretail4j.OrderLine;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FeedOrderTest {

    private static final OrderLine LINE = OrderLine.builder().productNumber("p-1234").quantity(1)
            .lineTotal(new BigDecimal("499.32")).build();

    private static FeedOrder.Builder valid() {
        return FeedOrder.builder().orderNumber("110-2347").date(Instant.parse("2024-05-12T08:04:05Z"))
                .total(new BigDecimal("499.32")).email("customer@example.com").lines(List.of(LINE));
    }

    private static String message(Class<? extends Exception> type, FeedOrder.Builder b) {
        return assertThrows(type, b::build).getMessage();
    }

    @Test
    void build_allFields_keepsThemAndMasksTheEmailInToString() {
        FeedOrder order = valid().customerId("53967").build();
        assertEquals("110-2347", order.orderNumber());
        assertEquals(Instant.parse("2024-05-12T08:04:05Z"), order.date());
        assertEquals(new BigDecimal("499.32"), order.total());
        assertEquals("customer@example.com", order.email());
        assertEquals(Optional.of("53967"), order.customerId());
        assertEquals(List.of(LINE), order.lines());
        assertEquals("FeedOrder{orderNumber=110-2347, date=2024-05-12T08:04:05Z, total=499.32,"
                + " email=c***@example.com, customerId=53967, lines=[OrderLine{productNumber=p-1234, quantity=1,"
                + " lineTotal=499.32}]}", order.toString());
        assertEquals(Optional.empty(), valid().build().customerId());
    }

    @Test
    void build_equalFields_areEqual() {
        assertEquals(valid().build(), valid().build());
        assertEquals(valid().build().hashCode(), valid().build().hashCode());
    }

    @Test
    void build_linesGivenLaterChanged_keepsItsOwnCopy() {
        List<OrderLine> lines = new ArrayList<>(List.of(LINE));
        FeedOrder order = valid().lines(lines).build();
        lines.clear();
        assertEquals(1, order.lines().size());
        assertThrows(UnsupportedOperationException.class, () -> order.lines().clear());
    }

    @Test
    void build_missingFields_nameTheOrderAndTheField() {
        assertEquals("orderNumber is required", message(IllegalStateException.class, valid().orderNumber(null)));
        assertEquals("order \"110-2347\": date is required", message(IllegalStateException.class, valid().date(null)));
        assertEquals("order \"110-2347\": total is required",
                message(IllegalStateException.class, valid().total((BigDecimal) null)));
        assertEquals("order \"110-2347\": email is required", message(IllegalStateException.class, valid().email(null)));
        assertEquals("order \"110-2347\": lines is required", message(IllegalStateException.class, valid().lines(null)));
    }

    @Test
    void build_malformedFields_nameTheOrderTheFieldAndTheValue() {
        assertEquals("orderNumber must be non-blank text of at most 256 characters without control characters: \" \"",
                message(IllegalArgumentException.class, valid().orderNumber(" ")));
        assertEquals("order \"110-2347\": total must be zero or more, with at most 32 characters in plain notation:"
                + " -0.01", message(IllegalArgumentException.class, valid().total(new BigDecimal("-0.01"))));
        assertEquals("order \"110-2347\": total must be a finite number, zero or more: Infinity",
                message(IllegalArgumentException.class, valid().total(Double.POSITIVE_INFINITY)));
        assertEquals("order \"110-2347\": email must be an address like name@example.com of at most 254 characters:"
                + " \"***\"", message(IllegalArgumentException.class, valid().email("customer.example.com")));
        assertEquals("order \"110-2347\": customerId must be non-blank text of at most 256 characters without"
                + " control characters: \"a\\nb\"", message(IllegalArgumentException.class, valid().customerId("a\nb")));
        assertEquals("order \"110-2347\": lines must hold 1 to 10000 entries: 0 given",
                message(IllegalArgumentException.class, valid().lines(List.of())));
        assertEquals("order \"110-2347\": lines must hold 1 to 10000 entries: 10001 given",
                message(IllegalArgumentException.class, valid().lines(Collections.nCopies(10_001, LINE))));
        assertEquals("order \"110-2347\": lines[1] must not be null",
                message(IllegalArgumentException.class, valid().lines(Arrays.asList(LINE, null))));
    }

    @Test
    void build_doubleTotal_keepsItsShortestDecimal() {
        assertEquals(new BigDecimal("0.1"), valid().total(0.1).build().total());
    }
}
