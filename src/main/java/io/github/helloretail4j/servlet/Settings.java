package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.Parameters.ALL;
import static io.github.helloretail4j.servlet.Parameters.OUTBOX_DATA_SOURCE;
import static io.github.helloretail4j.servlet.Parameters.OUTBOX_DIRECTORY;
import static io.github.helloretail4j.servlet.Parameters.RULES;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.internal.Messages;
import io.github.helloretail4j.servlet.internal.FrameworkSettings;
import io.github.helloretail4j.servlet.internal.InvalidSettingException;
import io.github.helloretail4j.servlet.internal.Setting;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every {@code helloretail.*} parameter of a web application or filter, read and checked by the
 * one table, {@link Parameters}. A value is looked up, first found wins, in: a system property, an
 * environment variable ({@code HELLORETAIL_WEBSITE_UUID}), the filter's init-param, the web
 * application's context-param. So what is outside the WAR overrides what is packaged in it. An
 * unknown {@code helloretail.*} init-param or context-param, or a bad value, is an
 * {@link InvalidSettingException} naming the parameter, where it was found and the value.
 */
final class Settings implements FrameworkSettings {

    /** Where parameter values come from, in order of precedence. */
    record Sources(Function<String, String> systemProperties, Function<String, String> environment,
                   Map<String, String> initParams, Map<String, String> contextParams) {

        static Sources of(Map<String, String> initParams, Map<String, String> contextParams) {
            return new Sources(System::getProperty, System::getenv, initParams, contextParams);
        }
    }

    /**
     * A value, where it was found (null when unknown) and under which name: the setting's own or
     * a deprecated one. {@code given} false: the default.
     */
    private record Found(String value, String where, Setting<?> as, boolean given) {
    }

    private final Sources sources;
    /** The framework's own values (the Spring Boot starter's properties); null for the servlet layer's sources. */
    private final Map<Setting<?>, String> framework;
    /**
     * How the framework names each parameter and where it found its value, so that a bad value is
     * reported as the user wrote it ({@code helloretail.product-number-pattern}, from
     * {@code application.properties}). Null for the servlet layer, which reports the web.xml name.
     */
    private final Function<Setting<?>, String> frameworkName;
    private final Function<Setting<?>, String> frameworkOrigin;

    private final Map<Setting<?>, Found> found = new IdentityHashMap<>();
    private final Map<Setting<?>, Object> values = new IdentityHashMap<>();
    private final Set<Setting<?>> reading = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Values given under a deprecated name. */
    private final List<Found> deprecated = new ArrayList<>();
    private final Setting.Context context = new Context();

    private Settings(Sources sources, Map<Setting<?>, String> framework, Function<Setting<?>, String> frameworkName,
                     Function<Setting<?>, String> frameworkOrigin) {
        this.sources = sources;
        this.framework = framework;
        this.frameworkName = frameworkName;
        this.frameworkOrigin = frameworkOrigin;
        if (framework == null) {
            rejectUnknown(sources.initParams(), "init-param", ALL, "the parameters are ");
            rejectUnknown(sources.contextParams(), "context-param", ALL, "the parameters are ");
            rejectOrderFeedInitParams(sources.initParams());
        }
        for (Setting<?> setting : ALL) {
            found(setting);
        }
        for (Parameters.Rule rule : RULES) {
            rule.check(context);
        }
    }

    /** The order feed's parameters alone, for its servlet: see {@link #orderFeed}. */
    private Settings(Sources sources) {
        this.sources = sources;
        this.framework = null;
        this.frameworkName = null;
        this.frameworkOrigin = null;
        rejectUnknown(sources.initParams(), "init-param", Parameters.ORDER_FEED_INIT_PARAMS,
                "the order feed's parameters are ");
        for (Setting<?> setting : Parameters.ORDER_FEED) {
            found(setting);
        }
        found(Parameters.ENABLED);
    }

