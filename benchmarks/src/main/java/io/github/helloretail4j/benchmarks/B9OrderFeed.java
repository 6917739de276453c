package io.github.helloretail4j.benchmarks;

import io.github.helloretail4j.OrderLine;
import io.github.helloretail4j.feed.FeedOrder;
import io.github.helloretail4j.feed.OrderSource;
import io.github.helloretail4j.feed.SqlOrderSource;
import io.github.helloretail4j.servlet.OrderFeedServlet;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.stream.LongStream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * B9: the order feed serving a million orders (two lines each) to a client on loopback that
 * reads as fast as it can: orders per second, bytes, and the JVM's heap meanwhile. Run it with
 * a small heap ({@code -Xmx64m}): a feed held in memory would not fit (a million orders are
 * about 400 MB of JSON), so finishing at all shows that nothing holds the orders.
 *
 * <p>The source is made-up orders in memory, or, with a JDBC URL, {@link SqlOrderSource} over
 * a query that makes the rows in the database as they are read ({@code generate_series}).
 * Client and server share the JVM, so the heap figures are both's.
 *
 * <p>Usage: {@code java -Xmx64m -cp benchmarks.jar io.github.helloretail4j.benchmarks.B9OrderFeed
 * [orders] [gzip|identity] [jdbc url] [user]}.
 */
public final class B9OrderFeed {
    private static final String PASSWORD = "benchmark-feed-password";

    private B9OrderFeed() {
    }

    public static void main(String[] args) throws Exception {
        long orders = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        boolean gzip = args.length > 1 && args[1].equals("gzip");
        HikariDataSource pool = null;
        OrderSource source;
        if (args.length > 2) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(args[2]);
            config.setUsername(args.length > 3 ? args[3] : "postgres");
            config.setMaximumPoolSize(2);
            pool = new HikariDataSource(config);
            source = SqlOrderSource.builder().dataSource(pool).query(generatedQuery(orders)).build();
        } else {
            source = (from, to) -> LongStream.range(0, orders).mapToObj(i -> order(i, from.plusSeconds(i)));
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(OrderFeedServlet.builder().source(source).password(PASSWORD)
                .zone(ZoneId.of("Europe/Copenhagen")).build()), "/helloretail/orderfeed");
        server.setHandler(context);
        server.start();
        try {
            for (int round = 1; round <= 3; round++) {
                run(round, connector.getLocalPort(), gzip);
            }
        } finally {
            server.stop();
            if (pool != null) {
                pool.close();
            }
        }
    }

    private static void run(int round, int port, boolean gzip) throws Exception {
        HeapWatch heap = new HeapWatch();
        heap.start();
        long gcBefore = gcCount();
        long start = System.nanoTime();
        long bytes = 0;
        long ordersSeen = 0;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            String auth = Base64.getEncoder().encodeToString(("helloretail:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(("GET /helloretail/orderfeed?daysBack=3650 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Basic " + auth + "\r\nConnection: close\r\n"
                    + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            // Counts "},{" between orders' closing "]}" and the next "{": one per order after the first.
            int state = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes += n;
                for (int i = 0; i < n && !gzip; i++) {
                    byte b = buffer[i];
                    state = b == ']' ? 1 : state == 1 && b == '}' ? 2 : state == 2 && b == ',' ? 3 : 0;
                    if (state == 3) {
                        ordersSeen++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        heap.finish();
        System.out.printf("round %d: %s, %,d bytes%s in %.2f s: %,.0f bytes/s%s; heap used at most %.1f MB of %.1f MB max,"
                        + " %d collections%n", round, gzip ? "gzip" : "identity", bytes,
                gzip ? "" : String.format(" (%,d orders)", ordersSeen + 1), seconds, bytes / seconds,
                gzip ? "" : String.format(", %,.0f orders/s", (ordersSeen + 1) / seconds), heap.max / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6, gcCount() - gcBefore);
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** The heap's use, looked at every millisecond: its peak, garbage included. */
    private static final class HeapWatch extends Thread {
        private volatile boolean done;
        private volatile long max;

        HeapWatch() {
            super("heap-watch");
            setDaemon(true);
        }

        @Override
        public void run() {
            List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            while (!done) {
                long used = 0;
                for (MemoryPoolMXBean p : pools) {
                    used += p.getUsage().getUsed();
                }
                max = Math.max(max, used);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            done = true;
            join();
        }
    }

    private static FeedOrder order(long i, java.time.Instant date) {
        return FeedOrder.builder().orderNumber("o-" + i).date(date).total(new BigDecimal("1299.90"))
                .email("customer" + i + "@example.com").customerId("c-" + i)
                .lines(List.of(
                        OrderLine.builder().productNumber("p-" + i).url("https://shop.example/p/" + i).quantity(2)
                                .lineTotal(new BigDecimal("999.90")).build(),
                        OrderLine.builder().productNumber("q-" + i).url("https://shop.example/q/" + i).quantity(1)
                                .lineTotal(new BigDecimal("300.00")).build()))
                .build();
    }

    /** Two lines per order, made by the database as they are read; the window's ? bound and ignored. */
    private static String generatedQuery(long orders) {
        return "SELECT 'o-' || (g / 2) AS order_number, timestamptz '2020-01-01 00:00:00+00' + (g / 2) * interval"
                + " '1 second' AS order_date, 1299.90 AS total, 'customer' || (g / 2) || '@example.com' AS email,"
                + " g / 2 AS customer_id, 'p-' || g AS product_number, 'https://shop.example/p/' || g AS product_url,"
                + " 1 AS quantity, 649.95 AS line_total FROM (SELECT generate_series(0, " + (2 * orders - 1)
                + ") AS g) s WHERE ?::timestamptz IS NOT NULL AND ?::timestamptz IS NOT NULL";
    }
}
