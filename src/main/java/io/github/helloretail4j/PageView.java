package io.github.helloretail4j;

import io.github.helloretail4j.internal.Fields;
import io.github.helloretail4j.internal.Ids;
import io.github.helloretail4j.internal.Urls;
import io.github.helloretail4j.internal.CheckedEvents;
import java.util.Objects;
import java.util.Optional;

/**
 * One page a visitor saw, as sent to Hello Retail's {@code collect/pageview} endpoint.
 * Immutable; made by {@link #builder()}, whose {@link Builder#build()} checks every field.
 *
 * <p>{@code location} is required: a server always knows the page it served. Everything else
 * is optional and, when absent, is left out of the request body.
 */
public final class PageView {

    static {
        CheckedEvents.register(PageView::new);
    }

    private final String trackingUserId;
    private final String location;
    private final String referrer;
    private final String url;
    private final String productNumber;

    private PageView(Builder b) {
        this(b.trackingUserId, b.location, b.referrer, b.url, b.productNumber);
    }

    private PageView(String trackingUserId, String location, String referrer, String url, String productNumber) {
        this.trackingUserId = trackingUserId;
        this.location = location;
        this.referrer = referrer;
        this.url = url;
        this.productNumber = productNumber;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The visitor's {@code hello_retail_id}; empty for a visitor without one. */
    public Optional<String> trackingUserId() {
        return Optional.ofNullable(trackingUserId);
    }

    /** The full URL the visitor saw, query string included. */
    public String location() {
        return location;
    }

    /** The page's {@code Referer}. */
    public Optional<String> referrer() {
        return Optional.ofNullable(referrer);
    }

    /** The page's canonical URL, used by Hello Retail to find the product shown. */
    public Optional<String> url() {
        return Optional.ofNullable(url);
    }

    /** The product shown on the page; Hello Retail tries it before the URL. */
    public Optional<String> productNumber() {
        return Optional.ofNullable(productNumber);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageView p
                && Objects.equals(trackingUserId, p.trackingUserId)
                && location.equals(p.location)
                && Objects.equals(referrer, p.referrer)
                && Objects.equals(url, p.url)
                && Objects.equals(productNumber, p.productNumber);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trackingUserId, location, referrer, url, productNumber);
    }

    @Override
    public String toString() {
        // The tracking id is a personal identifier: show only enough to tell two apart.
        return "PageView{location=" + location
                + (trackingUserId == null ? "" : ", trackingUserId=" + abbreviate(trackingUserId))
                + (referrer == null ? "" : ", referrer=" + referrer)
                + (url == null ? "" : ", url=" + url)
                + (productNumber == null ? "" : ", productNumber=" + productNumber) + "}";
    }

    static String abbreviate(String trackingUserId) {
        return trackingUserId.substring(0, 6) + "…";
    }

    /** Collects the fields of a {@link PageView}; {@code null} means "not set". */
    public static final class Builder {
        private String trackingUserId;
        private String location;
        private String referrer;
        private String url;
        private String productNumber;

        private Builder() {
        }

        /** 24 lowercase hex characters, as in the {@code hello_retail_id} cookie. */
        public Builder trackingUserId(String trackingUserId) {
            this.trackingUserId = trackingUserId;
            return this;
        }

        /** Required: the absolute http(s) URL of the page, query string included. */
        public Builder location(String location) {
            this.location = location;
            return this;
        }

        /** The absolute http(s) URL of the {@code Referer} header, if any. */
        public Builder referrer(String referrer) {
            this.referrer = referrer;
            return this;
        }

        /** The page's canonical absolute http(s) URL, if it differs from the location. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** The product shown, exactly as in the product feed. */
        public Builder productNumber(String productNumber) {
            this.productNumber = productNumber;
            return this;
        }

        /**
         * @throws IllegalStateException when {@code location} is not set
         * @throws IllegalArgumentException when a field is malformed; the message names the
         *         field and echoes the value
         */
        public PageView build() {
            if (location == null) {
                throw new IllegalStateException("location is required");
            }
            Urls.url("location", location);
            Ids.trackingUserId(trackingUserId);
            Urls.url("referrer", referrer);
            Urls.url("url", url);
            Fields.text("productNumber", productNumber);
            return new PageView(this);
        }
    }
}
