package io.github.helloretail4j.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** What a tracker does, by hand: one JSON POST to the stand-in. */
final class Post {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Post() {
    }

    static HttpResponse<String> json(URI endpoint, String path, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(endpoint.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("POST " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
