package io.github.helloretail4j.servlet;

import jakarta.servlet.ServletContext;
import java.io.File;
import java.util.Map;

/** A servlet context as {@link WebTracking} needs it: delegation only. */
record ServletWebApp(ServletContext context) implements WebApp {

    @Override
    public String contextPath() {
        return context.getContextPath();
    }

    @Override
    public Object attribute(String name) {
        return context.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        context.setAttribute(name, value);
    }

    @Override
    public void removeAttribute(String name) {
        context.removeAttribute(name);
    }

    @Override
    public File tempDirectory() {
        return context.getAttribute(ServletContext.TEMPDIR) instanceof File f ? f : null;
    }

    @Override
    public Map<String, String> initParameters() {
        return WebTracking.params(context.getInitParameterNames(), context::getInitParameter);
    }
}
