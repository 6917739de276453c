package io.github.helloretail4j.servlet;

import io.github.helloretail4j.HelloRetailTracker;
import io.github.helloretail4j.servlet.internal.FrameworkSettings;
import io.github.helloretail4j.servlet.internal.FrameworkSupport;
import io.github.helloretail4j.servlet.internal.Setting;
import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
}
