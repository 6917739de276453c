package io.github.helloretail4j.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Conversions that will never be sent: refused by Hello Retail (400), or still undelivered
 * after the maximum age. One JSON object per line in {@value #FILE_NAME}, appended and fsynced,
 * with the time, the reason, the collector's last answer and the body as it would have been
 * sent, so that nothing is silently deleted and an operator can replay them by hand. A new
 * file's directory entry is fsynced too.
 */
final class DeadLetters {
    static final String FILE_NAME = "dead-letters.jsonl";
    private static final ObjectMapper MAPPER = Json.MAPPER;

    private final Storage storage;
    private final Path file;

    DeadLetters(Storage storage, Path directory) {
        this.storage = storage;
        this.file = directory.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    void write(Outbox.Entry entry, String reason, Outcome last, Instant now) throws IOException {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("time", now.toString());
        line.put("reason", reason);
        line.put("orderNumber", entry.orderNumber());
        line.put("trackedAt", Instant.ofEpochMilli(entry.createdAtMillis()).toString());
        if (last != null) {
            if (last.status() != 0) {
                line.put("status", last.status());
            }
            line.put("message", last.message());
        }
        line.set("body", MAPPER.readTree(entry.body()));
        Storage.appendDurably(storage, file, (MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
