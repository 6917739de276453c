package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.servlet.PageViewFilter;
import org.junit.jupiter.api.Test;

class HelloRetailSettingsTest {

    @Test
    void property_webXmlParameter_isTheRelaxedPropertyName() {
        assertEquals("helloretail.website-uuid", HelloRetailSettings.property(PageViewFilter.PARAM_WEBSITE_UUID));
        assertEquals("helloretail.honor-global-privacy-control",
                HelloRetailSettings.property(PageViewFilter.PARAM_HONOR_GLOBAL_PRIVACY_CONTROL));
        assertEquals("helloretail.max-requests-in-flight",
                HelloRetailSettings.property(PageViewFilter.PARAM_MAX_REQUESTS_IN_FLIGHT));
        assertEquals("helloretail.endpoint", HelloRetailSettings.property(PageViewFilter.PARAM_ENDPOINT));
    }

    @Test
    void property_servletOnlyParameter_isNone() {
        // a container's business: the starter registers the filter itself, and names the table with a customizer
        assertNull(HelloRetailSettings.property(PageViewFilter.PARAM_INSTALL_FILTER));
        assertNull(HelloRetailSettings.property(PageViewFilter.PARAM_OUTBOX_TABLE));
    }

    @Test
    void environmentName_property_isUpperSnakeCase() {
        assertEquals("HELLORETAIL_PRODUCT_NUMBER_PATTERN",
                HelloRetailSettings.environmentName("helloretail.product-number-pattern"));
    }

    /** The name the failure report tells a user to set must be one Boot binds, for the order feed's nested group too. */
    @Test
    void environmentName_ofANestedProperty_isBoundByBoot() {
        String name = HelloRetailSettings.environmentName("helloretail.order-feed.password");
        org.springframework.core.env.StandardEnvironment environment = new org.springframework.core.env.StandardEnvironment();
        environment.getPropertySources().addFirst(new org.springframework.core.env.SystemEnvironmentPropertySource(
                "systemEnvironment-test", java.util.Map.of(name, "from-the-environment",
                        "HELLORETAIL_WEBSITE_UUID", "4bb65cc4-f2d2-4eb0-80d9-9496f912d2cf")));
        assertTrue(HelloRetailSettings.check(environment, null).servesOrderFeed(), name);
    }

    @Test
    void closest_misspelledProperty_isTheOneMeant() {
        assertEquals("helloretail.website-uuid", UnknownPropertyFailureAnalyzer.closest("helloretail.websit-uuid"));
        assertEquals("helloretail.website-uuid", UnknownPropertyFailureAnalyzer.closest("helloretail.website-uid"));
        assertEquals("helloretail.consent-cookie", UnknownPropertyFailureAnalyzer.closest("helloretail.consent-cookies"));
        // the current name, never the deprecated one
        assertEquals("helloretail.max-requests-in-flight",
                UnknownPropertyFailureAnalyzer.closest("helloretail.max-request-in-flight"));
        assertNull(UnknownPropertyFailureAnalyzer.closest("helloretail.api-key"));
    }
}
