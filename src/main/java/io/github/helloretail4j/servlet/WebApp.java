package io.github.helloretail4j.servlet;

import java.io.File;
import java.util.Map;

/**
 * A web application, as {@link WebTracking} needs it: where to keep the application's tracker,
 * its context-params and its temp directory. Each servlet layer implements it over its own
 * {@code ServletContext}.
 */
interface WebApp {

    /** "" for the root application. */
    String contextPath();

    Object attribute(String name);

    void setAttribute(String name, Object value);

    void removeAttribute(String name);

    /** The container's temp directory for this application (the context's tempdir attribute), or null. */
    File tempDirectory();

    /** The context-params. */
    Map<String, String> initParameters();
}
