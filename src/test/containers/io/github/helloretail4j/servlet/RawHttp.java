package io.github.helloretail4j.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, so that tests can send any header a visitor can: a forged
 * {@code Host}, several cookies of one name, bytes no HTTP client library would let through.
 */
final class RawHttp {

    record Response(int status, List<String> headers, String body) {
        List<String> header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).strip()).toList();
        }
    }

    private RawHttp() {
    }

    /** Sends {@code method path} with {@code Host: 127.0.0.1:port} unless a Host header is given. */
    static Response send(int port, String method, String path, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        boolean ua = false;
        for (String h : headers) {
            host |= h.regionMatches(true, 0, "Host:", 0, 5);
            ua |= h.regionMatches(true, 0, "User-Agent:", 0, 11);
            req.append(h).append("\r\n");
        }
        if (!host) {
            req.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        if (!ua) {
            req.append("User-Agent: ").append(Visitors.BROWSER).append("\r\n");
        }
        req.append("Connection: close\r\n");
        if (method.equals("POST")) {
            req.append("Content-Length: 0\r\n");
        }
        req.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    static Response get(int port, String path, String... headers) throws IOException {
        return send(port, "GET", path, headers);
    }

    /**
     * Writes {@code request} byte for byte (any bytes: non-UTF-8, NUL, bare CR or LF), half-closes
     * the connection and reads every response until the server closes it. A request whose bytes
     * hold an empty line early is two requests to the server: then there are two responses. An
     * empty list: the server closed the connection without answering.
     *
     * @throws java.net.SocketTimeoutException when the server sends nothing for {@code timeoutMillis}
     */
    static List<Response> exchange(int port, byte[] request, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            socket.shutdownOutput();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (java.net.SocketException e) {
                // A server that rejects a request may reset the connection once it answered.
                if (all.size() == 0) {
                    return List.of();
                }
            }
            return readAll(all.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /** The status of an HTTP/0.9 answer, which has no status line: Tomcat sends one to a request line without version. */
    static final int HTTP_0_9 = 0;

    /** The responses in {@code text}, framed by Content-Length or chunked encoding. */
    private static List<Response> readAll(String text) {
        List<Response> responses = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            int end = text.indexOf("\r\n\r\n", pos);
            String head = end < 0 ? text.substring(pos) : text.substring(pos, end);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ");
            if (!lines[0].startsWith("HTTP/1.") || statusLine.length < 2) {
                // An answer to an HTTP/0.9 request line (no version): the body alone.
                responses.add(new Response(HTTP_0_9, List.of(), text.substring(pos)));
                break;
            }
            List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
            Response headOnly = new Response(Integer.parseInt(statusLine[1]), headers, "");
            int bodyStart = end < 0 ? text.length() : end + 4;
            String body;
            if (headOnly.header("Transfer-Encoding").stream().anyMatch(v -> v.equalsIgnoreCase("chunked"))) {
                StringBuilder b = new StringBuilder();
                int p = bodyStart;
                while (true) {
                    int lineEnd = text.indexOf("\r\n", p);
                    String size = text.substring(p, lineEnd);
                    int semicolon = size.indexOf(';');
                    int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
                    p = lineEnd + 2;
                    if (n == 0) {
                        int trailerEnd = text.indexOf("\r\n\r\n", p - 2);
                        p = trailerEnd < 0 ? text.length() : trailerEnd + 4;
                        break;
                    }
                    b.append(text, p, p + n);
                    p += n + 2;
                }
                body = b.toString();
                pos = p;
            } else if (!headOnly.header("Content-Length").isEmpty()) {
                int n = Integer.parseInt(headOnly.header("Content-Length").get(0));
                body = text.substring(bodyStart, Math.min(text.length(), bodyStart + n));
                pos = bodyStart + n;
            } else {
                body = text.substring(bodyStart);
                pos = text.length();
            }
            responses.add(new Response(headOnly.status(), headers, body));
        }
        return responses;
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 4);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
        return new Response(status, headers, body);
    }

    /** Common visitor header sets. */
    static final class Visitors {
        static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/126.0.0.0 Safari/537.36";

        private Visitors() {
        }
    }
}
