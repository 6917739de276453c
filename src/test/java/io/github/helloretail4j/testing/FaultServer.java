package io.github.helloretail4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on a raw loopback socket that misbehaves the way networks and proxies do:
 * resets the connection mid-answer, answers garbage, drips one byte at a time, or sends an
 * endless body. Each connection serves one request with the next scripted fault, then, when
 * the script is empty, answers like Hello Retail.
 */
public final class FaultServer implements AutoCloseable {

    public enum Fault {
        /** Headers and half a body, then a TCP reset. */
        RESET_MID_RESPONSE,
        /** Not HTTP at all. */
        GARBAGE,
        /** A 200 whose body is not JSON. */
        NOT_JSON_200,
        /** A 500 whose body is not JSON. */
        NOT_JSON_500,
        /** A 200 with an endless chunked body. */
        ENDLESS_BODY,
        /** Headers one byte every 200 ms: never silent long enough for a read timeout. */
        DRIP,
        /** Accepts and reads the request, then never answers. */
        SILENT
    }

    private final ServerSocket server;
    private final Deque<Fault> script = new ArrayDeque<>();
    private final Thread acceptor;
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger answeredOk = new AtomicInteger();
    public final AtomicLong endlessBytesWritten = new AtomicLong();
    private volatile boolean closed;

    public FaultServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fault-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/serve/");
    }

    public synchronized FaultServer then(Fault fault, int times) {
        for (int i = 0; i < times; i++) {
            script.addLast(fault);
        }
        return this;
    }

    private synchronized Fault next() {
        return script.pollFirst();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "fault-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            String path = readRequest(socket.getInputStream());
            requests.incrementAndGet();
            Fault fault = next();
            OutputStream out = socket.getOutputStream();
            if (fault == null) {
                String msg = path.endsWith("conversion") ? "Conversion tracked" : "Page view tracked";
                write(out, 200, "{\"success\":true,\"message\":\"" + msg + "\"}");
                answeredOk.incrementAndGet();
                return;
            }
            switch (fault) {
                case RESET_MID_RESPONSE -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"succ")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    socket.setSoLinger(true, 0); // close() now sends RST
                }
                case GARBAGE -> out.write("SMTP ready\r\n\u0000\u00ff\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                case NOT_JSON_200 -> {
                    write(out, 200, "<html>OK</html>");
                    answeredOk.incrementAndGet();
                }
                case NOT_JSON_500 -> write(out, 500, "<html>Internal Server Error</html>");
                case ENDLESS_BODY -> {
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    byte[] chunk = new byte[65536];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    while (!closed) {
                        out.write(head);
                        out.write(chunk);
                        out.write('\r');
                        out.write('\n');
                        endlessBytesWritten.addAndGet(chunk.length);
                    }
                }
                case DRIP -> {
                    byte[] answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                            .getBytes(StandardCharsets.ISO_8859_1);
                    for (byte b : answer) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(200);
                    }
                }
                case SILENT -> Thread.sleep(60_000);
            }
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client hung up: expected for most faults
        }
    }

    private static void write(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                + b.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    /** Reads one request (headers and a Content-Length body); returns its path. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            head.write(c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        in.readNBytes(length);
        return text.split(" ")[1];
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
