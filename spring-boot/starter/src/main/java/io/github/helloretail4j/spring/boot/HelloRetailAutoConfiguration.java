package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.feed.OrderSource;
import io.github.helloretail4j.servlet.OrderFeedServlet;
import io.github.helloretail4j.servlet.PageViewFilter;
import io.github.helloretail4j.servlet.internal.FrameworkSettings;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.InvalidSettingException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
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
 *   <li>in a servlet web application with {@code helloretail.order-feed.password} set, the order
 *       feed Hello Retail fetches the shop's orders from, at {@code helloretail.order-feed.path},
 *       over the application's {@code OrderSource} bean or {@code helloretail.order-feed.query} on
 *       its DataSource;</li>
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

    /** The order feed's initializer, to replace it (or to switch the feed off with a bean of that name). */
    public static final String ORDER_FEED_BEAN = "helloRetailOrderFeed";

    /** The order feed servlet's name in the servlet context. */
    static final String ORDER_FEED_SERVLET = "helloretail-orderfeed";

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

        /**
         * The order feed at {@code helloretail.order-feed.path}, when its password is set: over
         * the application's {@link OrderSource} bean, or its query run on the application's
         * DataSource, checked now. A password without a source, or with both, fails the start
         * naming the property, as does a query that lacks a column.
         */
        @Bean(ORDER_FEED_BEAN)
        @ConditionalOnMissingBean(name = ORDER_FEED_BEAN)
        ServletContextInitializer helloRetailOrderFeed(Environment environment, HelloRetailTracker tracker,
                                                       ObjectProvider<OrderSource> orderSources,
                                                       ObjectProvider<DataSource> dataSources) {
            FrameworkSettings settings = HelloRetailSettings.check(environment, tracker.websiteUuid());
            if (!settings.servesOrderFeed()) {
                return servletContext -> { };
            }
            String password = HelloRetailSettings.property(OrderFeedServlet.PARAM_PASSWORD);
            String query = HelloRetailSettings.property(OrderFeedServlet.PARAM_QUERY);
            OrderSource source;
            try {
                source = orderSources.getIfAvailable();
            } catch (NoUniqueBeanDefinitionException e) {
                throw new HelloRetailConfigurationException(password, password
                        + HelloRetailSettings.where(environment, password) + " is set, and the application has "
                        + e.getNumberOfBeansFound() + " OrderSource beans of which none is @Primary: mark the one"
                        + " the order feed serves @Primary", e);
            }
            if (source != null && settings.hasOrderFeedQuery()) {
                throw new HelloRetailConfigurationException(query, query + HelloRetailSettings.where(environment, query)
                        + " is set, and the application has an OrderSource bean: the order feed serves one of them;"
                        + " remove the property or the bean", null);
            }
            DataSource dataSource = null;
            if (source == null) {
                if (!settings.hasOrderFeedQuery()) {
                    throw new HelloRetailConfigurationException(password, password
                            + HelloRetailSettings.where(environment, password) + " is set, but the order feed has no"
                            + " orders to serve: declare a bean of " + OrderSource.class.getName() + " over the"
                            + " shop's orders, or set " + query + " to the SQL that reads them from the application's"
                            + " DataSource", null);
                }
                dataSource = orderFeedDataSource(environment, query, dataSources);
            }
            Servlet feed;
            try {
                feed = FrameworkSupport.orderFeed(settings, source, dataSource);
            } catch (InvalidSettingException e) {
                throw HelloRetailSettings.failure(e);
            }
            String path = settings.orderFeedPath();
            String pathProperty = HelloRetailSettings.property(OrderFeedServlet.PARAM_PATH);
            LOG.info("Hello Retail order feed at {}: {}", path, source != null ? "the application's OrderSource " + source
                    : "the query " + query + " on the application's DataSource");
            return servletContext -> {
                ServletRegistration.Dynamic registration = servletContext.addServlet(ORDER_FEED_SERVLET, feed);
                if (registration == null) {
                    throw new HelloRetailConfigurationException(pathProperty, "the order feed cannot be registered:"
                            + " the application has a servlet named " + ORDER_FEED_SERVLET + " already", null);
                }
                if (!registration.addMapping(path).isEmpty()) {
                    throw new HelloRetailConfigurationException(pathProperty, pathProperty
                            + HelloRetailSettings.where(environment, pathProperty) + " \"" + path + "\" is mapped to"
                            + " another servlet of the application already; give the feed a path of its own", null);
                }
            };
        }

        private static DataSource orderFeedDataSource(Environment environment, String query,
                                                      ObjectProvider<DataSource> dataSources) {
            String where = HelloRetailSettings.where(environment, query);
            DataSource dataSource;
            try {
                dataSource = dataSources.getIfAvailable();
            } catch (NoUniqueBeanDefinitionException e) {
                throw new HelloRetailConfigurationException(query, query + where + " is set, and the application"
                        + " has " + e.getNumberOfBeansFound() + " DataSource beans of which none is @Primary: mark"
                        + " the one that holds the shop's orders @Primary", e);
            }
            if (dataSource == null) {
                throw new HelloRetailConfigurationException(query, query + where + " is set, but the application has"
                        + " no DataSource bean to run it on: declare one (spring-boot-starter-jdbc and"
                        + " spring.datasource.url, or a @Bean), or an OrderSource bean instead of the query", null);
            }
            return dataSource;
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
