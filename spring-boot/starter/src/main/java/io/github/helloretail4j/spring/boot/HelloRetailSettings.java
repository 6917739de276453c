package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.servlet.PageViewFilter;
import io.github.helloretail4j.servlet.internal.FrameworkSettings;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.InvalidSettingException;
import io.github.helloretail4j.servlet.internal.Setting;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;

/**
 * The {@code helloretail.*} properties as the servlet layer's parameters: each setting of its
 * table bound under its relaxed name, as its kind says, and checked by the servlet layer itself
 * (so a value means the same in {@code application.properties} as in {@code web.xml}), with a
 * bad one reported under its Boot name and origin. A setting the application did not set is not
 * passed: it takes the table's default, and two names of one setting conflict only when both
 * were set.
 */
final class HelloRetailSettings {

    private HelloRetailSettings() {
    }

    /**
     * The properties checked; {@code websiteUuid} stands in for an unset website UUID (the
     * application's own tracker's, for the filter), null for none.
     *
     * @throws HelloRetailConfigurationException naming the property, its origin and the value
     */
    static FrameworkSettings check(Environment environment, String websiteUuid) {
        Binder binder = Binder.get(environment);
        Map<Setting<?>, String> values = new HashMap<>();
        for (Setting<?> setting : FrameworkSupport.settings()) {
            String value = setting.kind() == null ? null : bound(binder, setting);
            if (value != null) {
                values.put(setting, value);
            }
        }
        Setting<?> uuid = setting(PageViewFilter.PARAM_WEBSITE_UUID);
        if (websiteUuid != null && (values.get(uuid) == null || values.get(uuid).isBlank())) {
            values.put(uuid, websiteUuid);
        }
        try {
            return FrameworkSupport.check(values, Setting::frameworkName, s -> origin(environment, s.frameworkName()));
        } catch (InvalidSettingException e) {
            throw failure(e);
        }
    }

    /** The value as a {@code web.xml} parameter would give it, or null when the property is not set. */
    private static String bound(Binder binder, Setting<?> setting) {
        String property = setting.frameworkName();
        return switch (setting.kind()) {
            case TEXT -> binder.bind(property, Bindable.of(String.class)).orElse(null);
            case NUMBER -> binder.bind(property, Bindable.of(Integer.class)).map(String::valueOf).orElse(null);
            case LIST -> binder.bind(property, Bindable.listOf(String.class)).map(l -> String.join(",", l)).orElse(null);
            // a framework flag is the framework's own resource when true, and nothing when false
            case FLAG -> binder.bind(property, Bindable.of(Boolean.class))
                    .map(b -> setting.isFrameworkFlag() && !b ? null : String.valueOf(b)).orElse(null);
        };
    }

    /** The failure Boot reports, for a setting the servlet layer refused. */
    static HelloRetailConfigurationException failure(InvalidSettingException e) {
        return new HelloRetailConfigurationException(e.setting().frameworkName(), e.getMessage(), e);
    }

    /** The setting of that web.xml name ({@code PageViewFilter.PARAM_*}). */
    static Setting<?> setting(String parameter) {
        return FrameworkSupport.settings().stream().filter(s -> s.name().equals(parameter)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting " + parameter));
    }

    /** The property of that web.xml name: {@code helloretail.outbox-directory}. */
    static String property(String parameter) {
        return setting(parameter).frameworkName();
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
