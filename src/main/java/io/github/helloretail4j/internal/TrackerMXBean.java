package io.github.helloretail4j.internal;

/**
 * The tracker's counters over JMX, under
 * {@code io.github.helloretail4j:type=HelloRetailTracker,name=<name>}. See
 * {@link io.github.helloretail4j.TrackerMetrics.Counts} for what each one means.
 */
public interface TrackerMXBean {
    String getWebsiteUuid();

    String getEndpoint();

    long getPageViewsTracked();

    long getPageViewsDelivered();

    long getPageViewsNotTracked();

    long getPageViewsRejected();

    long getPageViewsDropped();

    long getPageViewsFailed();

    long getPageViewsAbandoned();

    long getPageViewsPending();

    long getPageViewRetries();

    long getConversionsTracked();

    long getConversionsDelivered();

    long getConversionsNotTracked();

    long getConversionsRejected();

    long getConversionsFailed();

    long getConversionsDuplicates();

    long getConversionsPending();

    long getConversionRetries();

    long getCartsTracked();

    long getCartsDelivered();

    long getCartsNotTracked();

    long getCartsRejected();

    long getCartsDropped();

    long getCartsFailed();

    long getCartsSuperseded();

    long getCartsPending();

    long getCartRetries();

    long getOutboxFailures();

    long getConversionsDropped();

    long getConversionsInvalid();

    long getConversionsInMemory();

    long getPageViewsWithoutVisitorId();
}
