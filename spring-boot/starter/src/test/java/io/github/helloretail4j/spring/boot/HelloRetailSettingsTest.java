package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HelloRetailSettingsTest {

    @Test
    void bootName_webXmlParameter_isTheRelaxedPropertyName() {
        assertEquals("helloretail.website-uuid", HelloRetailSettings.bootName("helloretail.websiteUuid"));
        assertEquals("helloretail.honor-global-privacy-control",
                HelloRetailSettings.bootName("helloretail.honorGlobalPrivacyControl"));
        assertEquals("helloretail.endpoint", HelloRetailSettings.bootName("helloretail.endpoint"));
    }

    @Test
    void environmentName_property_isUpperSnakeCase() {
        assertEquals("HELLORETAIL_PRODUCT_NUMBER_PATTERN",
                HelloRetailSettings.environmentName("helloretail.product-number-pattern"));
    }

    @Test
    void propertyOf_messageOfTheServletLayer_isTheLongestPropertyItStartsWith() {
        // trust-store is a prefix of trust-store-password: the longer one wins
        assertEquals("helloretail.trust-store-password",
                HelloRetailSettings.propertyOf("helloretail.trust-store-password (x) is bad: \"y\""));
        assertEquals("helloretail.trust-store", HelloRetailSettings.propertyOf("helloretail.trust-store (x) cannot be read"));
        assertEquals("helloretail", HelloRetailSettings.propertyOf("something else"));
    }

    @Test
    void closest_misspelledProperty_isTheOneMeant() {
        assertEquals("helloretail.website-uuid", UnknownPropertyFailureAnalyzer.closest("helloretail.websit-uuid"));
        assertEquals("helloretail.website-uuid", UnknownPropertyFailureAnalyzer.closest("helloretail.website-uid"));
        assertEquals("helloretail.consent-cookie", UnknownPropertyFailureAnalyzer.closest("helloretail.consent-cookies"));
        assertNull(UnknownPropertyFailureAnalyzer.closest("helloretail.api-key"));
    }

    @Test
    void properties_listedForTheAnalyzer_areExactlyTheMetadata() throws Exception {
        java.util.TreeSet<String> inMetadata = new java.util.TreeSet<>();
        for (com.fasterxml.jackson.databind.JsonNode property : new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                HelloRetailSettingsTest.class.getResource("/META-INF/spring-configuration-metadata.json")).path("properties")) {
            inMetadata.add(property.path("name").asText());
        }
        assertEquals(inMetadata, new java.util.TreeSet<>(UnknownPropertyFailureAnalyzer.PROPERTIES));
    }
}
