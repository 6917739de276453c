package io.github.helloretail4j.servlet.internal;

import io.github.helloretail4j.HelloRetailTracker;
import java.nio.file.Path;
import java.util.List;

/**
 * Not API: the {@code helloretail.*} settings a framework read from its own configuration (the
 * Spring Boot starter's properties), checked by the servlet layer as it checks {@code web.xml}
 * parameters. Made by {@link FrameworkSupport#check}.
 */
public interface FrameworkSettings {

    /** Whether an outbox directory was given. */
    boolean hasOutboxDirectory();

    /** Whether conversions wait in the framework's own DataSource ({@code outbox-data-source=true}). */
    boolean usesOutboxDataSource();

    /**
     * A tracker builder with every tracker-wide setting, as the servlet layer builds its own
     * tracker; its outbox directory the one given, else {@code defaultOutbox}; none at all when
     * {@code defaultOutbox} is null, for a tracker the caller gives a DataSource (the builder
     * refuses both).
     */
    HelloRetailTracker.Builder trackerBuilder(Path defaultOutbox, String name);

    /**
     * Builds a tracker made with {@link #trackerBuilder} and an outbox directory.
     *
     * @throws InvalidSettingException naming the outbox directory setting when the directory
     *         cannot be used (it cannot be written, another tracker holds it)
     */
    HelloRetailTracker build(HelloRetailTracker.Builder builder, Path defaultOutbox);

    /** One line for each deprecated name given, saying the name to use instead; for a WARN at start. */
    List<String> deprecations();

    /** Whether the order feed's password is set: the feed is served only then. */
    boolean servesOrderFeed();

    /** Whether the order feed's query is set, to run on the framework's DataSource. */
    boolean hasOrderFeedQuery();

    /** Where the order feed answers, in the web application. */
    String orderFeedPath();
}
