package io.github.helloretail4j.spring.boot;

/**
 * A {@code helloretail.*} property that stops the application from starting; turned into one
 * sentence by {@link HelloRetailFailureAnalyzer}. The message names the property, where it was
 * found and the value.
 */
final class HelloRetailConfigurationException extends RuntimeException {

    private final String property;

    HelloRetailConfigurationException(String property, String message, Throwable cause) {
        super(message, cause);
        this.property = property;
    }

    /** The property as Boot names it: {@code helloretail.product-number-pattern}. */
    String property() {
        return property;
    }
}
