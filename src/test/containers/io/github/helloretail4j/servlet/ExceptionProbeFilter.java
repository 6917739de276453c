package io.github.helloretail4j.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Declared before PageViewFilter: records what the rest of the chain threw, then rethrows it. */
public class ExceptionProbeFilter implements Filter {
    static final List<Throwable> SEEN = new CopyOnWriteArrayList<>();

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        try {
            chain.doFilter(req, res);
        } catch (IOException | ServletException | RuntimeException e) {
            SEEN.add(e);
            throw e;
        }
    }
}
