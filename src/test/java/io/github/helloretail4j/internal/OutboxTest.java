package io.github.helloretail4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
    private final FaultyStorage storage = new FaultyStorage();

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private FileOutbox open() throws IOException {
        return FileOutbox.open(storage, dir, clock, Duration.ofDays(30), 1000);
    }

    /** A conversion body; shared with {@link FileOutboxFaultTest}. */
    static byte[] body(String order) {
        return ("{\"orderNumber\":\"" + order + "\",\"total\":1}").getBytes(StandardCharsets.UTF_8);
    }

    /** The order numbers waiting, oldest first, as the conversion thread would take them. */
    static List<String> pendingOrders(FileOutbox outbox) {
        List<String> orders = new ArrayList<>();
        long cursor = 0;
        Outbox.Entry e;
        while ((e = outbox.next(cursor)) != null && e.id() > cursor) {
            orders.add(e.orderNumber());
            cursor = e.id();
        }
        return orders;
    }

    private List<String> appendAll(FileOutbox outbox, int from, int to) throws IOException {
        List<String> orders = new ArrayList<>();
        for (int i = from; i < to; i++) {
            assertEquals(Outbox.Added.ACCEPTED, outbox.add("o-" + i, body("o-" + i)));
            orders.add("o-" + i);
        }
        return orders;
    }

    @Test
    void open_newDirectory_isPrivateToItsOwner() throws IOException {
        Path fresh = dir.resolve("new/outbox");
        try (FileOutbox outbox = FileOutbox.open(storage, fresh, clock, Duration.ofDays(30), 10)) {
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(fresh)));
        }
    }

    @Test
    void append_reopen_replaysPendingInOrderWithTheirBodies() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 5);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-1", "o-2", "o-3", "o-4"), pendingOrders(outbox));
            assertEquals(5, outbox.recovered());
            assertEquals("{\"orderNumber\":\"o-3\",\"total\":1}",
                    new String(outbox.next(3).body(), StandardCharsets.UTF_8));
            assertEquals(List.of(), outbox.recoveryProblems());
        }
    }

    @Test
    void append_recordLargerThanTheReaderTakes_isRefused_andNothingIsWritten() throws IOException {
        try (FileOutbox outbox = open()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> outbox.add("big-1", new byte[OutboxLog.MAX_RECORD]));
            assertTrue(e.getMessage().startsWith("conversion \"big-1\" is "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" bytes as JSON; the outbox takes at most " + OutboxLog.MAX_RECORD),
                    e.getMessage());
            assertEquals(0, outbox.pending());
            appendAll(outbox, 0, 1);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0"), pendingOrders(outbox));
            assertEquals(List.of(), outbox.recoveryProblems());
        }
    }

    @Test
    void addMinusSeenBytes_isWhatTheTwoRecordsDiffer_lessTheBody() {
        for (String order : List.of("o", "110-2347", "ørdre-ü")) {
            byte[] body = body(order);
            Outbox.Entry entry = new Outbox.Entry(7, 1_700_000_000_000L, order, body, null);
            assertEquals(OutboxLog.add(entry.id(), entry.createdAtMillis(), order, body).length - OutboxLog.seen(order, entry.createdAtMillis()).length,
                    OutboxLog.ADD_MINUS_SEEN_BYTES + body.length, order);
        }
    }

    @Test
    void done_removes_andSurvivesReopen() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 4);
            outbox.delivered(outbox.next(0), Outbox.Fate.DELIVERED);
            outbox.deadLetter(outbox.next(2), "rejected", null, clock.instant());
            assertEquals(List.of("o-1", "o-3"), pendingOrders(outbox));
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-1", "o-3"), pendingOrders(outbox));
        }
    }

    @Test
    void take_handsOutNoneTwice_untilSettledFailedOrReleased_andWrapsAround() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 5);
            List<Outbox.Entry> first = outbox.take(outbox.next(0).id() + 1, 3); // after o-1
            assertEquals(List.of("o-2", "o-3", "o-4"), first.stream().map(Outbox.Entry::orderNumber).toList());
            assertEquals(List.of("o-0", "o-1"),
                    outbox.take(first.get(2).id(), 5).stream().map(Outbox.Entry::orderNumber).toList(),
                    "after the newest the oldest, never one that is out");
            assertEquals(List.of(), outbox.take(0, 5));
            outbox.failedAttempt(first.get(0), new Outcome(Outcome.Type.RETRY, 503, "busy", null));
            outbox.release(first.get(1));
            List<Outbox.Entry> again = outbox.take(0, 5);
            assertEquals(List.of("o-2", "o-3"), again.stream().map(Outbox.Entry::orderNumber).toList());
            assertEquals("busy", again.get(0).lastFailure().message());
            assertEquals(5, outbox.pending(), "out is still waiting");
        }
    }

    @Test
    void deliveredBatch_removesEach_inOneWrite_andSurvivesReopen() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 5);
            List<Outbox.Entry> out = outbox.take(0, 3);
            long before = Files.size(dir.resolve(OutboxLog.NAME));
            outbox.delivered(List.of(new Outbox.Done(out.get(0), Outbox.Fate.DELIVERED),
                    new Outbox.Done(out.get(2), Outbox.Fate.NOT_TRACKED)));
            assertEquals(before + 2 * OutboxLog.done(1, OutboxLog.DELIVERED).length,
                    Files.size(dir.resolve(OutboxLog.NAME)));
            assertEquals(List.of("o-1", "o-3", "o-4"), pendingOrders(outbox));
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-1", "o-3", "o-4"), pendingOrders(outbox));
        }
    }

    @Test
    void nextAfter_wrapsAroundToTheOldest() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 3);
            assertEquals("o-1", outbox.next(1).orderNumber());
            assertEquals("o-0", outbox.next(3).orderNumber());
        }
    }

    @Test
    void append_sameOrderNumber_isDuplicate_alsoAfterDeliveryAndReopen() throws IOException {
        try (FileOutbox outbox = open()) {
            outbox.add("o-1", body("o-1"));
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-1", body("o-1")));
            outbox.delivered(outbox.next(0), Outbox.Fate.DELIVERED);
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-1", body("o-1")));
        }
        try (FileOutbox outbox = open()) {
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-1", body("o-1")));
            assertEquals(List.of(), pendingOrders(outbox));
        }
    }

    @Test
    void orderMemory_isBoundedByTimeAndCount() throws IOException {
        try (FileOutbox outbox = FileOutbox.open(storage, dir, clock, Duration.ofDays(30), 3)) {
            appendAll(outbox, 0, 4); // o-0 is pushed out by the count bound
            assertEquals(Outbox.Added.ACCEPTED, outbox.add("o-0", body("o-0")));
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-3", body("o-3")));
            clock.now = clock.now.plus(Duration.ofDays(31));
            assertEquals(Outbox.Added.ACCEPTED, outbox.add("o-3", body("o-3")));
        }
    }

    @Test
    void compaction_shrinksTheLog_keepingPendingAndOrderMemory() throws IOException {
        long before;
        try (FileOutbox outbox = FileOutbox.open(storage, dir, clock, Duration.ofDays(30), 100_000)) {
            byte[] big = new byte[600];
            java.util.Arrays.fill(big, (byte) 'x');
            for (int i = 0; i < 4000; i++) {
                outbox.add("o-" + i, big);
            }
            before = Files.size(dir.resolve(OutboxLog.NAME));
            assertTrue(before > 2_000_000, "log is " + before + " bytes");
            for (int i = 0; i < 3990; i++) {
                outbox.delivered(outbox.next(0), Outbox.Fate.DELIVERED);
            }
            assertEquals(10, outbox.pending());
        }
        long after = Files.size(dir.resolve(OutboxLog.NAME));
        assertTrue(after < before / 4, "compacted from " + before + " to " + after + " bytes");
        try (FileOutbox outbox = FileOutbox.open(storage, dir, clock, Duration.ofDays(30), 100_000)) {
            assertEquals(10, outbox.pending());
            assertEquals("o-3990", outbox.next(0).orderNumber());
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-17", body("o-17")), "delivered, still remembered");
            assertEquals(List.of(), outbox.recoveryProblems());
        }
    }

    @Test
    void tornTail_atEveryCutInTheLastRecord_keepsAllRecordsBeforeIt() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 3);
        }
        Path log = dir.resolve(OutboxLog.NAME);
        byte[] whole = Files.readAllBytes(log);
        int lastRecord = whole.length - OutboxLog.add(3, 0, "o-2", body("o-2")).length;
        for (int cut = lastRecord + 1; cut < whole.length; cut++) {
            Files.write(log, java.util.Arrays.copyOf(whole, cut));
            try (FileOutbox outbox = open()) {
                assertEquals(List.of("o-0", "o-1"), pendingOrders(outbox), "cut at " + cut);
                assertEquals(1, outbox.recoveryProblems().size());
                assertTrue(outbox.recoveryProblems().get(0).contains("torn or corrupt tail of " + (cut - lastRecord)
                        + " bytes at offset " + lastRecord), outbox.recoveryProblems().get(0));
            }
            // the damaged tail is gone: the file reads clean now
            try (FileOutbox outbox = open()) {
                assertEquals(List.of(), outbox.recoveryProblems());
                assertEquals(List.of("o-0", "o-1"), pendingOrders(outbox));
            }
        }
    }

    @Test
    void corruptRecordInTheMiddle_isSkipped_andTheRestKept() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 5);
        }
        Path log = dir.resolve(OutboxLog.NAME);
        byte[] bytes = Files.readAllBytes(log);
        int recordSize = OutboxLog.add(1, 0, "o-0", body("o-0")).length;
        int third = OutboxLog.HEADER_SIZE + 2 * recordSize;
        bytes[third + 30] ^= 0x40; // a flipped bit in o-2's payload
        Files.write(log, bytes);
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-1", "o-3", "o-4"), pendingOrders(outbox));
            assertEquals(List.of("outbox file " + log + ": " + recordSize + " corrupt bytes at offset " + third
                    + " skipped; reading went on at offset " + (third + recordSize)), outbox.recoveryProblems());
        }
    }

    @Test
    void corruptLengthField_isResynchronisedPast() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 4);
        }
        Path log = dir.resolve(OutboxLog.NAME);
        byte[] bytes = Files.readAllBytes(log);
        int recordSize = OutboxLog.add(1, 0, "o-0", body("o-0")).length;
        int second = OutboxLog.HEADER_SIZE + recordSize;
        ByteBuffer.wrap(bytes).putInt(second, 0x7fffffff);
        Files.write(log, bytes);
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-2", "o-3"), pendingOrders(outbox));
            assertEquals(1, outbox.recoveryProblems().size());
        }
    }

    @Test
    void tornHeader_startsAnew() throws IOException {
        Files.write(dir.resolve(OutboxLog.NAME), new byte[] {'H', 'R', '4'});
        try (FileOutbox outbox = open()) {
            assertTrue(outbox.recoveryProblems().get(0).contains("has a torn header of 3 bytes; started anew"));
            outbox.add("o-1", body("o-1"));
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-1"), pendingOrders(outbox));
        }
    }

    @Test
    void foreignFile_isRefusedWithWhatWasFound() throws IOException {
        Path log = dir.resolve(OutboxLog.NAME);
        Files.writeString(log, "this is somebody's notes file");
        var e = assertThrows(IOException.class, this::open);
        assertEquals("outbox file " + log + " is not a helloretail4j outbox: expected magic HR4JOUTB, found"
                + " \"this is \"", e.getMessage());
    }

    @Test
    void newerFormatVersion_isRefused() throws IOException {
        Path log = dir.resolve(OutboxLog.NAME);
        Files.write(log, ByteBuffer.allocate(16).put(OutboxLog.MAGIC).putInt(2).putInt(0).array());
        var e = assertThrows(IOException.class, this::open);
        assertEquals("outbox file " + log + " has format version 2; this helloretail4j reads version 1", e.getMessage());
    }

    @Test
    void fullDisk_appendThrows_andNothingAcknowledgedIsLost() throws IOException {
        try (FileOutbox outbox = open()) {
            appendAll(outbox, 0, 3);
            storage.diskFull = true;
            var e = assertThrows(IOException.class, () -> outbox.add("o-3", body("o-3")));
            assertEquals("No space left on device", e.getMessage());
            storage.diskFull = false;
            // the failed order was not taken: it can be submitted again
            assertEquals(Outbox.Added.ACCEPTED, outbox.add("o-3", body("o-3")));
            appendAll(outbox, 4, 6);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-1", "o-2", "o-3", "o-4", "o-5"), pendingOrders(outbox));
            assertEquals(List.of(), outbox.recoveryProblems(), "the torn half-record was cut off");
        }
    }

    @Test
    void failedFsync_appendThrows() throws IOException {
        try (FileOutbox outbox = open()) {
            storage.failForce = true;
            var e = assertThrows(IOException.class, () -> outbox.add("o-1", body("o-1")));
            assertEquals("not on disk: Input/output error", e.getMessage());
            storage.failForce = false;
        }
    }

    @Test
    void secondOutboxOnTheSameDirectory_isRefused() throws IOException {
        try (FileOutbox first = open()) {
            var e = assertThrows(IllegalStateException.class, this::open);
            assertEquals("outboxDirectory " + dir.toAbsolutePath() + " is in use by another Hello Retail tracker"
                    + " (in this JVM or another process holds outbox.lock); give each tracker a directory of its own",
                    e.getMessage());
        }
        try (FileOutbox again = open()) {
            assertNull(again.next(0));
        }
    }

    @Test
    void concurrentAppends_shareFsyncs_andAllSurvive() throws Exception {
        int threads = 8;
        int each = 200;
        try (FileOutbox outbox = open()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        outbox.add("o-" + (base + i), body("o-" + (base + i)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
        }
        // fewer fsyncs than appends: concurrent appends share them
        assertTrue(storage.forces.get() < threads * each, "fsyncs: " + storage.forces.get());
        try (FileOutbox outbox = open()) {
            assertEquals(threads * each, outbox.pending());
        }
    }
}
