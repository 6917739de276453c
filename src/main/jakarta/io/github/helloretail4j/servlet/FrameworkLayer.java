package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.internal.FrameworkSettings;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.Setting;
import io.github.helloretail4j.feed.OrderSource;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/** The servlet layer's side of {@link FrameworkSupport}: delegation to the package-private setup. */
final class FrameworkLayer implements FrameworkSupport.Layer {

    static {
        FrameworkSupport.register(new FrameworkLayer());
    }

    private FrameworkLayer() {
    }

    @Override
    public List<Setting<?>> settings() {
        return Parameters.ALL;
    }

    @Override
    public FrameworkSettings check(Map<Setting<?>, String> values, Function<Setting<?>, String> name,
                                   Function<Setting<?>, String> origin) {
        return Settings.fromFramework(values, name, origin);
    }

    @Override
    public Runnable publish(ServletContext context, FrameworkSettings settings, HelloRetailTracker tracker) {
        return WebTracking.adopt(new ServletWebApp(context), (Settings) settings, tracker)::close;
    }

    @Override
    public Servlet orderFeed(FrameworkSettings frameworkSettings, OrderSource source, DataSource dataSource) {
        Settings settings = (Settings) frameworkSettings;
        OrderSource orders = source != null ? source
                : OrderFeedParameters.checkedSqlSource(settings, dataSource, "the application's DataSource",
                        "the application's DataSource");
        return new OrderFeedServlet(new OrderFeed(OrderFeedParameters.config(settings, orders)));
    }
}
