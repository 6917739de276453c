package io.github.helloretail4j.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a bad {@code helloretail.*} property as Boot reports its own: the problem in one
 * sentence that names the property, where it came from and the value, and what to do.
 * Registered in {@code META-INF/spring.factories}.
 */
class HelloRetailFailureAnalyzer extends AbstractFailureAnalyzer<HelloRetailConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, HelloRetailConfigurationException cause) {
        String property = cause.property();
        return new FailureAnalysis(cause.getMessage(),
                "Update " + property + " in the application's configuration (application.properties or YAML, or the"
                        + " environment variable " + HelloRetailSettings.environmentName(property)
                        + "), or set helloretail.enabled=false to start without Hello Retail tracking.",
                cause);
    }
}
