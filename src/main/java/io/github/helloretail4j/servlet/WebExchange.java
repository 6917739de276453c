package io.github.helloretail4j.servlet;

import java.util.function.Predicate;

/**
 * One request and its response, as the page-view decision ({@link PageViews}) reads them. Each
 * servlet layer (jakarta, javax) implements it over its own {@code HttpServletRequest} and
 * {@code HttpServletResponse} by delegation, and decides nothing itself: so every rule exists
 * once, whatever the container.
 */
interface WebExchange {

    /** True for the visitor's own request; false for a FORWARD, INCLUDE, ERROR or ASYNC dispatch of it. */
    boolean isRequestDispatch();

    String method();

    /** The request URI as sent, still percent-encoded, without the query string. */
    String requestUri();

    /** The web application's context path ("" for the root application). */
    String contextPath();

    /** The query string as sent, or null. */
    String queryString();

    String scheme();

    String serverName();

    int serverPort();

    /** The first value of a request header, or null. */
    String header(String name);

    /** The value of the first cookie named {@code name} that {@code accept} accepts, or null. */
    String cookie(String name, Predicate<String> accept);

    Object attribute(String name);

    void setAttribute(String name, Object value);

    /** The response's status; read after the application answered. */
    int status();

    /** The response's content type, or null; read after the application answered. */
    String contentType();

    /** Adds a response header ({@code Set-Cookie}: the same header on every Servlet version). */
    void addHeader(String name, String value);
}
