package io.github.helloretail4j.internal;

import io.github.helloretail4j.TrackerMetrics;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a tracker's counters with the platform MBean server. A JVM can hold several
 * trackers (one per web application), so a taken name gets a numeric suffix. Registration
 * failures are logged, never fatal: monitoring must not stop a shop from starting.
 */
final class TrackerJmx implements TrackerMXBean {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.tracker");

    private final String websiteUuid;
    private final String endpoint;
    private final Supplier<TrackerMetrics> metrics;
    private ObjectName registeredAs;

    private TrackerJmx(String websiteUuid, String endpoint, Supplier<TrackerMetrics> metrics) {
        this.websiteUuid = websiteUuid;
        this.endpoint = endpoint;
        this.metrics = metrics;
    }

    /** Registers under {@code name}, or {@code name-2}, {@code name-3}... when taken. */
    static TrackerJmx register(String name, String websiteUuid, String endpoint,
                                      Supplier<TrackerMetrics> metrics) {
        TrackerJmx bean = new TrackerJmx(websiteUuid, endpoint, metrics);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int i = 1; i <= 100; i++) {
            String candidate = i == 1 ? name : name + "-" + i;
            try {
                ObjectName objectName = new ObjectName("io.github.helloretail4j:type=HelloRetailTracker,name="
                        + ObjectName.quote(candidate));
                server.registerMBean(bean, objectName);
                bean.registeredAs = objectName;
                return bean;
            } catch (InstanceAlreadyExistsException taken) {
                // try the next suffix
            } catch (JMException | RuntimeException e) {
                LOG.warn("could not publish the tracker's counters over JMX: {}", e.toString());
                return bean;
            }
        }
        LOG.warn("could not publish the tracker's counters over JMX: 100 trackers named {} exist", name);
        return bean;
    }

    /** Removes the bean, so that it does not keep a stopped web application's classes alive. */
    void unregister() {
        if (registeredAs != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredAs);
            } catch (JMException e) {
                LOG.debug("JMX bean {} was already gone", registeredAs);
            }
            registeredAs = null;
        }
    }

    @Override public String getWebsiteUuid() { return websiteUuid; }
    @Override public String getEndpoint() { return endpoint; }
    @Override public long getPageViewsTracked() { return metrics.get().pageViews().tracked(); }
    @Override public long getPageViewsDelivered() { return metrics.get().pageViews().delivered(); }
    @Override public long getPageViewsNotTracked() { return metrics.get().pageViews().notTracked(); }
    @Override public long getPageViewsRejected() { return metrics.get().pageViews().rejected(); }
    @Override public long getPageViewsDropped() { return metrics.get().pageViews().dropped(); }
    @Override public long getPageViewsFailed() { return metrics.get().pageViews().failed(); }
    @Override public long getPageViewsAbandoned() { return metrics.get().pageViews().abandoned(); }
    @Override public long getPageViewsPending() { return metrics.get().pageViews().pending(); }
    @Override public long getPageViewRetries() { return metrics.get().pageViews().retries(); }
    @Override public long getConversionsTracked() { return metrics.get().conversions().tracked(); }
    @Override public long getConversionsDelivered() { return metrics.get().conversions().delivered(); }
    @Override public long getConversionsNotTracked() { return metrics.get().conversions().notTracked(); }
    @Override public long getConversionsRejected() { return metrics.get().conversions().rejected(); }
    @Override public long getConversionsFailed() { return metrics.get().conversions().failed(); }
    @Override public long getConversionsDuplicates() { return metrics.get().conversions().duplicates(); }
    @Override public long getConversionsPending() { return metrics.get().conversions().pending(); }
    @Override public long getConversionRetries() { return metrics.get().conversions().retries(); }
    @Override public long getCartsTracked() { return metrics.get().carts().tracked(); }
    @Override public long getCartsDelivered() { return metrics.get().carts().delivered(); }
    @Override public long getCartsNotTracked() { return metrics.get().carts().notTracked(); }
    @Override public long getCartsRejected() { return metrics.get().carts().rejected(); }
    @Override public long getCartsDropped() { return metrics.get().carts().dropped(); }
    @Override public long getCartsFailed() { return metrics.get().carts().failed(); }
    @Override public long getCartsSuperseded() { return metrics.get().carts().superseded(); }
    @Override public long getCartsPending() { return metrics.get().carts().pending(); }
    @Override public long getCartRetries() { return metrics.get().carts().retries(); }
    @Override public long getOutboxFailures() { return metrics.get().outboxFailures(); }
    @Override public long getConversionsDropped() { return metrics.get().conversions().dropped(); }
    @Override public long getConversionsInvalid() { return metrics.get().conversions().invalid(); }
    @Override public long getConversionsInMemory() { return metrics.get().conversionsInMemory(); }
    @Override public long getPageViewsWithoutVisitorId() { return metrics.get().pageViewsWithoutVisitorId(); }
}
