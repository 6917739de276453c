package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.PageViewFilter;
import io.github.helloretail4j.servlet.internal.FrameworkSettings;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.InvalidSettingException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Hello Retail tracking for a Spring Boot application, from the {@code helloretail.*}
 * properties ({@link HelloRetailProperties}):
 * <ul>
 *   <li>one {@link HelloRetailTracker} bean, unless the application defines its own, adjusted
 *       by every {@link HelloRetailTrackerCustomizer} bean; closed with the application
 *       context, after the web server stopped taking requests (Boot stops it first, gracefully
 *       when {@code server.shutdown=graceful}), so the last requests' page views are still
 *       delivered;</li>
 *   <li>in a servlet web application, that tracker published as the application's
 *       ({@code HelloRetailWeb.tracker(servletContext)} returns it) and {@link PageViewFilter}
 *       registered on every request as the bean {@value #PAGE_VIEW_FILTER_BEAN}, at order
 *       {@link #PAGE_VIEW_FILTER_ORDER}; define a {@code FilterRegistrationBean} of that name to
 *       change its mapping or order;</li>
 *   <li>with Micrometer, the tracker's counters as {@code helloretail.*} meters
 *       ({@link HelloRetailMeters}); with Actuator, the health indicator {@code helloRetail}.</li>
 * </ul>
 * {@code helloretail.enabled=false} creates none of it.
 */
@AutoConfiguration
@ConditionalOnClass(HelloRetailTracker.class)
@ConditionalOnProperty(prefix = "helloretail", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(HelloRetailProperties.class)
public class HelloRetailAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.spring");

    /** The page-view filter's registration bean, to replace it. */
    public static final String PAGE_VIEW_FILTER_BEAN = "helloRetailPageViewFilter";

    /**
     * Outside every filter of Spring's and Boot's but character encoding and observation
     * (Spring Security at -100, Spring Session at {@code HIGHEST_PRECEDENCE + 50}): what they
     * answer (a redirect to a login page, a 403) is the status the filter sees, so it is not
     * counted as a page view.
     */
    public static final int PAGE_VIEW_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    /** The tracker's name: its threads are {@code helloretail4j-pageview}, {@code helloretail4j-io-1} and so on, its JMX bean this name. */
    static final String TRACKER_NAME = "helloretail4j";

    /** The tracker's bean name (this method's), for the dependency on the DataSource it keeps conversions in. */
    static final String TRACKER_BEAN = "helloRetailTracker";

    /**
     * The starter's tracker. {@code properties} is not read here (the servlet layer's table is),
     * but asked for, so that Boot binds it first and reports a malformed value or an unknown key
     * as it reports its own.
     */
    @Bean(name = TRACKER_BEAN, destroyMethod = "close")
    @ConditionalOnMissingBean
    HelloRetailTracker helloRetailTracker(HelloRetailProperties properties, Environment environment,
                                          ObjectProvider<HelloRetailTrackerCustomizer> customizers,
                                          ObjectProvider<DataSource> dataSources,
                                          ConfigurableListableBeanFactory beanFactory) {
        FrameworkSettings settings = HelloRetailSettings.check(environment, null);
        settings.deprecations().forEach(LOG::warn);
        if (settings.usesOutboxDataSource()) {
            return databaseTracker(settings, environment, customizers, dataSources, beanFactory);
        }
        Path defaultOutbox = Path.of(System.getProperty("java.io.tmpdir"), "helloretail-outbox");
        if (!settings.hasOutboxDirectory()) {
            LOG.warn("{} is not set: conversions wait for delivery in {}, which may not survive a restart and serves"
                    + " one application only; set it to a persistent directory of this application's own",
                    HelloRetailSettings.property(PageViewFilter.PARAM_OUTBOX_DIRECTORY), defaultOutbox);
        }
        HelloRetailTracker.Builder builder = settings.trackerBuilder(defaultOutbox, TRACKER_NAME);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        try {
            return settings.build(builder, defaultOutbox);
        } catch (InvalidSettingException e) {
            throw HelloRetailSettings.failure(e);
        }
    }

    /**
     * The tracker keeping conversions in the application's DataSource bean: the one Spring
     * injects where a DataSource is asked for, so the @Primary one where there are several.
     */
    private static HelloRetailTracker databaseTracker(FrameworkSettings settings, Environment environment,
                                                      ObjectProvider<HelloRetailTrackerCustomizer> customizers,
                                                      ObjectProvider<DataSource> dataSources,
                                                      ConfigurableListableBeanFactory beanFactory) {
        String property = HelloRetailSettings.property(PageViewFilter.PARAM_OUTBOX_DATA_SOURCE);
        String where = HelloRetailSettings.where(environment, property);
        DataSource dataSource;
        try {
            dataSource = dataSources.getIfAvailable();
        } catch (NoUniqueBeanDefinitionException e) {
            throw new HelloRetailConfigurationException(property, property + where + " is true, and the application"
                    + " has " + e.getNumberOfBeansFound() + " DataSource beans "
                    + (e.getBeanNamesFound() == null ? "" : e.getBeanNamesFound() + " ")
                    + "of which none is @Primary: mark the one that holds the shop's orders @Primary", e);
        }
        if (dataSource == null) {
            throw new HelloRetailConfigurationException(property, property + where + " is true, but the application"
                    + " has no DataSource bean: declare one (spring-boot-starter-jdbc and spring.datasource.url, or a"
                    + " @Bean), or remove it and keep conversions in "
                    + HelloRetailSettings.property(PageViewFilter.PARAM_OUTBOX_DIRECTORY), null);
        }
        // The tracker uses the DataSource until it has closed (close() still delivers): Spring destroys
        // dependents first only for dependencies it knows, and a lookup through ObjectProvider is none.
        Arrays.stream(beanFactory.getBeanNamesForType(DataSource.class, true, false))
                .filter(name -> beanFactory.containsSingleton(name) && beanFactory.getSingleton(name) == dataSource)
                .forEach(name -> beanFactory.registerDependentBean(name, TRACKER_BEAN));
        HelloRetailTracker.Builder builder = settings.trackerBuilder(null, TRACKER_NAME).outboxDataSource(dataSource);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        try {
            return builder.build();
        } catch (UncheckedIOException e) {
            // the only I/O of a build with a DataSource is the database's (unreachable, a table that is no outbox)
            throw new HelloRetailConfigurationException(property, property + where + " is true, but the tracker cannot"
                    + " use the application's DataSource (" + e.getMessage() + ")", e);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = {"jakarta.servlet.Filter", "org.springframework.boot.web.servlet.FilterRegistrationBean"})
    static class ServletConfiguration {

        /**
         * Publishes the tracker (the starter's or the application's own) and the filter's
         * settings in the servlet context before any filter starts, and withdraws them when the
         * context is destroyed, which Boot does when it stops the web server, before the
         * tracker closes.
         */
        @Bean
        ServletContextInitializer helloRetailServletContextInitializer(HelloRetailProperties properties,
                                                                       Environment environment,
                                                                       HelloRetailTracker tracker) {
            FrameworkSettings settings = HelloRetailSettings.check(environment, tracker.websiteUuid());
            return servletContext -> {
                Runnable withdraw = FrameworkSupport.publish(servletContext, settings, tracker);
                servletContext.addListener(new ServletContextListener() {
                    @Override
                    public void contextDestroyed(ServletContextEvent event) {
                        withdraw.run();
                    }
                });
            };
        }

        @Bean(PAGE_VIEW_FILTER_BEAN)
        @ConditionalOnMissingBean(name = PAGE_VIEW_FILTER_BEAN)
        FilterRegistrationBean<PageViewFilter> helloRetailPageViewFilter() {
            FilterRegistrationBean<PageViewFilter> registration = new FilterRegistrationBean<>(new PageViewFilter());
            registration.setName("helloretail");
            registration.addUrlPatterns("/*");
            // The filter ignores FORWARD, INCLUDE, ERROR and ASYNC passes itself and follows an
            // async request to its end; the visitor's own request is the one to map.
            registration.setDispatcherTypes(DispatcherType.REQUEST);
            registration.setAsyncSupported(true);
            registration.setOrder(PAGE_VIEW_FILTER_ORDER);
            return registration;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "helloRetailMeterBinder")
        HelloRetailMeters helloRetailMeterBinder(HelloRetailTracker tracker) {
            return new HelloRetailMeters(tracker);
        }
    }
}
