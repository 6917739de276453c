package io.github.helloretail4j.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator at a constant rate, measuring latency from each request's
 * <em>intended</em> send time, as wrk2 does, so that a slow response delays the requests behind it
 * and that delay is counted (no coordinated omission).
 *
 * <p>Request {@code i} is due at {@code start + i / rate}. {@code connections} keep-alive
 * connections each own every {@code connections}-th request and a thread that sleeps until the
 * request is due, writes it, and reads the whole answer ({@code Content-Length} bodies only).
 * If the previous answer on that connection came late, the next request is sent late and its
 * latency still counts from when it was due.
 *
 * <p>Two histograms (nanoseconds): {@code latency}, from the intended send time to the last byte
 * of the answer (the headline), and {@code service}, from the actual send. Their difference at
 * low percentiles is this generator's own scheduling delay (the sleep's timer slack on Linux is
 * about 50 µs), the same for every variant measured.
 */
final class ConstantRateLoad {

    /** What one run measured. */
    record Result(Histogram latency, Histogram service, long sent, long errors, long non200, double seconds) {
    }

    private final String host;
    private final int port;
    private final byte[] request;

    ConstantRateLoad(String host, int port, String path, List<String> headers) {
        this.host = host;
        this.port = port;
        StringBuilder r = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        r.append("\r\n");
        this.request = r.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Runs for {@code seconds} at {@code rate} requests/s over {@code connections} connections. */
    Result run(double rate, int connections, double seconds) throws Exception {
        long periodPicos = Math.round(1e12 / rate);
        long total = (long) Math.floor(rate * seconds);
        long start = System.nanoTime() + 20_000_000; // everyone connected before the first is due
        List<Worker> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Worker w = new Worker(c, connections, total, start, periodPicos);
            w.connect();
            workers.add(w);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
        Histogram latency = newHistogram();
        Histogram service = newHistogram();
        long sent = 0;
        long errors = 0;
        long non200 = 0;
        for (Worker w : workers) {
            w.thread.join();
            w.close();
            latency.add(w.latency);
            service.add(w.service);
            sent += w.sent;
            errors += w.errors;
            non200 += w.non200.get();
        }
        return new Result(latency, service, sent, errors, non200, seconds);
    }

    static Histogram newHistogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    private final class Worker implements Runnable {
        final Thread thread;
        final int index;
        final int connections;
        final long total;
        final long start;
        final long periodPicos;
        final Histogram latency = newHistogram();
        final Histogram service = newHistogram();
        final AtomicLong non200 = new AtomicLong();
        long sent;
        long errors;
        Socket socket;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[16 * 1024];

        Worker(int index, int connections, long total, long start, long periodPicos) {
            this.index = index;
            this.connections = connections;
            this.total = total;
            this.start = start;
            this.periodPicos = periodPicos;
            this.thread = new Thread(this, "load-" + index);
            this.thread.setDaemon(true);
        }

        void connect() throws IOException {
            close();
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        @Override
        public void run() {
            for (long i = index; i < total; i += connections) {
                long due = start + (i * periodPicos) / 1000;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                try {
                    out.write(request);
                    out.flush();
                    int status = readResponse();
                    long done = System.nanoTime();
                    latency.recordValue(done - due);
                    service.recordValue(done - now);
                    sent++;
                    if (status != 200) {
                        non200.incrementAndGet();
                    }
                } catch (IOException e) {
                    errors++;
                    try {
                        connect();
                    } catch (IOException again) {
                        errors++;
                    }
                }
            }
        }

        /** Reads one response with a Content-Length body; returns its status. */
        private int readResponse() throws IOException {
            int n = 0;
            int headerEnd = -1;
            while (headerEnd < 0) {
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    throw new IOException("connection closed");
                }
                n += r;
                headerEnd = indexOfCrlfCrlf(buf, n);
                if (headerEnd < 0 && n == buf.length) {
                    throw new IOException("headers too long");
                }
            }
            String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(head.substring(9, 12));
            int contentLength = 0;
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    contentLength = Integer.parseInt(line.substring(15).trim());
                }
            }
            long left = contentLength - (n - headerEnd - 4);
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new IOException("connection closed in the body");
                }
                left -= r;
            }
            return status;
        }
    }

    private static int indexOfCrlfCrlf(byte[] b, int n) {
        for (int i = 0; i + 3 < n; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
