package io.github.helloretail4j.spring.boot;

import static io.github.helloretail4j.servlet.PageViewFilter.*;

import io.github.helloretail4j.servlet.SpringBootBridge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;

/**
 * The bound {@link HelloRetailProperties} as the servlet layer's parameters, checked by the
 * servlet layer itself (so a value means the same in {@code application.properties} as in
 * {@code web.xml}), with a bad one reported under its Boot name and origin.
 */
final class HelloRetailSettings {

    /** Every property the servlet layer checks, by its web.xml name. */
    private static final Map<String, Function<HelloRetailProperties, Object>> PARAMETERS = new LinkedHashMap<>();

    static {
        PARAMETERS.put(PARAM_ENABLED, HelloRetailProperties::isEnabled);
        PARAMETERS.put(PARAM_WEBSITE_UUID, HelloRetailProperties::getWebsiteUuid);
        PARAMETERS.put(PARAM_ENDPOINT, HelloRetailProperties::getEndpoint);
        PARAMETERS.put(PARAM_OUTBOX_DIRECTORY, HelloRetailProperties::getOutboxDirectory);
        PARAMETERS.put(PARAM_SENDER_THREADS, HelloRetailProperties::getSenderThreads);
        PARAMETERS.put(PARAM_TRUST_STORE, HelloRetailProperties::getTrustStore);
        PARAMETERS.put(PARAM_TRUST_STORE_PASSWORD, HelloRetailProperties::getTrustStorePassword);
        PARAMETERS.put(PARAM_PRODUCT_NUMBER_PATTERN, HelloRetailProperties::getProductNumberPattern);
        PARAMETERS.put(PARAM_PRODUCT_NUMBER_PARAMETER, HelloRetailProperties::getProductNumberParameter);
        PARAMETERS.put(PARAM_EXCLUDE_PATHS, p -> p.getExcludePaths() == null ? null : String.join(",", p.getExcludePaths()));
        PARAMETERS.put(PARAM_REMOVE_QUERY_PARAMETERS,
                p -> p.getRemoveQueryParameters() == null ? null : String.join(",", p.getRemoveQueryParameters()));
        PARAMETERS.put(PARAM_PUBLIC_BASE_URL, HelloRetailProperties::getPublicBaseUrl);
        PARAMETERS.put(PARAM_TRUST_FORWARDED_HEADERS, HelloRetailProperties::isTrustForwardedHeaders);
        PARAMETERS.put(PARAM_CONSENT_COOKIE, HelloRetailProperties::getConsentCookie);
        PARAMETERS.put(PARAM_HONOR_GLOBAL_PRIVACY_CONTROL, HelloRetailProperties::isHonorGlobalPrivacyControl);
        PARAMETERS.put(PARAM_CREATE_TRACKING_USER, HelloRetailProperties::isCreateTrackingUser);
    }

    static final String OUTBOX_DATA_SOURCE = "helloretail.outbox-data-source";
    static final String OUTBOX_DIRECTORY = "helloretail.outbox-directory";

    private HelloRetailSettings() {
    }

    /**
     * The properties checked; {@code websiteUuid} stands in for an unset website UUID (the
     * application's own tracker's, for the filter), null for none.
     *
     * @throws HelloRetailConfigurationException naming the property, its origin and the value
     */
    static SpringBootBridge.Checked check(HelloRetailProperties properties, Environment environment, String websiteUuid) {
        if (properties.isOutboxDataSource() && properties.getOutboxDirectory() != null
                && !properties.getOutboxDirectory().isBlank()) {
            // One outbox per tracker: an application that set both has not decided where its conversions wait.
            throw new HelloRetailConfigurationException(OUTBOX_DATA_SOURCE, OUTBOX_DIRECTORY
                    + where(environment, OUTBOX_DIRECTORY) + " \"" + properties.getOutboxDirectory() + "\" and "
                    + OUTBOX_DATA_SOURCE + where(environment, OUTBOX_DATA_SOURCE) + " are both set; conversions wait"
                    + " in one of them: keep " + OUTBOX_DATA_SOURCE + " for a shop of several nodes, or "
                    + OUTBOX_DIRECTORY + " for one", null);
        }
        Map<String, String> values = new LinkedHashMap<>();
        PARAMETERS.forEach((name, getter) -> {
            Object value = getter.apply(properties);
            if (value != null) {
                values.put(name, value.toString());
            }
        });
        if (websiteUuid != null && (properties.getWebsiteUuid() == null || properties.getWebsiteUuid().isBlank())) {
            values.put(PARAM_WEBSITE_UUID, websiteUuid);
        }
        try {
            return SpringBootBridge.check(values, HelloRetailSettings::bootName, p -> origin(environment, bootName(p)));
        } catch (IllegalArgumentException e) {
            throw new HelloRetailConfigurationException(propertyOf(e.getMessage()), e.getMessage(), e);
        }
    }

    /** The property a message of the servlet layer's settings starts with. */
    static String propertyOf(String message) {
        String best = "helloretail";
        for (String parameter : PARAMETERS.keySet()) {
            String name = bootName(parameter);
            if (message.startsWith(name + " ") && name.length() > best.length()) {
                best = name;
            }
        }
        return best;
    }

    /** {@code helloretail.websiteUuid} as Boot names it: {@code helloretail.website-uuid}. */
    static String bootName(String parameter) {
        return parameter.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** {@code helloretail.website-uuid} as an environment variable: {@code HELLORETAIL_WEBSITE_UUID}. */
    static String environmentName(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** " (origin)" for a message, or "" when Boot does not know where the property came from. */
    static String where(Environment environment, String property) {
        String origin = origin(environment, property);
        return origin == null ? "" : " (" + origin + ")";
    }

    /**
     * Where Boot found a property ({@code class path resource [application.properties] - 3:31},
     * {@code System Environment Property "HELLORETAIL_ENDPOINT"}), or null.
     */
    static String origin(Environment environment, String property) {
        for (String name : List.of(property, property + "[0]")) {
            ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
            for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
                ConfigurationProperty found = source.getConfigurationProperty(key);
                if (found != null) {
                    return found.getOrigin() == null ? null : found.getOrigin().toString();
                }
            }
        }
        return null;
    }
}
