package io.github.helloretail4j.benchmarks;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

/**
 * Lightweight servlet objects for driving {@link io.github.helloretail4j.servlet.PageViewFilter}
 * outside a container (B2). Request and response extend the servlet API's own wrappers, so that
 * every method the filter calls is a plain field read on the measured path; any other method
 * reaches a proxy that throws, so a filter change that reads something new fails loudly
 * instead of being measured against a silent default.
 *
 * <p>What a container would do on top (parse the request line, headers and cookies, keep the
 * attributes) is not here: B1 measures the filter in Jetty, with all of that.
 */
final class Fakes {
    private Fakes() {
    }

    @SuppressWarnings("unchecked")
    private static <T> T unsupported(Class<T> type) {
        return (T) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            if (m.getName().equals("toString")) {
                return "unsupported " + type.getSimpleName();
            }
            throw new UnsupportedOperationException(type.getSimpleName() + "." + m.getName() + " is not faked");
        });
    }

    /** A GET of a product page by a browser, with attributes that {@link #reset()} clears. */
    static final class Request extends HttpServletRequestWrapper {
        private final String uri;
        private final String query;
        private final String[] headerNames;
        private final String[] headerValues;
        private final Cookie[] cookies;
        private final Map<String, Object> attributes = new HashMap<>(8);

        Request(String uri, String query, Map<String, String> headers, Cookie... cookies) {
            super(unsupported(HttpServletRequest.class));
            this.uri = uri;
            this.query = query;
            this.headerNames = headers.keySet().toArray(new String[0]);
            this.headerValues = headers.values().toArray(new String[0]);
            this.cookies = cookies;
        }

        /** Forget the attributes, as a new request would start without them. */
        void reset() {
            attributes.clear();
        }

        @Override
        public DispatcherType getDispatcherType() {
            return DispatcherType.REQUEST;
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.get(name);
        }

        @Override
        public void setAttribute(String name, Object o) {
            attributes.put(name, o);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.remove(name);
        }

        @Override
        public String getMethod() {
            return "GET";
        }

        @Override
        public String getRequestURI() {
            return uri;
        }

        @Override
        public String getContextPath() {
            return "";
        }

        @Override
        public String getQueryString() {
            return query;
        }

        @Override
        public String getScheme() {
            return "https";
        }

        @Override
        public String getServerName() {
            return "shop.example";
        }

        @Override
        public int getServerPort() {
            return 443;
        }

        /** Case-insensitive, as a container's header lookup is; no allocation. */
        @Override
        public String getHeader(String name) {
            for (int i = 0; i < headerNames.length; i++) {
                if (headerNames[i].equalsIgnoreCase(name)) {
                    return headerValues[i];
                }
            }
            return null;
        }

        @Override
        public Cookie[] getCookies() {
            return cookies;
        }

        @Override
        public boolean isAsyncStarted() {
            return false;
        }
    }

    /** A response the shop's code has answered with 200 and text/html. */
    static final class Response extends HttpServletResponseWrapper {
        private final int status;
        private final String contentType;

        Response(int status, String contentType) {
            super(unsupported(HttpServletResponse.class));
            this.status = status;
            this.contentType = contentType;
        }

        @Override
        public int getStatus() {
            return status;
        }

        @Override
        public String getContentType() {
            return contentType;
        }

        @Override
        public void addCookie(Cookie cookie) {
        }
    }

    /** A filter config and its servlet context with these parameters; only what init() needs. */
    static FilterConfig filterConfig(String contextPath, Map<String, String> contextParams) {
        Map<String, Object> attributes = new HashMap<>();
        ServletContext context = (ServletContext) Proxy.newProxyInstance(Fakes.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "getInitParameterNames" -> Collections.enumeration(contextParams.keySet());
                    case "getInitParameter" -> contextParams.get((String) a[0]);
                    case "getAttribute" -> attributes.get((String) a[0]);
                    case "setAttribute" -> attributes.put((String) a[0], a[1]);
                    case "removeAttribute" -> attributes.remove((String) a[0]);
                    case "getContextPath" -> contextPath;
                    case "getServletContextName" -> "b2";
                    case "toString" -> "fake context " + contextPath;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException("ServletContext." + m.getName() + " is not faked");
                });
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "helloretail";
            }

            @Override
            public ServletContext getServletContext() {
                return context;
            }

            @Override
            public String getInitParameter(String name) {
                return null;
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.emptyEnumeration();
            }
        };
    }
}
