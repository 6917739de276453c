package io.github.helloretail4j.servlet;

import static io.github.helloretail4j.servlet.Parameters.ORDER_FEED_DATA_SOURCE;
import static io.github.helloretail4j.servlet.Parameters.ORDER_FEED_PASSWORD;
import static io.github.helloretail4j.servlet.Parameters.ORDER_FEED_PATH;
import static io.github.helloretail4j.servlet.Parameters.ORDER_FEED_QUERY;
import static io.github.helloretail4j.servlet.Parameters.ORDER_FEED_USER;
import static io.github.helloretail4j.servlet.Parameters.ORDER_FEED_ZONE;

import io.github.helloretail4j.feed.OrderSource;
import io.github.helloretail4j.feed.SqlOrderSource;
import io.github.helloretail4j.internal.Messages;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the servlet layer makes the order feed from the {@code helloretail.orderFeed*} parameters
 * of the one table ({@link Parameters}): for {@code OrderFeedServlet} mapped by hand (its
 * init-params, else the context-params), for the listener that registers it from the
 * context-params, and for a framework with its own configuration. Each rule is here once: the
 * query needs a DataSource and the other way round, and the query is checked on it at start.
 * Every problem names the parameter, where it was found and the value (never the password).
 */
final class OrderFeedParameters {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.feed");

    /** Looks a name up in JNDI; the servlet layer passes the container's naming context. */
    @FunctionalInterface
    interface Naming {
        Object lookup(String name) throws javax.naming.NamingException;
    }

    /** The feed the listener registers, and where. */
    record Registration(String path, OrderFeed.Config config) {
    }

    private OrderFeedParameters() {
    }

    /**
     * For {@code OrderFeedServlet} mapped by hand: the feed's settings, the query run once on an
     * empty window to check its columns.
     *
     * @param initParams the servlet's init-params: an unknown {@code helloretail.*} one is
     *        refused (a misspelt password must not leave the feed open or closed unnoticed)
     * @throws IllegalArgumentException naming the parameter, where it was found and the value
     *         (never the password's)
     */
    static OrderFeed.Config parse(Map<String, String> initParams, Map<String, String> contextParams, Naming naming) {
        Settings settings = Settings.orderFeed(Settings.Sources.of(initParams, contextParams));
        if (settings.get(ORDER_FEED_PASSWORD) == null) {
            throw new IllegalArgumentException(ORDER_FEED_PASSWORD + " is required: the order feed is served only with"
                    + " a password; set it as an init-param of the servlet or a context-param");
        }
        return config(settings, sqlSource(settings, naming));
    }

    /**
     * For the listener: the feed its context-params configure, or null when no password is set
     * (then the feed is not served at all) or the library is switched off
     * ({@code helloretail.enabled=false}: nothing of it runs).
     *
     * @throws IllegalArgumentException naming the parameter for a bad value, and the password
     *         when there is no source to serve
     */
    static Registration forApplication(Map<String, String> contextParams, Naming naming) {
        Settings settings = Settings.orderFeed(Settings.Sources.of(Map.of(), contextParams));
        if (settings.get(ORDER_FEED_PASSWORD) == null || !settings.get(Parameters.ENABLED)) {
            return null;
        }
        if (settings.get(ORDER_FEED_DATA_SOURCE) == null && settings.get(ORDER_FEED_QUERY) == null) {
            throw settings.invalidAs(ORDER_FEED_PASSWORD, settings.named(ORDER_FEED_PASSWORD) + " is set, but the"
                    + " order feed has no orders to serve: set " + ORDER_FEED_DATA_SOURCE + " (the JNDI name of the"
                    + " shop's DataSource) and " + ORDER_FEED_QUERY + " (the SQL that reads the orders), or map"
                    + " OrderFeedServlet with the shop's own OrderSource in code", null);
        }
        return new Registration(settings.get(ORDER_FEED_PATH), config(settings, sqlSource(settings, naming)));
    }

    /** The feed over {@code source} with the settings' user, password and zone. */
    static OrderFeed.Config config(Settings settings, OrderSource source) {
        ZoneId zone = settings.get(ORDER_FEED_ZONE);
        return new OrderFeed.Config(source, settings.get(ORDER_FEED_USER), settings.get(ORDER_FEED_PASSWORD),
                zone == null ? ZoneId.systemDefault() : zone);
    }

    /** The query on the DataSource its JNDI name finds; both are required. */
    private static SqlOrderSource sqlSource(Settings settings, Naming naming) {
        String name = settings.get(ORDER_FEED_DATA_SOURCE);
        if (name == null) {
            throw new IllegalArgumentException(ORDER_FEED_DATA_SOURCE + " is required: the JNDI name of the DataSource"
                    + " the order feed's query runs on, e.g. java:comp/env/jdbc/shop");
        }
        if (settings.get(ORDER_FEED_QUERY) == null) {
            throw new IllegalArgumentException(ORDER_FEED_QUERY + " is required: the SQL that reads the orders, one"
                    + " row per order line, with the columns " + String.join(", ", SqlOrderSource.COLUMNS));
        }
        Object found;
        try {
            found = naming.lookup(name);
        } catch (javax.naming.NamingException e) {
            throw settings.invalid(ORDER_FEED_DATA_SOURCE, "cannot be looked up in JNDI (" + Messages.describe(e) + ")", e);
        }
        if (!(found instanceof DataSource dataSource)) {
            throw settings.invalid(ORDER_FEED_DATA_SOURCE, "names " + (found == null ? "null"
                    : "a " + found.getClass().getName()) + " in JNDI, not a javax.sql.DataSource", null);
        }
        return checkedSqlSource(settings, dataSource, settings.named(ORDER_FEED_DATA_SOURCE) + " " + Messages.echo(name),
                ORDER_FEED_DATA_SOURCE.name());
    }

    /**
     * The query on {@code dataSource}, run once on an empty window: a query that lacks a column
     * or that the database refuses fails now, naming the query's parameter. A database that gives
     * no connection now is logged, not fatal: it may come up after the shop, and the feed answers
     * 500 until it does.
     *
     * @param dataSourceNamed the DataSource for a message: the parameter and its value, or the framework's
     * @param dataSourceShort the same in a few words, for the log
     * @throws io.github.helloretail4j.servlet.internal.InvalidSettingException naming the query
     */
    static SqlOrderSource checkedSqlSource(Settings settings, DataSource dataSource, String dataSourceNamed,
                                           String dataSourceShort) {
        String query = Objects.requireNonNull(settings.get(ORDER_FEED_QUERY), "query");
        SqlOrderSource source;
        try {
            source = SqlOrderSource.builder().dataSource(dataSource).query(query).build();
        } catch (IllegalArgumentException e) {
            throw settings.invalid(ORDER_FEED_QUERY, "must be an SQL query (" + e.getMessage() + ")", e);
        }
        try {
            source.check();
        } catch (IllegalStateException e) {
            throw settings.invalidAs(ORDER_FEED_QUERY, settings.named(ORDER_FEED_QUERY) + " does not work on "
                    + dataSourceNamed + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            LOG.warn("order feed: {} could not be checked, {} gave no connection ({}); it runs at Hello Retail's"
                    + " next fetch", settings.nameOf(ORDER_FEED_QUERY), dataSourceShort, Messages.describe(e));
        }
        return source;
    }
}
