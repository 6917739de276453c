package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConversionTest {

    private static Conversion.Builder valid() {
        return Conversion.builder()
                .trackingUserId(ID)
                .orderNumber("110-2347")
                .total(new BigDecimal("499.32"))
                .productNumbers(List.of("p-1234", "p-4567"));
    }

    private static String message(Class<? extends Exception> type, Conversion.Builder b) {
        return assertThrows(type, b::build).getMessage();
    }

    @Test
    void build_allFields_keepsThem() {
        Conversion c = valid().email("customer@example.com").customerId("53967").build();
        assertEquals(Optional.of(ID), c.trackingUserId());
        assertEquals("110-2347", c.orderNumber());
        assertEquals(new BigDecimal("499.32"), c.total());
        assertEquals(Optional.of("customer@example.com"), c.email());
        assertEquals(Optional.of("53967"), c.customerId());
        assertEquals(List.of("p-1234", "p-4567"), c.productNumbers());
        assertEquals(List.of(), c.urls());
    }

    @Test
    void build_copiesTheList_soLaterChangesDoNotLeakIn() {
        List<String> products = new ArrayList<>(List.of("p-1"));
        Conversion c = valid().productNumbers(products).build();
        products.add("p-2");
        assertEquals(List.of("p-1"), c.productNumbers());
    }

    @Test
    void build_noOrderNumber_throwsIllegalState() {
        assertEquals("orderNumber is required", message(IllegalStateException.class, valid().orderNumber(null)));
    }

    @Test
    void build_blankOrderNumber_namesFieldAndValue() {
        assertEquals("orderNumber must be non-blank text of at most 256 characters without control characters:"
                + " \" \"", message(IllegalArgumentException.class, valid().orderNumber(" ")));
    }

    @Test
    void build_noTotal_throwsIllegalState() {
        assertEquals("total is required", message(IllegalStateException.class, valid().total(null)));
    }

    @Test
    void build_negativeTotal_namesFieldAndValue() {
        assertEquals("total must be zero or more, with at most 32 characters in plain notation: -0.01",
                message(IllegalArgumentException.class, valid().total(new BigDecimal("-0.01"))));
    }

    @Test
    void build_hugeExponentTotal_isRefused() {
        assertEquals("total must be zero or more, with at most 32 characters in plain notation: 1" + "0".repeat(40),
                message(IllegalArgumentException.class, valid().total(new BigDecimal("1E+40"))));
    }

    @Test
    void build_nanOrInfiniteDoubleTotal_namesFieldAndValue() {
        assertEquals("total must be a finite number, zero or more: NaN",
                message(IllegalArgumentException.class, valid().total(Double.NaN)));
        assertEquals("total must be a finite number, zero or more: Infinity",
                message(IllegalArgumentException.class, valid().total(Double.POSITIVE_INFINITY)));
    }

    @Test
    void build_doubleTotal_keepsShortestDecimal() {
        assertEquals(new BigDecimal("499.32"), valid().total(499.32).build().total());
    }

    @Test
    void build_zeroTotal_isAccepted() {
        assertEquals(BigDecimal.ZERO, valid().total(BigDecimal.ZERO).build().total());
    }

    @Test
    void build_badTrackingUserId_namesFieldAndValue() {
        assertEquals("trackingUserId must be 24 lowercase hex characters: \"not-an-id\"",
                message(IllegalArgumentException.class, valid().trackingUserId("not-an-id")));
    }

    @Test
    void build_noTrackingUserId_isAccepted() {
        assertFalse(valid().trackingUserId(null).build().trackingUserId().isPresent());
    }

    @Test
    void build_badEmail_masksItInTheMessage() {
        String m = message(IllegalArgumentException.class, valid().email("jane doe@example.com"));
        assertEquals("email must be an address like name@example.com of at most 254 characters: \"j***@example.com\"", m);
        assertFalse(m.contains("jane"));
    }

    @Test
    void build_emailWithoutAt_isMaskedWhole() {
        assertEquals("email must be an address like name@example.com of at most 254 characters: \"***\"",
                message(IllegalArgumentException.class, valid().email("jane.example.com")));
    }

    @Test
    void build_blankCustomerId_namesFieldAndValue() {
        assertEquals("customerId must be non-blank text of at most 256 characters without control characters:"
                + " \"\"", message(IllegalArgumentException.class, valid().customerId("")));
    }

    @Test
    void build_noProducts_throwsIllegalState() {
        assertEquals("productNumbers, urls or lines is required",
                message(IllegalStateException.class, valid().productNumbers(null)));
    }

    @Test
    void build_bothProductLists_throwsIllegalState() {
        assertEquals("set either productNumbers or urls, not both",
                message(IllegalStateException.class, valid().urls(List.of("https://shop.example/p/1"))));
    }

    @Test
    void build_emptyProductNumbers_namesField() {
        assertEquals("productNumbers must hold 1 to 10000 entries: 0 given",
                message(IllegalArgumentException.class, valid().productNumbers(List.of())));
    }

    @Test
    void build_nullProductNumberEntry_namesIndex() {
        assertEquals("productNumbers[1] must not be null",
                message(IllegalArgumentException.class, valid().productNumbers(Arrays.asList("p-1", null))));
    }

    @Test
    void build_blankProductNumberEntry_namesIndexAndValue() {
        assertEquals("productNumbers[0] must be non-blank text of at most 256 characters without control"
                + " characters: \"\"", message(IllegalArgumentException.class, valid().productNumbers(List.of(""))));
    }

    @Test
    void build_relativeUrlEntry_namesIndexAndValue() {
        assertEquals("urls[1] must be an absolute http or https URL of at most 4096 characters: \"/p/2\"",
                message(IllegalArgumentException.class,
                        valid().productNumbers(null).urls(List.of("https://shop.example/p/1", "/p/2"))));
    }

    @Test
    void build_urls_keepsThem() {
        Conversion c = valid().productNumbers(null).urls(List.of("https://shop.example/p/1")).build();
        assertEquals(List.of("https://shop.example/p/1"), c.urls());
        assertEquals(List.of(), c.productNumbers());
    }

    @Test
    void toString_masksEmail() {
        String s = valid().email("customer@example.com").build().toString();
        assertEquals("Conversion{orderNumber=110-2347, total=499.32, trackingUserId=62a031…,"
                + " email=c***@example.com, productNumbers=[p-1234, p-4567]}", s);
    }
}
