package io.github.helloretail4j.database;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the run's shared {@link PostgresCluster} ({@code @ExtendWith} it and take a
 * {@code PostgresCluster} parameter). The cluster is kept in the root context's store, so JUnit
 * closes it once every test class of the run is done; the cluster's shutdown hook covers a JVM
 * that ends before that.
 */
public final class PostgresExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(PostgresExtension.class))
                .getOrComputeIfAbsent(PostgresCluster.class, k -> PostgresCluster.shared(), PostgresCluster.class);
    }
}
