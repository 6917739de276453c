package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.Setting;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * A misspelled {@code helloretail.*} key in one sentence, with the property it most likely
 * meant, instead of Boot's general report of unbound elements (which names the binding target
 * first). Ordered before Boot's own analyzer of the same failure; other prefixes are left to it.
 */
class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
        implements Ordered {

    /**
     * Every helloretail.* property to suggest, as the metadata lists them: the servlet layer's
     * settings but the deprecated names, and the starter's own.
     */
    static final List<String> PROPERTIES = Stream.concat(
            FrameworkSupport.settings().stream().filter(s -> s.kind() != null && !s.isDeprecated())
                    .map(Setting::frameworkName),
            Stream.of("helloretail.health.down-after")).toList();

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
        ConfigurationProperty unknown = cause.getUnboundProperties().stream()
                .filter(p -> p.getName().toString().startsWith("helloretail."))
                .min(Comparator.comparing(p -> p.getName().toString())).orElse(null);
        if (unknown == null) {
            return null;
        }
        String name = unknown.getName().toString();
        String value = unknown.getValue() == null ? "" : unknown.getValue().toString();
        String description = name + (unknown.getOrigin() == null ? "" : " (" + unknown.getOrigin() + ")")
                + " is not a Hello Retail property: \"" + value + "\""
                + (cause.getUnboundProperties().size() > 1 ? " (and " + (cause.getUnboundProperties().size() - 1)
                        + " more unknown)" : "");
        String meant = closest(name);
        return new FailureAnalysis(description, (meant == null ? "Remove it" : "Did you mean " + meant + "? Rename it")
                + ". The properties are: " + String.join(", ", PROPERTIES) + ".", cause);
    }

    /** The property within a few typing mistakes of {@code name}, or null. */
    static String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String property : PROPERTIES) {
            int d = distance(name.toLowerCase(Locale.ROOT), property);
            if (d < bestDistance) {
                bestDistance = d;
                best = property;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 5) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