    static Settings resolve(Sources sources) {
        return new Settings(sources, null, null, null);
    }

    /**
     * The order feed's parameters alone, from the same sources in the same order as every other
     * parameter, the init-params being the feed servlet's: an application that maps the servlet
     * by hand, or whose tracking is off, has the feed without a website UUID. Another
     * {@code helloretail.*} init-param of the servlet is refused (it would be a misspelt one of the
     * feed's, or one the servlet never reads); its context-params the filter and listener check.
     */
    static Settings orderFeed(Sources sources) {
        return new Settings(sources);
    }

    /**
     * Settings from a framework's own configuration alone (the Spring Boot starter's properties),
     * which it has read already from wherever it reads them: no system property, environment
     * variable or context-param is looked up here. A bad value is reported under
     * {@code name.apply(setting)} with {@code origin.apply(setting)} (null when unknown).
     *
     * @throws InvalidSettingException whose message starts with the framework's name of the
     *         parameter, names where it was found and echoes the value
     */
    static Settings fromFramework(Map<Setting<?>, String> values, Function<Setting<?>, String> name,
                                  Function<Setting<?>, String> origin) {
        return new Settings(null, Map.copyOf(values), Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(origin, "origin"));
    }

    /** The parameter's value: its default when not set, null when it has none. */
    @SuppressWarnings("unchecked")
    <T> T get(Setting<T> setting) {
        return (T) values.get(setting.isDeprecated() ? setting.replacement() : setting);
    }

    // Reading.

    private void read(Setting<?> setting) {
        if (!reading.add(setting)) {
            throw new IllegalStateException(setting + " is read while it is being read: the table has a cycle");
        }
        Found f = find(setting);
        for (Setting<?> old : ALL) {
            if (old.replacement() != setting) {
                continue;
            }
            Found given = find(old);
            if (given == null) {
                continue;
            }
            if (f != null) {
                throw new InvalidSettingException(old, given.value(), given.where(), name(setting) + where(f) + " "
                        + Messages.echo(f.value()) + " and " + name(old) + where(given) + " " + Messages.echo(given.value())
                        + " are both set; " + name(old) + " is the deprecated name of " + name(setting) + ": keep "
                        + name(setting) + " alone", null);
            }
            deprecated.add(given);
            f = given;
        }
        if (f == null) {
            f = new Found(setting.defaultValue(), framework == null ? "default" : null, setting, false);
        }
        found.put(setting, f);
        Object value;
        try {
            value = f.value() == null ? null : setting.parse(f.value(), context);
        } catch (InvalidSettingException e) {
            throw e; // another parameter's, read for this one
        } catch (IllegalArgumentException e) {
            throw bad(f, e.getMessage(), null);
        }
        values.put(setting, value);
    }

    /** The value given under exactly this name, or null. */
    private Found find(Setting<?> setting) {
        if (framework != null) {
            String v = blankToNull(framework.get(setting));
            return v == null ? null : new Found(v, frameworkOrigin.apply(setting), setting, true);
        }
        String name = setting.name();
        String v = blankToNull(sources.systemProperties().apply(name));
        if (v != null) {
            return new Found(v, "system property", setting, true);
        }
        String env = setting.environmentName();
        v = blankToNull(sources.environment().apply(env));
        if (v != null) {
            return new Found(v, "environment variable " + env, setting, true);
        }
        v = blankToNull(sources.initParams().get(name));
        if (v != null) {
            return new Found(v, "init-param", setting, true);
        }
        v = blankToNull(sources.contextParams().get(name));
        return v == null ? null : new Found(v, "context-param", setting, true);
    }

