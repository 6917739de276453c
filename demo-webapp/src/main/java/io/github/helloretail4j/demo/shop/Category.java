package io.github.helloretail4j.demo.shop;

/** A category page, {@code /category/{slug}}. */
public enum Category {
    SHOES("shoes", "Shoes", "Boots and runners for wet trails and city streets."),
    BAGS("bags", "Bags", "Packs, totes and duffels that take a beating."),
    ACCESSORIES("accessories", "Accessories", "The small things that make a long day better.");

    private final String slug;
    private final String title;
    private final String blurb;

    Category(String slug, String title, String blurb) {
        this.slug = slug;
        this.title = title;
        this.blurb = blurb;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String blurb() {
        return blurb;
    }

    public String path() {
        return "/category/" + slug;
    }
}
