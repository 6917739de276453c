package io.github.helloretail4j.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Predicate;

/** A servlet request and response as the decision reads them: delegation only. */
final class ServletExchange implements WebExchange {
    private final HttpServletRequest request;
    /** Null when only the request is read (HelloRetailWeb). */
    private final HttpServletResponse response;

    ServletExchange(HttpServletRequest request, HttpServletResponse response) {
        this.request = request;
        this.response = response;
    }

    @Override
    public boolean isRequestDispatch() {
        return request.getDispatcherType() == DispatcherType.REQUEST;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String requestUri() {
        return request.getRequestURI();
    }

    @Override
    public String contextPath() {
        return request.getContextPath();
    }

    @Override
    public String queryString() {
        return request.getQueryString();
    }

    @Override
    public String scheme() {
        return request.getScheme();
    }

    @Override
    public String serverName() {
        return request.getServerName();
    }

    @Override
    public int serverPort() {
        return request.getServerPort();
    }

    @Override
    public String header(String name) {
        return request.getHeader(name);
    }

    @Override
    public String cookie(String name, Predicate<String> accept) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (name.equals(c.getName()) && accept.test(c.getValue())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    @Override
    public Object attribute(String name) {
        return request.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        request.setAttribute(name, value);
    }

    @Override
    public int status() {
        return response.getStatus();
    }

    @Override
    public String contentType() {
        return response.getContentType();
    }

    @Override
    public void addHeader(String name, String value) {
        response.addHeader(name, value);
    }
}
