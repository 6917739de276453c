package io.github.helloretail4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts JSON bodies to the collect API over pooled keep-alive connections and classifies the
 * answer. Blocking: it is called only from the tracker's own sender threads. It starts no
 * thread of its own (no idle-connection evictor): stale connections are re-validated after a
 * pause instead, and a failure on one is retried like any other I/O error.
 */
public final class CollectorClient implements Closeable {

    /** The collector's answers are one short JSON object; more than this is not read. */
    static final int MAX_RESPONSE_BYTES = 16 * 1024;
    private static final ContentType JSON = ContentType.create("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI endpoint;
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient http;

    public CollectorClient(URI endpoint, Duration connectTimeout, Duration responseTimeout,
                           int maxConnections, String userAgent) {
        this.endpoint = endpoint;
        this.connections = PoolingHttpClientConnectionManagerBuilder.create()
                .useSystemProperties()
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

    public URI endpoint() {
        return endpoint;
    }

    /** POSTs {@code body} to {@code path} below the endpoint. Never throws for network trouble. */
    public Outcome post(String path, byte[] body) {
        HttpPost post = new HttpPost(endpoint.resolve(path));
        post.setEntity(new ByteArrayEntity(body, JSON));
        try {
            return http.execute(post, CollectorClient::classify);
        } catch (IOException | RuntimeException e) {
            // RuntimeException too: httpclient5 signals a pool shut down by close() with
            // IllegalStateException, and a sender thread must survive anything the client throws.
            return new Outcome(Outcome.Type.RETRY, 0, describe(e), null);
        }
    }

    /**
     * Asks {@code trackingUser} for a new visitor id.
     *
     * @return the id, 24 lowercase hex characters
     * @throws IOException when the collector cannot be reached or answers anything but an id
     */
    public String createTrackingUser(byte[] body) throws IOException {
        HttpPost post = new HttpPost(endpoint.resolve("trackingUser"));
        post.setEntity(new ByteArrayEntity(body, JSON));
        try {
            return http.execute(post, response -> {
                HttpEntity entity = response.getEntity();
                byte[] bytes = new byte[0];
                if (entity != null) {
                    try (InputStream in = entity.getContent()) {
                        bytes = in == null ? bytes : in.readNBytes(MAX_RESPONSE_BYTES);
                    }
                }
                JsonNode id = response.getCode() == 200 ? MAPPER.readTree(bytes).get("id") : null;
                if (id == null || !Check.isTrackingUserId(id.asText())) {
                    throw new IOException("trackingUser answered HTTP " + response.getCode() + " without an id");
                }
                return id.asText();
            });
        } catch (RuntimeException e) {
            throw new IOException(describe(e), e);
        }
    }

    static Outcome classify(ClassicHttpResponse response) throws IOException {
        int status = response.getCode();
        String message = message(response.getEntity());
        if (status >= 200 && status < 300) {
            return new Outcome(Outcome.NOT_TRACKED_MESSAGE.equalsIgnoreCase(message)
                    ? Outcome.Type.NOT_TRACKED : Outcome.Type.DELIVERED, status, message, null);
        }
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
     * sent. Reads at most {@link #MAX_RESPONSE_BYTES}; the client discards the rest.
     */
    private static String message(HttpEntity entity) throws IOException {
        if (entity == null) {
            return "";
        }
        byte[] bytes;
        try (InputStream in = entity.getContent()) {
            bytes = in == null ? new byte[0] : in.readNBytes(MAX_RESPONSE_BYTES);
        }
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

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Closes the pool at once: in-flight requests fail, which is how close() aborts them. */
    @Override
    public void close() {
        http.close(CloseMode.IMMEDIATE);
    }
}
