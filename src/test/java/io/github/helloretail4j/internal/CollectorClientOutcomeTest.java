package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.helloretail4j.testing.FaultServer;
import io.github.helloretail4j.testing.Fixtures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Whether a request without an answer may have reached the collector: the database outbox lets
 * another node send such a conversion again only after its lease, so this must be right both
 * ways, over real sockets.
 */
class CollectorClientOutcomeTest {

    private static final byte[] BODY = "{\"orderNumber\":\"1\"}".getBytes(StandardCharsets.UTF_8);

    private static CollectorClient client(URI endpoint) {
        return new CollectorClient(endpoint, Duration.ofMillis(500), Duration.ofMillis(700), 2, "test",
                null, "outcome-test");
    }

    @Test
    void post_refusedConnection_isARetryThatCannotHaveArrived() throws Exception {
        try (CollectorClient client = client(URI.create("http://127.0.0.1:" + Fixtures.freePort() + "/serve/"))) {
            Outcome outcome = client.post("collect/conversion", BODY);
            assertEquals(Outcome.Type.RETRY, outcome.type());
            assertFalse(outcome.mayHaveArrived(), outcome.toString());
        }
    }

    @Test
    void post_collectorReadsItAndNeverAnswers_isARetryThatMayHaveArrived() throws Exception {
        try (FaultServer server = new FaultServer().then(FaultServer.Fault.SILENT, 1);
             CollectorClient client = client(server.endpoint())) {
            Outcome outcome = client.post("collect/conversion", BODY);
            assertEquals(Outcome.Type.RETRY, outcome.type());
            assertTrue(outcome.mayHaveArrived(), outcome.toString());
            assertEquals(1, server.requests.get());
        }
    }

    @Test
    void post_resetAfterTheRequest_isARetryThatMayHaveArrived() throws Exception {
        try (FaultServer server = new FaultServer().then(FaultServer.Fault.RESET_MID_RESPONSE, 1);
             CollectorClient client = client(server.endpoint())) {
            Outcome outcome = client.post("collect/conversion", BODY);
            assertEquals(Outcome.Type.RETRY, outcome.type());
            assertTrue(outcome.mayHaveArrived(), outcome.toString());
        }
    }

    @Test
    void post_answered500_isARetryKnownNotRecorded() throws Exception {
        try (FaultServer server = new FaultServer().then(FaultServer.Fault.NOT_JSON_500, 1);
             CollectorClient client = client(server.endpoint())) {
            Outcome outcome = client.post("collect/conversion", BODY);
            assertEquals(new Outcome(Outcome.Type.RETRY, 500, outcome.message(), null), outcome);
        }
    }
}
