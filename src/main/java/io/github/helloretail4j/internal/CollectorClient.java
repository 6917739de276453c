package io.github.helloretail4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts JSON bodies to the collect API over pooled keep-alive connections and classifies the
 * answer. Blocking: it is called only from the tracker's own sender threads.
 *
 * <p>Every request has a hard deadline (connect timeout + response timeout), enforced by one
 * lazily started watchdog thread that aborts the request: a socket read timeout alone lets a
 * collector that drips one byte at a time hold a sender forever. At most
 * {@value #MAX_RESPONSE_BYTES} bytes of an answer are read; a longer one is cut off with its
 * connection rather than drained. There is no idle-connection evictor thread: stale
 * connections are re-validated after a pause, and a failure on one is retried like any other
 * I/O error.
 *
 * <p>TLS: certificates and host names are always verified, against the JVM's trust store or an
 * explicitly given one. There is no way to trust everything.
 */
final class CollectorClient implements Closeable {

    /** The collector's answers are one short JSON object; more than this is not read. */
    static final int MAX_RESPONSE_BYTES = 16 * 1024;
    private static final ContentType JSON = ContentType.create("application/json");
    private static final ObjectMapper MAPPER = Json.MAPPER;

    private final URI endpoint;
    private final HttpHost host;
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient http;
    private final long deadlineMillis;
    private final Watchdog watchdog;
    private final Map<String, URI> uris = new ConcurrentHashMap<>();

    /**
     * @param trustStore the certificates to trust for https, or null for the JVM's own
     * @param name prefix of the watchdog thread's name
     */
    CollectorClient(URI endpoint, Duration connectTimeout, Duration responseTimeout,
                           int maxConnections, String userAgent, KeyStore trustStore, String name) {
        this.endpoint = endpoint;
        this.host = HttpHost.create(endpoint);
        this.deadlineMillis = connectTimeout.plus(responseTimeout).toMillis();
        this.watchdog = new Watchdog(name + "-watchdog", deadlineMillis);
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create();
        if (trustStore == null) {
            pool.useSystemProperties();
        } else {
            pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(sslContext(trustStore)));
        }
        this.connections = pool
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(responseTimeout))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .build();
        this.http = HttpClients.custom()
                .useSystemProperties()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(connectTimeout))
                        .setResponseTimeout(Timeout.of(responseTimeout))
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(userAgent)
                .build();
    }

    URI endpoint() {
        return endpoint;
    }

    /** POSTs {@code body} to {@code path} below the endpoint. Never throws for network trouble. */
    Outcome post(String path, byte[] body) {
        HttpPost post = new HttpPost(uris.computeIfAbsent(path, endpoint::resolve));
        post.setEntity(new ByteArrayEntity(body, JSON));
        Watchdog.Watch watch = watchdog.watch(post);
        ClassicHttpResponse response = null;
        try {
            response = http.execute(host, post, (HttpContext) null);
            return classify(response, post);
        } catch (IOException | RuntimeException e) {
            // RuntimeException too: httpclient5 signals a pool shut down by close() with
            // IllegalStateException, and a sender thread must survive anything the client throws.
            return new Outcome(Outcome.Type.RETRY, 0, watch.fired
                    ? "no complete answer within " + deadlineMillis + " ms (" + Check.describe(e) + ")" : Check.describe(e), null);
        } finally {
            watchdog.done(watch);
            closeQuietly(response);
        }
    }

    /** The answer is already read: failing to close an aborted response changes nothing. */
    private static void closeQuietly(ClassicHttpResponse response) {
        if (response != null) {
            try {
                response.close();
            } catch (IOException | RuntimeException ignored) {
                // the connection is discarded either way
            }
        }
    }

    /**
     * Asks {@code trackingUser} for a new visitor id.
     *
     * @return the id, 24 lowercase hex characters
     * @throws IOException when the collector cannot be reached or answers anything but an id
     */
    String createTrackingUser(byte[] body) throws IOException {
        HttpPost post = new HttpPost(uris.computeIfAbsent("trackingUser", endpoint::resolve));
        post.setEntity(new ByteArrayEntity(body, JSON));
        Watchdog.Watch watch = watchdog.watch(post);
        ClassicHttpResponse response = null;
        try {
            response = http.execute(host, post, (HttpContext) null);
            byte[] bytes = readCapped(response.getEntity(), post);
            JsonNode id = response.getCode() == 200 ? MAPPER.readTree(bytes).get("id") : null;
            if (id == null) {
                throw new IOException("trackingUser answered HTTP " + response.getCode() + " without an id: "
                        + Check.echo(message(bytes)));
            }
            if (!Check.isTrackingUserId(id.asText())) {
                throw new IOException("trackingUser answered an id that is not 24 lowercase hex characters: "
                        + Check.echo(id.asText()));
            }
            return id.asText();
        } catch (RuntimeException e) {
            throw new IOException(Check.describe(e), e);
        } finally {
            watchdog.done(watch);
            closeQuietly(response);
        }
    }

    static Outcome classify(ClassicHttpResponse response, HttpPost post) throws IOException {
        int status = response.getCode();
        byte[] bytes = readCapped(response.getEntity(), post);
        if (status >= 200 && status < 300) {
            // The one 2xx that matters is "Not tracked for anonymous user"; finding it needs no
            // JSON parser, which would cost the sender more than the rest of the answer does.
            return indexOf(bytes, NOT_TRACKED_BYTES) >= 0
                    ? new Outcome(Outcome.Type.NOT_TRACKED, status, Outcome.NOT_TRACKED_MESSAGE, null)
                    : new Outcome(Outcome.Type.DELIVERED, status, "", null);
        }
        String message = message(bytes);
        if (status >= 500 || status == 408 || status == 425 || status == 429) {
            Header retryAfter = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
            return new Outcome(Outcome.Type.RETRY, status, message,
                    RetryPolicy.parseRetryAfter(retryAfter == null ? null : retryAfter.getValue(), Instant.now()));
        }
        if (status >= 300 && status < 400) {
            Header location = response.getFirstHeader(HttpHeaders.LOCATION);
            message = "redirect to " + (location == null ? "nowhere" : Check.echo(location.getValue()))
                    + "; is helloretail.endpoint right?";
        }
        return new Outcome(Outcome.Type.REJECTED, status, message, null);
    }

    /**
     * The {@code message} of the collector's JSON answer, or the start of whatever else it
     * sent.
     */
    private static String message(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (IOException notJson) {
            // fall through: report the raw start of the body
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /**
     * At most {@link #MAX_RESPONSE_BYTES} of the answer. When there is more, the request is
     * aborted so that closing the response drops the connection instead of reading on.
     */
    private static byte[] readCapped(HttpEntity entity, HttpPost post) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        InputStream in = entity.getContent();
        if (in == null) {
            return new byte[0];
        }
        byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES);
        if (bytes.length == MAX_RESPONSE_BYTES && in.read() >= 0) {
            post.cancel();
        } else {
            in.close(); // at the end: the connection goes back to the pool
        }
        return bytes;
    }

    private static final byte[] NOT_TRACKED_BYTES = Outcome.NOT_TRACKED_MESSAGE.getBytes(StandardCharsets.US_ASCII);

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static SSLContext sslContext(KeyStore trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trustStore cannot be used: " + e.getMessage(), e);
        }
    }

    /** Closes the pool at once: in-flight requests fail, which is how close() aborts them. */
    @Override
    public void close() {
        close(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    }

    /** Closes the pool at once, and waits for the watchdog thread until {@code deadlineNanos}. */
    void close(long deadlineNanos) {
        http.close(CloseMode.IMMEDIATE);
        watchdog.close(deadlineNanos);
    }
}
