package io.github.helloretail4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.Setting;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata (META-INF/spring-configuration-metadata.json, which the configuration
 * processor writes from HelloRetailProperties and its Javadoc) against the servlet layer's table
 * of settings, both ways: a setting added to the table without its property here fails, as does
 * a property that is no setting.
 */
class PropertiesMetadataTest {

    private static final String METADATA = "/META-INF/spring-configuration-metadata.json";
    /** The starter's own properties, which are not servlet parameters. */
    private static final String STARTERS_OWN = "helloretail.health.";

    private static Map<String, JsonNode> properties;

    @BeforeAll
    static void readMetadata() throws IOException {
        properties = new LinkedHashMap<>();
        for (JsonNode property : new ObjectMapper().readTree(PropertiesMetadataTest.class.getResource(METADATA))
                .path("properties")) {
            properties.put(property.path("name").asText(), property);
        }
    }

    private static List<Setting<?>> bound() {
        return FrameworkSupport.settings().stream().filter(s -> s.kind() != null).toList();
    }

    @Test
    void metadata_everySetting_hasItsPropertyWithTypeAndDescription() {
        List<String> problems = new ArrayList<>();
        for (Setting<?> setting : bound()) {
            JsonNode property = properties.get(setting.frameworkName());
            if (property == null) {
                problems.add(setting.frameworkName() + " (" + setting.name() + ") is missing: give HelloRetailProperties"
                        + " a field for it, with its Javadoc");
                continue;
            }
            String type = switch (setting.kind()) {
                case TEXT -> "java.lang.String";
                case NUMBER -> "java.lang.Integer";
                case FLAG -> "java.lang.Boolean";
                case LIST -> "java.util.List<java.lang.String>";
            };
            if (!type.equals(property.path("type").asText())) {
                problems.add(setting.frameworkName() + " is a " + property.path("type").asText() + ", not " + type);
            }
            if (property.path("description").asText().isBlank()) {
                problems.add(setting.frameworkName() + " has no description: its field has no Javadoc");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void metadata_defaults_areTheSettingsDefaults() {
        for (Setting<?> setting : bound()) {
            JsonNode property = properties.get(setting.frameworkName());
            assertNotNull(property, setting.frameworkName());
            JsonNode metadataDefault = property.get("defaultValue");
            if (setting.isDeprecated() || setting.isFrameworkFlag() || setting.defaultValue() == null) {
                continue;
            }
            if (setting.kind() == Setting.Kind.LIST) {
                // a list's default is the table's, applied when the property is not set
                assertTrue(metadataDefault == null || metadataDefault.isArray(), setting.frameworkName());
                continue;
            }
            assertNotNull(metadataDefault, setting.frameworkName() + " has no default in the metadata: write the"
                    + " field's initial value as a literal");
            assertEquals(setting.defaultValue(), metadataDefault.asText(), setting.frameworkName());
        }
    }

    @Test
    void metadata_deprecatedName_isDeprecatedForItsReplacement() {
        List<Setting<?>> deprecated = bound().stream().filter(Setting::isDeprecated).toList();
        assertFalse(deprecated.isEmpty());
        for (Setting<?> setting : deprecated) {
            JsonNode property = properties.get(setting.frameworkName());
            assertNotNull(property, setting.frameworkName());
            assertTrue(property.path("deprecated").asBoolean(), setting.frameworkName() + " is not marked deprecated");
            assertEquals(setting.replacement().frameworkName(),
                    property.path("deprecation").path("replacement").asText(), setting.frameworkName());
        }
    }

    @Test
    void metadata_everyProperty_isASettingOrTheStartersOwn() {
        TreeSet<String> settings = bound().stream().map(Setting::frameworkName)
                .collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> inMetadata = properties.keySet().stream().filter(n -> !n.startsWith(STARTERS_OWN))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(settings, inMetadata);
    }

    @Test
    void analyzer_properties_areTheMetadataButTheDeprecated() {
        TreeSet<String> current = properties.values().stream().filter(p -> !p.path("deprecated").asBoolean())
                .map(p -> p.path("name").asText()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(current, new TreeSet<>(UnknownPropertyFailureAnalyzer.PROPERTIES));
    }
}
