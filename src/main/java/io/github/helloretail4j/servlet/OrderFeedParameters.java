package io.github.helloretail4j.servlet;

import io.github.helloretail4j.feed.SqlOrderSource;
import io.github.helloretail4j.internal.Messages;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order feed servlet's parameters, for a shop that maps {@code OrderFeedServlet} in its
 * web.xml: read from the servlet's init-params, else the application's context-params, and
 * checked here, each problem naming the parameter, where it was found and the value.
 *
 * <p>Self-contained until the shared settings table ({@link Parameters}) takes these names over.
 *
 * <table>
 * <caption>Parameters</caption>
 * <tr><th>name</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@value #PASSWORD}</td><td>none: required</td><td>the HTTP Basic password, 8 characters or more</td></tr>
 * <tr><td>{@value #USER}</td><td>{@value #DEFAULT_USER}</td><td>the HTTP Basic user name</td></tr>
 * <tr><td>{@value #DATA_SOURCE}</td><td>none: required</td><td>JNDI name of the DataSource the query runs on</td></tr>
 * <tr><td>{@value #QUERY}</td><td>none: required</td><td>the SQL that reads the orders ({@link SqlOrderSource})</td></tr>
 * <tr><td>{@value #ZONE}</td><td>the JVM's time zone</td><td>the zone of the feed's dates and days</td></tr>
 * </table>
 */
final class OrderFeedParameters {

    static final String PASSWORD = "helloretail.orderFeedPassword";
    static final String USER = "helloretail.orderFeedUser";
    static final String DEFAULT_USER = "helloretail";
    static final String DATA_SOURCE = "helloretail.orderFeedDataSource";
    static final String QUERY = "helloretail.orderFeedQuery";
    static final String ZONE = "helloretail.orderFeedZone";
    static final List<String> NAMES = List.of(PASSWORD, USER, DATA_SOURCE, QUERY, ZONE);

    private static final Logger LOG = LoggerFactory.getLogger("io.github.helloretail4j.feed");

    /** Looks a name up in JNDI; the servlet layer passes the container's naming context. */
    @FunctionalInterface
    interface Naming {
        Object lookup(String name) throws javax.naming.NamingException;
    }

    /** A value and where it was found. */
    private record Found(String name, String value, String where) {
        String describe() {
            return name + " (" + where + ")";
        }
    }

    private final Function<String, String> initParams;
    private final Function<String, String> contextParams;

    private OrderFeedParameters(Function<String, String> initParams, Function<String, String> contextParams) {
        this.initParams = initParams;
        this.contextParams = contextParams;
    }

    /**
     * The feed's settings; the query is run once on an empty window to check its columns.
     *
     * @param initParamNames the servlet's init-param names: an unknown {@code helloretail.*} one
     *        is refused (a misspelt password must not leave the feed open or closed unnoticed)
     * @throws IllegalArgumentException naming the parameter, where it was found and the value
     *         (never the password's)
     */
    static OrderFeed.Config parse(Iterable<String> initParamNames, Function<String, String> initParams,
                                  Function<String, String> contextParams, Naming naming) {
        for (String name : initParamNames) {
            if (name.startsWith("helloretail.") && !NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown init-param " + Messages.echo(name)
                        + "; the order feed's parameters are " + String.join(", ", NAMES));
            }
        }
        return new OrderFeedParameters(initParams, contextParams).parse(naming);
    }

    private OrderFeed.Config parse(Naming naming) {
        Found password = find(PASSWORD);
        if (password == null) {
            throw new IllegalArgumentException(PASSWORD + " is required: the order feed is served only with a"
                    + " password; set it as an init-param of the servlet or a context-param");
        }
        String problem = OrderFeed.Config.passwordProblem(password.value());
        if (problem != null) {
            throw new IllegalArgumentException(password.describe() + " " + problem);
        }
        Found user = find(USER);
        problem = user == null ? null : OrderFeed.Config.userProblem(user.value());
        if (problem != null) {
            throw new IllegalArgumentException(user.describe() + " " + problem);
        }
        Found zoneName = find(ZONE);
        ZoneId zone;
        try {
            zone = zoneName == null ? ZoneId.systemDefault() : ZoneId.of(zoneName.value().strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(zoneName.describe() + " must be a time zone ID like Europe/Copenhagen"
                    + " or UTC: " + Messages.echo(zoneName.value()), e);
        }
        Found dataSourceName = find(DATA_SOURCE);
        if (dataSourceName == null) {
            throw new IllegalArgumentException(DATA_SOURCE + " is required: the JNDI name of the DataSource the order"
                    + " feed's query runs on, e.g. java:comp/env/jdbc/shop");
        }
        Found query = find(QUERY);
        if (query == null) {
            throw new IllegalArgumentException(QUERY + " is required: the SQL that reads the orders, one row per"
                    + " order line, with the columns " + String.join(", ", SqlOrderSource.COLUMNS));
        }
        DataSource dataSource = dataSource(dataSourceName, naming);
        SqlOrderSource source;
        try {
            source = SqlOrderSource.builder().dataSource(dataSource).query(query.value()).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(query.describe() + " must be an SQL query: " + Messages.echo(query.value()),
                    e);
        }
        OrderFeed.Config config = new OrderFeed.Config(source, user == null ? DEFAULT_USER : user.value(),
                password.value(), zone);
        try {
            source.check();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(query.describe() + " does not work on " + dataSourceName.describe()
                    + " " + Messages.echo(dataSourceName.value()) + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            // The database may come up after the shop: the feed answers 500 until it does.
            LOG.warn("order feed: {} could not be checked, {} gave no connection ({}); it runs at Hello Retail's"
                    + " next fetch", QUERY, DATA_SOURCE, Messages.describe(e));
        }
        return config;
    }

    private static DataSource dataSource(Found name, Naming naming) {
        Object found;
        try {
            found = naming.lookup(name.value());
        } catch (javax.naming.NamingException e) {
            throw new IllegalArgumentException(name.describe() + " cannot be looked up in JNDI (" + Messages.describe(e)
                    + "): " + Messages.echo(name.value()), e);
        }
        if (!(found instanceof DataSource dataSource)) {
            throw new IllegalArgumentException(name.describe() + " names " + (found == null ? "null"
                    : "a " + found.getClass().getName()) + " in JNDI, not a javax.sql.DataSource: "
                    + Messages.echo(name.value()));
        }
        return dataSource;
    }

    /** The init-param, else the context-param; null when neither is given (an empty value counts as not given). */
    private Found find(String name) {
        String value = initParams.apply(name);
        if (value != null && !value.isEmpty()) {
            return new Found(name, value, "init-param");
        }
        value = contextParams.apply(name);
        if (value != null && !value.isEmpty()) {
            return new Found(name, value, "context-param");
        }
        return null;
    }
}