    private Found found(Setting<?> setting) {
        Setting<?> s = setting.isDeprecated() ? setting.replacement() : setting;
        if (!found.containsKey(s)) {
            read(s);
        }
        return found.get(s);
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static void rejectUnknown(Map<String, String> params, String kind, List<Setting<?>> known,
                                      String listed) {
        for (String name : params.keySet()) {
            if (name.toLowerCase(Locale.ROOT).startsWith("helloretail.")
                    && known.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("unknown " + kind + " " + Messages.echo(name) + "; " + listed
                        + known.stream().filter(s -> !s.isDeprecated()).map(Setting::name)
                                .collect(Collectors.joining(", ")));
            }
        }
    }

    /**
     * The order feed's settings as init-params of the filter: they would do nothing there, and a
     * shop that put its feed's password there would believe its feed set up.
     */
    private static void rejectOrderFeedInitParams(Map<String, String> initParams) {
        for (Setting<?> setting : Parameters.ORDER_FEED) {
            if (initParams.containsKey(setting.name())) {
                throw new IllegalArgumentException(setting.name() + " (init-param) is not a parameter of the filter:"
                        + " the order feed reads it as a context-param (the library's web fragment then serves"
                        + " the feed) or as an init-param of OrderFeedServlet");
            }
        }
    }

    // Reporting.

    /** The parameter as the user wrote it: the web.xml name, or the framework's. */
    private String name(Setting<?> setting) {
        return frameworkName == null ? setting.name() : frameworkName.apply(setting);
    }

    private static String where(Found f) {
        return f.where() == null ? "" : " (" + f.where() + ")";
    }

    private InvalidSettingException bad(Found f, String problem, Throwable cause) {
        return new InvalidSettingException(f.as(), f.value(), f.where(), name(f.as()) + where(f) + " " + problem + ": "
                + (f.as().isSecret() ? "(not shown)" : Messages.echo(f.value())), cause);
    }

    /**
     * The parameter's value cannot be used (a JNDI name that names nothing): the message names
     * the parameter, where it was found, the problem and the value, as every bad value's does.
     */
    InvalidSettingException invalid(Setting<?> setting, String problem, Throwable cause) {
        return bad(found(setting), problem, cause);
    }

    /** A problem told in a message of its own, which names the parameter ({@link #named}). */
    InvalidSettingException invalidAs(Setting<?> setting, String message, Throwable cause) {
        Found f = found(setting);
        return new InvalidSettingException(f.as(), f.value(), f.where(), message, cause);
    }

    /** The parameter as the user wrote it and where it was found: {@code helloretail.orderFeedQuery (init-param)}. */
    String named(Setting<?> setting) {
        Found f = found(setting);
        return name(f.as()) + where(f);
    }

    /** The parameter as the user wrote it. */
    String nameOf(Setting<?> setting) {
        return name(setting);
    }

    /** A directory or resource the parameter names, which the tracker could not use. */
    private InvalidSettingException cannotUse(Setting<?> setting, Object used, String reason, Throwable cause) {
        Found f = found(setting);
        return new InvalidSettingException(f.as(), f.value(), f.where(), name(f.as())
                + (f.given() ? where(f) : " (not set)") + " " + Messages.echo(used) + " cannot be used: " + reason, cause);
    }

    /** Deprecated names given, one line each, for a WARN at start. */
    @Override
    public List<String> deprecations() {
        return deprecations(false);
    }

    /**
     * Those of {@link #deprecations()} given as init-params ({@code initParamsOnly}), which only
     * the filter that has them sees; the application's settings report the others.
     */
    List<String> deprecations(boolean initParamsOnly) {
        List<String> lines = new ArrayList<>();
        for (Found f : deprecated) {
            if (!initParamsOnly || "init-param".equals(f.where())) {
                Setting<?> current = f.as().replacement();
                lines.add(name(f.as()) + where(f) + " is deprecated: rename it " + name(current)
                        + ", the same setting under a name that says what it is (" + current.meaning() + ")");
            }
        }
        return lines;
    }

    /** The tracker-wide parameters, for the start-up log line; a secret is never shown. */
    String describe() {
        List<String> parts = new ArrayList<>();
        for (Setting<?> s : ALL) {
            if (s.isTrackerWide() && !s.isDeprecated()) {
                Object v = values.get(s);
                parts.add(s.name() + "=" + (v == null ? s.unset() : s.isSecret() ? "(set, not shown)" : v));
            }
        }
        return String.join(", ", parts);
    }

    /** True when these settings configure the same tracker as {@code other}: every tracker-wide parameter agrees. */
    boolean sameTracker(Settings other) {
        for (Setting<?> s : ALL) {
            if (s.isTrackerWide() && !s.isDeprecated() && !Objects.equals(values.get(s), other.values.get(s))) {
                return false;
            }
        }
        return true;
    }

    // The tracker.

    @Override
    public boolean hasOutboxDirectory() {
        return get(OUTBOX_DIRECTORY) != null;
    }

    @Override
    public boolean usesOutboxDataSource() {
        return get(OUTBOX_DATA_SOURCE) != null;
    }

    @Override
    public boolean servesOrderFeed() {
        return get(Parameters.ORDER_FEED_PASSWORD) != null;
    }

    @Override
    public boolean hasOrderFeedQuery() {
        return get(Parameters.ORDER_FEED_QUERY) != null;
    }

    @Override
    public String orderFeedPath() {
        return get(Parameters.ORDER_FEED_PATH);
    }

    @Override
    public HelloRetailTracker.Builder trackerBuilder(Path defaultOutbox, String name) {
        HelloRetailTracker.Builder builder = HelloRetailTracker.builder().name(name);
        for (Setting<?> s : ALL) {
            s.applyTo(builder, values.get(s));
        }
        if (defaultOutbox != null) {
            builder.outboxDirectory(hasOutboxDirectory() ? get(OUTBOX_DIRECTORY) : defaultOutbox);
        }
        return builder;
    }

    @Override
    public HelloRetailTracker build(HelloRetailTracker.Builder builder, Path defaultOutbox) {
        Path outbox = hasOutboxDirectory() ? get(OUTBOX_DIRECTORY) : defaultOutbox;
        try {
            return builder.build();
        } catch (UncheckedIOException e) {
            // the only I/O of a build without a DataSource is the outbox directory's
            throw cannotUse(OUTBOX_DIRECTORY, outbox, Messages.describe(e.getCause()), e);
        } catch (IllegalStateException e) {
            // the builder's only other one is a missing website UUID, which these settings required
            // before: another tracker holds the directory
            throw cannotUse(OUTBOX_DIRECTORY, outbox, e.getMessage(), e);
        }
    }

    /** What parsers and rules see of the parameters being read. */
    private final class Context implements Setting.Context {

        @Override
        public <V> V value(Setting<V> setting) {
            found(setting);
            return get(setting);
        }

        @Override
        public boolean isSet(Setting<?> setting) {
            return found(setting).given();
        }

        @Override
        public String name(Setting<?> setting) {
            return Settings.this.name(setting);
        }

        @Override
        public String where(Setting<?> setting) {
            return Settings.where(found(setting));
        }

        @Override
        public String shown(Setting<?> setting) {
            Found f = found(setting);
            if (framework != null && setting.isFrameworkFlag() || f.value() == null) {
                return "";
            }
            return " " + (setting.isSecret() ? "(not shown)" : Messages.echo(f.value()));
        }

        @Override
        public String howToSet(Setting<?> setting) {
            return framework != null ? "" : ": set it as a context-param, a system property or the environment variable "
                    + setting.environmentName();
        }

        @Override
        public InvalidSettingException invalid(Setting<?> setting, String problem) {
            return bad(found(setting), problem, null);
        }

        @Override
        public InvalidSettingException invalidAs(Setting<?> setting, String message) {
            Found f = found(setting);
            return new InvalidSettingException(f.as(), f.value(), f.where(), message, null);
        }
    }
}
