package io.github.helloretail4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cart's builder: validated like Conversion's, and an empty cart is one that clears. */
class CartTest {

    private static Cart.Builder valid() {
        return Cart.builder().trackingUserId("62a0317d17698aa57d369db9").total(new BigDecimal("218.95"))
                .url("https://shop.example/cart?restore=abc123").productNumbers(List.of("sh-101", "bg-201"))
                .email("customer@example.com");
    }

    @Test
    void build_allFields_keepsThemExactly() {
        Cart cart = valid().build();
        assertEquals("62a0317d17698aa57d369db9", cart.trackingUserId().orElseThrow());
        assertEquals("218.95", cart.total().toPlainString());
        assertEquals("https://shop.example/cart?restore=abc123", cart.url().orElseThrow());
        assertEquals(List.of("sh-101", "bg-201"), cart.productNumbers());
        assertEquals(List.of(), cart.urls());
        assertEquals(false, cart.isEmpty());
    }

    @Test
    void build_emptyProductList_isAnEmptyCartWithNoUrlsEither() {
        Cart byNumbers = Cart.builder().trackingUserId("62a0317d17698aa57d369db9").total(0).productNumbers(List.of()).build();
        Cart byUrls = Cart.builder().trackingUserId("62a0317d17698aa57d369db9").total(BigDecimal.ZERO).urls(List.of()).build();
        assertTrue(byNumbers.isEmpty());
        assertEquals(byNumbers, byUrls);
        assertEquals("0", byNumbers.total().toPlainString(), "an empty cart's total is sent as 0");
    }

    @Test
    void build_emptyCartWithATotal_namesTheTotal() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Cart.builder().total(new BigDecimal("5.00")).productNumbers(List.of()).build());
        assertEquals("total must be 0 for an empty cart: 5.00", e.getMessage());
    }

    @Test
    void build_missingOrBadFields_nameTheField() {
        assertEquals("total is required", assertThrows(IllegalStateException.class,
                () -> Cart.builder().productNumbers(List.of("p")).build()).getMessage());
        assertEquals("productNumbers or urls is required", assertThrows(IllegalStateException.class,
                () -> Cart.builder().total(1).build()).getMessage());
        assertEquals("set either productNumbers or urls, not both", assertThrows(IllegalStateException.class,
                () -> Cart.builder().total(1).productNumbers(List.of("p")).urls(List.of("https://shop.example/p")).build())
                .getMessage());
        assertEquals("total must be zero or more, with at most 32 characters in plain notation: -1",
                assertThrows(IllegalArgumentException.class,
                        () -> valid().total(new BigDecimal("-1")).build()).getMessage());
        assertEquals("total must be a finite number, zero or more: NaN",
                assertThrows(IllegalArgumentException.class, () -> valid().total(Double.NaN).build()).getMessage());
        String relative = assertThrows(IllegalArgumentException.class, () -> valid().url("/cart?restore=1").build())
                .getMessage();
        assertTrue(relative.startsWith("url must be ") && relative.endsWith(": \"/cart?restore=1\""), relative);
        assertEquals("productNumbers[1] must not be null", assertThrows(IllegalArgumentException.class,
                () -> valid().productNumbers(Arrays.asList("p", null)).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> valid().trackingUserId("62A0317D17698AA57D369DB9").build()).getMessage()
                .startsWith("trackingUserId must be 24 lowercase hex characters"));
    }

    @Test
    void emailInMessagesAndToString_isMasked() {
        var e = assertThrows(IllegalArgumentException.class, () -> valid().email("customer@@example.com").build());
        assertTrue(!e.getMessage().contains("customer@"), e.getMessage());
        String s = valid().build().toString();
        assertTrue(s.contains("c***@example.com") && !s.contains("customer@"), s);
    }
}
