package io.github.helloretail4j.demo.shop;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The shop's twelve products. Fixed, so that the demo and its tests know what is on sale. */
public final class Catalog {

    private final Map<String, Product> products = new LinkedHashMap<>();

    public Catalog() {
        add("sh-101", "Trail Runner GTX", Category.SHOES, "129.95",
                "A waterproof trail shoe with a grippy lug sole, for muddy mornings.", 12);
        add("sh-102", "Harbour Leather Boot", Category.SHOES, "189.00",
                "Full-grain leather, a storm welt and a sole that can be replaced.", 28);
        add("sh-103", "Everyday Canvas Sneaker", Category.SHOES, "59.90",
                "Organic cotton canvas on a natural rubber sole.", 200);
        add("sh-104", "Alpine Hiking Boot", Category.SHOES, "214.50",
                "Stiff enough for scree, soft enough for the walk to the trailhead.", 355);
        add("bg-201", "Rolltop Day Pack 20 L", Category.BAGS, "89.00",
                "A welded rolltop that keeps the rain out and the laptop dry.", 160);
        add("bg-202", "Waxed Canvas Tote", Category.BAGS, "64.50",
                "Heavy waxed canvas with leather handles that age well.", 40);
        add("bg-203", "Weekender Duffel", Category.BAGS, "149.00",
                "Fits two nights of clothes and one pair of boots, carry-on size.", 220);
        add("bg-204", "Sling Bag", Category.BAGS, "39.95",
                "Phone, keys, wallet and a snack. Nothing more.", 280);
        add("ac-301", "Merino Beanie", Category.ACCESSORIES, "29.90",
                "Fine merino wool, warm without the itch.", 0);
        add("ac-302", "Salt & Pepper Wool Scarf", Category.ACCESSORIES, "44.00",
                "A long scarf in a two-tone herringbone weave.", 190);
        add("ac-303", "Insulated Steel Bottle 0.75 L", Category.ACCESSORIES, "27.50",
                "Keeps coffee hot for 12 hours and water cold for 24.", 95);
        add("ac-304", "Explorer's Sunglasses", Category.ACCESSORIES, "79.00",
                "Polarised lenses in a bio-based acetate frame.", 320);
    }

    private void add(String number, String name, Category category, String price, String description, int hue) {
        products.put(number, new Product(number, name, category, new BigDecimal(price), description, hue));
    }

    public List<Product> all() {
        return List.copyOf(products.values());
    }

    public Optional<Product> product(String number) {
        return Optional.ofNullable(products.get(number));
    }

    public List<Product> inCategory(Category category) {
        return products.values().stream().filter(p -> p.category() == category).toList();
    }

    public Optional<Category> category(String slug) {
        return Arrays.stream(Category.values()).filter(c -> c.slug().equals(slug)).findFirst();
    }
}
