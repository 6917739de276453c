package io.github.helloretail4j.feed;

import java.time.Instant;
import java.util.stream.Stream;

/**
 * The shop's orders, as the order feed reads them: implemented by the shop over its own order
 * store, or by {@link SqlOrderSource} over a query.
 *
 * <p>Why a {@link Stream}: the feed writes each order to Hello Retail as it comes and never holds
 * the feed in memory (a feed of years of orders is asked for with {@code daysBack}), so the source
 * must hand orders out one at a time, and it must be told when the feed is done with them, whether
 * the feed was written whole, the source failed or Hello Retail stopped reading. A stream is both:
 * lazy, and {@link AutoCloseable}, with {@link Stream#onClose(Runnable)} for what to release (a
 * JDBC connection, a cursor, a file). An {@code Iterator} would need a close method of its own; a
 * callback that is handed each order could not be stopped from outside without an exception.
 *
 * <p>Contract:
 * <ul>
 * <li>the stream holds the orders placed in {@code [from, to)}, ordered by date and then by order
 *     number, so that the feed's pages are the same slices of it from one request to the next;</li>
 * <li>it is lazy: orders are read as the feed takes them, never the whole window at once (a
 *     source may start its query when {@code orders} is called);</li>
 * <li>the feed consumes it on one thread, once, and always closes it: after the last order, after
 *     an exception of the source, and when writing to Hello Retail fails (the client went away or
 *     stopped reading until the container's idle timeout). Closing releases whatever the source
 *     holds; it may come before the stream was read to its end;</li>
 * <li>an exception thrown while the stream is read aborts the feed's response, so that Hello
 *     Retail never takes a truncated feed for a complete one;</li>
 * <li>{@code orders} is called concurrently when several requests come at once.</li>
 * </ul>
 */
@FunctionalInterface
public interface OrderSource {

    /**
     * The orders placed from {@code from} (inclusive) to {@code to} (exclusive), lazily, ordered
     * by date and then by order number. The caller closes the stream.
     */
    Stream<FeedOrder> orders(Instant from, Instant to);

    /**
     * One page of {@link #orders(Instant, Instant)}: the orders after the first {@code skip}, at
     * most {@code limit} of them. The feed asks for pages this way; by default it skips through
     * the whole stream, which reads what it skips. A source that can page in its own store (an SQL
     * {@code OFFSET}/{@code LIMIT} on orders) overrides it, with the same order of orders.
     *
     * @param skip zero or more
     * @param limit one or more; {@link Long#MAX_VALUE} for all
     */
    default Stream<FeedOrder> orders(Instant from, Instant to, long skip, long limit) {
        Stream<FeedOrder> all = orders(from, to);
        // skip() and limit() close the stream they were made from, so closing the page releases it.
        return (skip == 0 ? all : all.skip(skip)).limit(limit);
    }
}
