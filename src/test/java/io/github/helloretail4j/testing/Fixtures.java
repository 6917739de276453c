package io.github.helloretail4j.testing;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.PageView;
import java.math.BigDecimal;
import java.util.List;

/** The ids and events tests share, so that each test says only what is particular to it. */
public final class Fixtures {
    public static final String WEBSITE_UUID = TestCollector.WEBSITE_UUID;
    public static final String ID = "62a0317d17698aa57d369db9";
    public static final String PAGEVIEW = "/serve/collect/pageview";
    public static final String CONVERSION = "/serve/collect/conversion";

    private Fixtures() {
    }

    public static PageView view(String location) {
        return PageView.builder().trackingUserId(ID).location(location).build();
    }

    public static Conversion conversion(String orderNumber) {
        return Conversion.builder().trackingUserId(ID).orderNumber(orderNumber).total(new BigDecimal("25.50"))
                .productNumbers(List.of("p-1")).build();
    }

    /** The live threads whose names start with {@code prefix}. */
    public static List<Thread> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).toList();
    }
}
