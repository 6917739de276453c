package io.github.helloretail4j;

/**
 * A snapshot of what a {@link HelloRetailTracker} did since it was built, for page views and
 * conversions apart. Also published over JMX as
 * {@code io.github.helloretail4j:type=HelloRetailTracker,name=...}.
 *
 * @param carts carts handed to {@link HelloRetailTracker#trackCart}; a visitor's cart replaced by a newer
 *        one before it was sent counts as {@code superseded}
 * @param outboxFailures operations of the conversion outbox that failed (a full disk, an I/O
 *        error): a conversion that could not be written (its {@code trackConversion} threw), an
 *        outcome or a rewrite that could not be made durable. The outbox recovers by itself once
 *        the disk works; a count that keeps rising means it does not.
 * @param conversionsInMemory conversions that {@link HelloRetailTracker#tryTrackConversion} took
 *        while the outbox could not: they wait in memory (and count as pending) until the
 *        outbox works again, and are lost if the JVM stops first
 * @param pageViewsWithoutVisitorId requests the servlet filter would have tracked as page views
 *        but for the visitor's missing {@code hello_retail_id} (no Hello Retail script on the
 *        page, and {@code helloretail.createTrackingUser} off); not handed to the tracker
 */
public record TrackerMetrics(Counts pageViews, Counts conversions, Counts carts, long outboxFailures,
                             long conversionsInMemory, long pageViewsWithoutVisitorId) {

    /**
     * Every event handed to the tracker ends in exactly one of delivered, notTracked,
     * rejected, dropped, failed, abandoned, duplicates, superseded and invalid, or is still
     * {@link #pending()}.
     * Conversions found in the outbox at start count as tracked.
     *
     * @param tracked handed to the tracker
     * @param delivered recorded by Hello Retail
     * @param notTracked accepted by Hello Retail with "Not tracked for anonymous user": the
     *        event had no (or the opted-out) tracking user id, so nothing was recorded
     * @param rejected refused by Hello Retail as invalid (400); never retried (conversions go to
     *        the dead letters)
     * @param dropped not queued: the queue was full, the tracker closed, or tracking disabled;
     *        conversions that could not be kept in the outbox nor in memory
     * @param failed page views given up after the last attempt; conversions moved to the dead
     *        letters after the maximum age
     * @param abandoned page views still undelivered when {@link HelloRetailTracker#close()} ran
     *        out of time (conversions are never abandoned: they wait on disk)
     * @param duplicates conversions whose order number was submitted before; not sent again
     * @param retries attempts beyond the first, over all events, each counted when it starts
     * @param superseded carts replaced by a newer cart of the same visitor before they were sent
     *        (only the newest cart matters to Hello Retail); always 0 for page views and conversions
     * @param invalid conversions handed to {@link HelloRetailTracker#tryTrackConversion(Conversion.Builder)}
     *        (and the servlet layer's {@code trackConversion}) that could not be built: a field was
     *        wrong, and the log names it; always 0 for page views and carts
     */
    public record Counts(long tracked, long delivered, long notTracked, long rejected, long dropped,
                         long failed, long abandoned, long duplicates, long retries, long superseded,
                         long invalid) {

        /** Queued, being delivered, or (conversions) waiting in the outbox or in memory. */
        public long pending() {
            return tracked - delivered - notTracked - rejected - dropped - failed - abandoned - duplicates - superseded
                    - invalid;
        }
    }
}
