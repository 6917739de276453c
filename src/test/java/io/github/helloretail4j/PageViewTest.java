package io.github.helloretail4j;

import static io.github.helloretail4j.testing.Fixtures.ID;
import static io.github.helloretail4j.testing.Fixtures.OPTED_OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PageViewTest {

    private static final String URL_RULE = "must be an absolute http or https URL of at most 4096 characters";

    @Test
    void build_allFields_keepsThem() {
        PageView v = PageView.builder()
                .trackingUserId(ID)
                .location("https://shop.example/p/shoes-123?color=red")
                .referrer("https://www.google.com/")
                .url("https://shop.example/p/shoes-123")
                .productNumber("shoes-123")
                .build();
        assertEquals(Optional.of(ID), v.trackingUserId());
        assertEquals("https://shop.example/p/shoes-123?color=red", v.location());
        assertEquals(Optional.of("https://www.google.com/"), v.referrer());
        assertEquals(Optional.of("https://shop.example/p/shoes-123"), v.url());
        assertEquals(Optional.of("shoes-123"), v.productNumber());
    }

    @Test
    void build_onlyLocation_leavesTheRestEmpty() {
        PageView v = PageView.builder().location("https://shop.example/").build();
        assertEquals(Optional.empty(), v.trackingUserId());
        assertEquals(Optional.empty(), v.referrer());
        assertEquals(Optional.empty(), v.url());
        assertEquals(Optional.empty(), v.productNumber());
    }

    @Test
    void build_noLocation_throwsIllegalState() {
        var e = assertThrows(IllegalStateException.class, () -> PageView.builder().productNumber("p-1").build());
        assertEquals("location is required", e.getMessage());
    }

    @Test
    void build_relativeLocation_namesFieldAndValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PageView.builder().location("/p/shoes-123").build());
        assertEquals("location " + URL_RULE + ": \"/p/shoes-123\"", e.getMessage());
    }

    @Test
    void build_referrerWithCredentials_namesFieldAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> PageView.builder()
                .location("https://shop.example/").referrer("https://u:p@evil.example/").build());
        assertEquals("referrer " + URL_RULE + " (no user name or password): \"https://u:p@evil.example/\"",
                e.getMessage());
    }

    @Test
    void build_urlWithSpace_namesFieldAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> PageView.builder()
                .location("https://shop.example/").url("https://shop.example/a b").build());
        assertEquals("url " + URL_RULE + " (no spaces, quotes, angle brackets or control characters):"
                + " \"https://shop.example/a b\"", e.getMessage());
    }

    @Test
    void build_uppercaseTrackingUserId_namesFieldAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> PageView.builder()
                .location("https://shop.example/").trackingUserId("62A0317D17698AA57D369DB9").build());
        assertEquals("trackingUserId must be 24 lowercase hex characters: \"62A0317D17698AA57D369DB9\"",
                e.getMessage());
    }

    @Test
    void build_optedOutTrackingUserId_isAccepted() {
        PageView v = PageView.builder().location("https://shop.example/")
                .trackingUserId(OPTED_OUT).build();
        assertEquals(Optional.of(OPTED_OUT), v.trackingUserId());
    }

    @Test
    void build_blankProductNumber_namesFieldAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> PageView.builder()
                .location("https://shop.example/").productNumber("  ").build());
        assertEquals("productNumber must be non-blank text of at most 256 characters without control characters:"
                + " \"  \"", e.getMessage());
    }

    @Test
    void build_productNumberWithNewline_escapesItInTheMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> PageView.builder()
                .location("https://shop.example/").productNumber("p-1\nforged log line").build());
        assertEquals("productNumber must be non-blank text of at most 256 characters without control characters:"
                + " \"p-1\\nforged log line\"", e.getMessage());
    }

    @Test
    void toString_abbreviatesTrackingUserId() {
        PageView v = PageView.builder().location("https://shop.example/")
                .trackingUserId(ID).build();
        assertEquals("PageView{location=https://shop.example/, trackingUserId=62a031…}", v.toString());
    }

    @Test
    void equals_sameFields_areEqual() {
        PageView a = PageView.builder().location("https://shop.example/").productNumber("p").build();
        PageView b = PageView.builder().location("https://shop.example/").productNumber("p").build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, PageView.builder().location("https://shop.example/").productNumber("q").build());
    }
}
