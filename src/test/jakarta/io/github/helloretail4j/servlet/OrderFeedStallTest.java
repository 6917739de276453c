package io.github.helloretail4j.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.helloretail4j.database.PostgresCluster;
import io.github.helloretail4j.database.PostgresExtension;
import io.github.helloretail4j.database.ShopSchema;
import io.github.helloretail4j.feed.SqlOrderSource;
import io.github.helloretail4j.testkit.Await;
import jakarta.servlet.Servlet;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that stops reading but keeps the connection open: the feed's write blocks once the
 * socket buffers are full, and holds the database connection until the container's idle timeout
 * fails the write (Jetty's connector {@code idleTimeout}, Tomcat's {@code connectionTimeout},
 * both set to {@value #TIMEOUT_MILLIS} ms here; 30 s and 60 s by default in their embedded forms,
 * 20 s in Tomcat's shipped server.xml). Servers of their own, for the short timeouts.
 */
@ExtendWith(PostgresExtension.class)
class OrderFeedStallTest {

    private static final int TIMEOUT_MILLIS = 1000;
    private static final String PATH = "/helloretail/orderfeed";

    private final HikariDataSource pool;
    private final Servlet feed;

    OrderFeedStallTest(PostgresCluster pg) {
        this.pool = pg.pool("orderfeed-stall", 2);
        this.feed = OrderFeedServlet.builder()
                .source(SqlOrderSource.builder().dataSource(pool).query(ShopSchema.generatedQuery(100_000_000)).build())
                .password(TestOrderSources.PASSWORD).zone(ZoneId.of("UTC")).build();
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void stalledClient_onJetty_releasesTheConnectionAfterTheIdleTimeout() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(TIMEOUT_MILLIS);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(feed), PATH);
        server.setHandler(context);
        server.start();
        try {
            stall("Jetty", connector.getLocalPort());
        } finally {
            server.stop();
        }
    }

    @Test
    void stalledClient_onTomcat_releasesTheConnectionAfterTheConnectionTimeout() throws Exception {
        Path base = Files.createTempDirectory("tomcat-stall");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getConnector().setProperty("connectionTimeout", Integer.toString(TIMEOUT_MILLIS));
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "feed", feed).addMapping(PATH);
        tomcat.start();
        try {
            stall("Tomcat", tomcat.getConnector().getLocalPort());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    /** Asks for the feed, reads nothing, keeps the socket open: the connection goes back regardless. */
    private void stall(String container, int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.getOutputStream().write(("GET " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                    + TestOrderSources.AUTHORIZATION + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();
            Await.until("the feed's query running", Duration.ofSeconds(10),
                    () -> pool.getHikariPoolMXBean().getActiveConnections(), n -> n == 1);
            Await.until("the feed's connection back in the pool", Duration.ofSeconds(30),
                    () -> pool.getHikariPoolMXBean().getActiveConnections(), n -> n == 0);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("%s: connection back %d ms after a client stopped reading (timeout %d ms)%n",
                    container, millis, TIMEOUT_MILLIS);
            assertTrue(millis >= TIMEOUT_MILLIS, millis + " ms");
            assertTrue(millis < 15_000, millis + " ms");
            assertTrue(!socket.isClosed());
            assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
        }
    }
}
