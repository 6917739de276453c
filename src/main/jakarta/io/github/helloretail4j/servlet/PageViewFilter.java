package io.github.helloretail4j.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Tracks every page a visitor really sees and sends it to Hello Retail as a page view.
 *
 * <p>The decision is taken after the rest of the chain ran, when the status, the content type
 * and the shop's request attributes are known. <b>Tracked:</b> a GET answered with 2xx and
 * {@code text/html}, from a visitor with a valid {@code hello_retail_id} cookie (or one the
 * filter just gave them). <b>Not tracked:</b> other methods and HEAD; errors and redirects;
 * other content types; paths in {@code helloretail.excludePaths}; requests with the
 * {@code helloretail.skip} attribute; bots, crawlers, previewers and HTTP libraries (by user
 * agent); prefetch and prerender; XHR and other non-document fetches; visitors without consent
 * when {@code helloretail.consentCookie} is set; {@code Sec-GPC: 1} when
 * {@code helloretail.honorGlobalPrivacyControl} is on; and every FORWARD, INCLUDE, ERROR or
 * ASYNC pass, so that one visitor request gives at most one page view.
 *
 * <p>The request thread only builds the event and queues it. The filter never throws into the
 * shop, and the shop's own exceptions pass through unchanged (and are not tracked).
 *
 * <h2>Parameters</h2>
 * Read, first found wins, from a system property, an environment variable
 * ({@code HELLORETAIL_WEBSITE_UUID}), the filter's init-param, the context-param; see the
 * {@code PARAM_*} constants and their {@code DEFAULT_*}. An unknown {@code helloretail.*}
 * parameter or a bad value fails the deployment with a message naming it.
 *
 * <h2>Request attributes</h2>
 * {@value #ATTRIBUTE_PRODUCT_NUMBER} (the product shown; wins over the pattern and the
 * parameter), {@value #ATTRIBUTE_CANONICAL_URL} (sent as {@code url}), {@value #ATTRIBUTE_SKIP}
 * ({@code Boolean.TRUE}: do not track).
 */
public final class PageViewFilter extends Parameters implements Filter {

    // Only translates between the servlet API and the servlet-free decision (PageViews): decide
    // nothing here. The javax build compiles this very file, with the servlet package replaced.
    private PageViews pageViews;

    @Override
    public void init(FilterConfig config) throws ServletException {
        try {
            pageViews = PageViews.start(new ServletWebApp(config.getServletContext()), config.getFilterName(),
                    WebTracking.params(config.getInitParameterNames(), config::getInitParameter));
        } catch (RuntimeException e) {
            throw new ServletException("Hello Retail's PageViewFilter cannot start: " + e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        ServletExchange exchange = new ServletExchange(request, response);
        PageViews.Visit visit = pageViews.begin(exchange);
        // The shop's exceptions pass through as they are; a failed request is not a page view.
        chain.doFilter(request, response);
        if (visit == null) {
            return;
        }
        try {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new Completion(pageViews, visit, exchange));
            } else {
                pageViews.finish(visit, exchange);
            }
        } catch (RuntimeException e) {
            pageViews.failed(e);
        }
    }

    /** Decides an async request when it completes; follows it into a new async cycle. */
    private record Completion(PageViews pageViews, PageViews.Visit visit, ServletExchange exchange)
            implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            pageViews.finish(visit, exchange);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    @Override
    public void destroy() {
        if (pageViews != null) {
            pageViews.close();
            pageViews = null;
        }
    }
}
