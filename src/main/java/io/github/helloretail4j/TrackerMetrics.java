package io.github.helloretail4j;

/**
 * A snapshot of what a {@link HelloRetailTracker} did since it was built, for page views and
 * conversions apart. Also published over JMX as
 * {@code io.github.helloretail4j:type=HelloRetailTracker,name=...}.
 */
public record TrackerMetrics(Counts pageViews, Counts conversions) {

    /**
     * Every event handed to the tracker ends in exactly one of delivered, notTracked,
     * rejected, dropped, failed and abandoned, or is still {@link #pending()}.
     *
     * @param tracked handed to the tracker
     * @param delivered recorded by Hello Retail
     * @param notTracked accepted by Hello Retail with "Not tracked for anonymous user": the
     *        event had no (or the opted-out) tracking user id, so nothing was recorded
     * @param rejected refused by Hello Retail as invalid (400); never retried
     * @param dropped not queued: the queue was full, the tracker closed, or tracking disabled
     * @param failed given up after the last retry
     * @param abandoned still undelivered when {@link HelloRetailTracker#close()} ran out of time
     * @param retries attempts beyond the first, over all events
     */
    public record Counts(long tracked, long delivered, long notTracked, long rejected, long dropped,
                         long failed, long abandoned, long retries) {

        /** Queued or being delivered. */
        public long pending() {
            return tracked - delivered - notTracked - rejected - dropped - failed - abandoned;
        }
    }
}
