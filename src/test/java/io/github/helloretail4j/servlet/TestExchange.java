package io.github.helloretail4j.servlet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A request and response held in fields, to test the servlet-free decision without a container. */
final class TestExchange implements WebExchange {
    final Map<String, String> headers = new LinkedHashMap<>();
    final List<String[]> cookies = new ArrayList<>();
    final Map<String, Object> attributes = new HashMap<>();
    final List<String> addedHeaders = new ArrayList<>();
    String method = "GET";
    String requestUri = "/";
    String contextPath = "";
    String queryString;
    int status = 200;
    String contentType = "text/html";

    TestExchange cookie(String name, String value) {
        cookies.add(new String[] {name, value});
        return this;
    }

    @Override
    public boolean isRequestDispatch() {
        return true;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String requestUri() {
        return requestUri;
    }

    @Override
    public String contextPath() {
        return contextPath;
    }

    @Override
    public String queryString() {
        return queryString;
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String serverName() {
        return "shop.example";
    }

    @Override
    public int serverPort() {
        return 80;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public String cookie(String name, Predicate<String> accept) {
        for (String[] c : cookies) {
            if (c[0].equals(name) && accept.test(c[1])) {
                return c[1];
            }
        }
        return null;
    }

    @Override
    public Object attribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public void addHeader(String name, String value) {
        addedHeaders.add(name + ": " + value);
    }
}
