package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.Conversion;
import io.github.helloretail4j.HelloRetailTracker;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Order completion as a Spring event: a {@link Conversion} the application publishes with
 * {@code publishEvent(conversion)} is tracked by the tracker bean, with the transaction's
 * commit where there is one ({@link ConversionEvents}). Define a bean named
 * {@value #CONVERSION_EVENTS_BEAN} to replace it.
 */
@AutoConfiguration(after = HelloRetailAutoConfiguration.class)
@ConditionalOnBean(HelloRetailTracker.class)
public class HelloRetailEventsAutoConfiguration {

    /** The listener's bean name. */
    public static final String CONVERSION_EVENTS_BEAN = "helloRetailConversionEvents";

    /**
     * With {@code helloretail.outbox-data-source=true} the starter's tracker keeps conversions in
     * the application's DataSource bean (its @Primary one): a conversion published inside a
     * transaction on that DataSource is written on the transaction's connection.
     */
    @Bean(CONVERSION_EVENTS_BEAN)
    @ConditionalOnMissingBean(name = CONVERSION_EVENTS_BEAN)
    ConversionEvents helloRetailConversionEvents(HelloRetailTracker tracker, Environment environment,
                                                 ObjectProvider<DataSource> dataSources) {
        boolean inDatabase = HelloRetailSettings.check(environment, tracker.websiteUuid()).usesOutboxDataSource();
        return new ConversionEvents(tracker, inDatabase ? dataSources.getIfUnique() : null);
    }
}
