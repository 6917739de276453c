package io.github.helloretail4j.servlet.internal;

import io.github.helloretail4j.HelloRetailTracker;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Not API: one {@code helloretail.*} parameter of the servlet layer, with everything each user of
 * it needs: its name, its default, how a value is read, whether it configures the tracker (and so
 * must agree between a filter and its application), whether it is secret, and a line of meaning.
 * The servlet layer parses, reports and compares its parameters from these, and the Spring Boot
 * starter binds its properties from them. Public only because the starter is a jar of its own;
 * it may change in any release.
 *
 * @param <T> what a value is read as
 */
public final class Setting<T> {

    /**
     * How a framework with typed configuration (Spring Boot) binds the setting; the servlet layer
     * reads every value as text.
     */
    public enum Kind {
        /** A string. */
        TEXT,
        /** {@code true} or {@code false}. */
        FLAG,
        /** A whole number. */
        NUMBER,
        /** A list of strings, given to the servlet layer comma-separated. */
        LIST
    }

    /**
     * Reads a value, given without surrounding blanks and never empty. A bad one is an
     * {@link IllegalArgumentException} whose message is the problem alone ({@code must be true or
     * false}): the caller names the setting, where it was found and the value around it.
     */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String value, Context context);
    }

    /** The other settings, while one is read or a rule across several is checked. */
    public interface Context {

        /** The setting's value (its default when not set, null when it has none). */
        <V> V value(Setting<V> setting);

        /** Whether a value was given, under the setting's name or a deprecated one. */
        boolean isSet(Setting<?> setting);

        /** The setting as the user wrote it: the web.xml name, or the framework's. */
        String name(Setting<?> setting);

        /** {@code " (context-param)"}, {@code " (default)"}: where the value came from; "" when unknown. */
        String where(Setting<?> setting);

        /** {@code " \"value\""} for a message; "" for a framework's flag, whose name says it all. */
        String shown(Setting<?> setting);

        /**
         * {@code ": set it as a context-param, a system property or the environment variable
         * HELLORETAIL_WEBSITE_UUID"}: where a missing value may be given; "" for a framework, whose
         * configuration is its own.
         */
        String howToSet(Setting<?> setting);

        /** A bad value of {@code setting}: the message names it, where it was found, the problem and the value. */
        InvalidSettingException invalid(Setting<?> setting, String problem);

        /** A problem of {@code setting} told in a message of its own, which names the setting. */
        InvalidSettingException invalidAs(Setting<?> setting, String message);
    }

    private final String name;
    private final String defaultValue;
    private final String unset;
    private final Kind kind;
    private final String frameworkName;
    private final Parser<T> parser;
    private final boolean trackerWide;
    private final boolean secret;
    private final boolean frameworkFlag;
    private final String meaning;
    private final BiConsumer<HelloRetailTracker.Builder, T> builds;
    private final Setting<T> replacement;

    private Setting(Builder<T> b) {
        this.name = b.name;
        this.defaultValue = b.defaultValue;
        this.unset = b.unset;
        this.kind = b.kind;
        this.frameworkName = b.kind == null ? null : b.frameworkName != null ? b.frameworkName
                : b.name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        this.parser = b.parser;
        this.trackerWide = b.trackerWide;
        this.secret = b.secret;
        this.frameworkFlag = b.frameworkFlag;
        this.meaning = Objects.requireNonNull(b.meaning, "meaning");
        this.builds = b.builds;
        this.replacement = b.replacement;
    }

    /** A setting called {@code name} ({@code helloretail.websiteUuid}), read by {@code parser}. */
    public static <T> Builder<T> of(String name, Kind kind, Parser<T> parser) {
        return new Builder<>(name, kind, parser);
    }

    /**
     * An old name of {@code replacement}, still read, reported as deprecated at start: a value
     * given under it is {@code replacement}'s, and both set is an error naming both.
     */
    public static <T> Setting<T> deprecatedName(String name, Setting<T> replacement) {
        Builder<T> b = new Builder<>(name, replacement.kind, replacement.parser);
        b.replacement = replacement;
        b.trackerWide = replacement.trackerWide;
        b.secret = replacement.secret;
        b.frameworkFlag = replacement.frameworkFlag;
        b.meaning = "deprecated: the old name of " + replacement.name;
        return b.kind(replacement.kind).build();
    }

    /** The web.xml name: {@code helloretail.websiteUuid}. */
    public String name() {
        return name;
    }

    /**
     * The name in a framework's relaxed form ({@code helloretail.website-uuid}, the
     * {@code application.properties} key of the Spring Boot starter), or null when no framework
     * binds the setting.
     */
    public String frameworkName() {
        return frameworkName;
    }

    /** The same as an environment variable, upper snake case: {@code HELLORETAIL_WEBSITE_UUID}. */
    public String environmentName() {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The default as a parameter would give it, or null when there is none. */
    public String defaultValue() {
        return defaultValue;
    }

    /** How the start-up log shows the setting when it has no value ({@code none}, {@code (the JVM's)}). */
    public String unset() {
        return unset;
    }

    /** How a framework binds it, or null when no framework does (it belongs to the servlet container). */
    public Kind kind() {
        return kind;
    }

    /**
     * Whether it configures the web application's one tracker, rather than a filter: a filter
     * whose value differs from the application's fails, and the start-up log shows it.
     */
    public boolean isTrackerWide() {
        return trackerWide;
    }

    /** Whether its value is secret: never logged, never in a message. */
    public boolean isSecret() {
        return secret;
    }

    /**
     * Whether a framework binds it as a flag meaning "the framework's own" (the Spring Boot
     * starter's {@code outbox-data-source=true}: the application's DataSource bean) where the
     * servlet layer takes a name.
     */
    public boolean isFrameworkFlag() {
        return frameworkFlag;
    }

    /** One line of what it does. */
    public String meaning() {
        return meaning;
    }

    /** The setting this is an old name of, or null. */
    public Setting<T> replacement() {
        return replacement;
    }

    public boolean isDeprecated() {
        return replacement != null;
    }

    /**
     * Reads {@code value}.
     *
     * @throws IllegalArgumentException whose message is the problem alone
     */
    public T parse(String value, Context context) {
        return parser.parse(value, context);
    }

    /** Sets a non-null value on a tracker's builder, when the setting is one of the builder's. */
    public void applyTo(HelloRetailTracker.Builder builder, Object value) {
        if (builds != null && value != null) {
            @SuppressWarnings("unchecked")
            T typed = (T) value;
            builds.accept(builder, typed);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** A setting being declared. */
    public static final class Builder<T> {
        private final String name;
        private final Parser<T> parser;
        private Kind kind;
        private String frameworkName;
        private String defaultValue;
        private String unset = "none";
        private boolean trackerWide;
        private boolean secret;
        private boolean frameworkFlag;
        private String meaning;
        private BiConsumer<HelloRetailTracker.Builder, T> builds;
        private Setting<T> replacement;

        private Builder(String name, Kind kind, Parser<T> parser) {
            if (!name.matches("helloretail\\.[a-z][A-Za-z0-9]*")) {
                throw new IllegalArgumentException("a setting's name is helloretail. and a camel-case word: " + name);
            }
            this.name = name;
            this.kind = kind;
            this.parser = Objects.requireNonNull(parser, "parser");
        }

        private Builder<T> kind(Kind kind) {
            this.kind = kind;
            return this;
        }

        /** The value when none is given, as a parameter would give it. */
        public Builder<T> defaultValue(String defaultValue) {
            this.defaultValue = defaultValue;
            return this;
        }

        /** How the start-up log shows it without a value; {@code none} unless said. */
        public Builder<T> unset(String unset) {
            this.unset = unset;
            return this;
        }

        /** It configures the application's tracker, not a filter. */
        public Builder<T> trackerWide() {
            this.trackerWide = true;
            return this;
        }

        /** Its value is never logged or echoed. */
        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        /** No framework binds it: it belongs to the servlet container (web.xml, JNDI). */
        public Builder<T> servletOnly() {
            this.kind = null;
            return this;
        }

        /**
         * The framework's name, where it is not the relaxed form of the web.xml name (a property
         * of a nested group: {@code helloretail.order-feed.password}).
         */
        public Builder<T> frameworkName(String frameworkName) {
            this.frameworkName = frameworkName;
            return this;
        }

        /** A framework binds it as a flag, {@code true} meaning its own resource; see {@link #isFrameworkFlag}. */
        public Builder<T> frameworkFlag() {
            this.kind = Kind.FLAG;
            this.frameworkFlag = true;
            return this;
        }

        /** The tracker builder's method that takes the value. */
        public Builder<T> builds(BiConsumer<HelloRetailTracker.Builder, T> builds) {
            this.builds = builds;
            return this;
        }

        public Builder<T> meaning(String meaning) {
            this.meaning = meaning;
            return this;
        }

        public Setting<T> build() {
            return new Setting<>(this);
        }
    }
}
