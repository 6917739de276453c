package io.github.helloretail4j.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** A fast loopback collector: reads the body, counts it, answers as Hello Retail does. */
public final class Sink implements AutoCloseable {
    private static final ByteBuffer PAGE_VIEW = ByteBuffer.wrap(
            "{\"success\":true,\"message\":\"Page view tracked\"}".getBytes(StandardCharsets.UTF_8));
    private static final ByteBuffer CONVERSION = ByteBuffer.wrap(
            "{\"success\":true,\"message\":\"Conversion tracked\"}".getBytes(StandardCharsets.UTF_8));

    public final LongAdder pageViews = new LongAdder();
    public final LongAdder conversions = new LongAdder();
    private final Server server = new Server();

    public Sink(int port) throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.consumeAll(request);
                boolean conversion = request.getHttpURI().getPath().endsWith("/conversion");
                (conversion ? conversions : pageViews).increment();
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, (conversion ? CONVERSION : PAGE_VIEW).slice(), callback);
                return true;
            }
        });
        server.start();
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
