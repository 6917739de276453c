package io.github.helloretail4j.internal;

import static io.github.helloretail4j.internal.FaultyStorage.appendOf;
import static io.github.helloretail4j.internal.FaultyStorage.step;
import static io.github.helloretail4j.internal.OutboxTest.body;
import static io.github.helloretail4j.internal.OutboxTest.pendingOrders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tape's promise for the outbox, step by step: inject a fault into one mutating step, keep using
 * the same instance, and the change that failed is aborted while everything else goes on. After
 * each fault the disk is healed and the outbox must accept new conversions with no restart, hand
 * every acknowledged one out until it is recorded, and none of them twice; reopening it must find
 * exactly what was acknowledged and not yet delivered.
 */
class FileOutboxFaultTest {

    @TempDir
    Path dir;
    private final FaultyStorage storage = new FaultyStorage();
    private final Clock clock = Clock.systemUTC();
    /** How often each order was handed out and recorded as delivered. */
    private final Map<String, Integer> delivered = new HashMap<>();

    private FileOutbox open() throws IOException {
        return FileOutbox.open(storage, dir, clock, Duration.ofDays(30), 100_000);
    }

    private static void addAll(FileOutbox outbox, String prefix, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            assertEquals(Outbox.Added.ACCEPTED, outbox.add(prefix + i, body(prefix + i)), prefix + i);
        }
    }

    /** Delivers the oldest waiting conversion; a disk failure while recording is what the test injects. */
    private void deliverOne(FileOutbox outbox) {
        Outbox.Entry e = outbox.next(0);
        assertNotNull(e, "a conversion waits; " + delivered.size() + " delivered, failed " + storage.failed);
        delivered.merge(e.orderNumber(), 1, Integer::sum);
        try {
            outbox.delivered(e, Outbox.Fate.DELIVERED);
        } catch (IOException recordingFailed) {
            // the outcome stands in memory; its record follows with the next sync or rewrite
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private void assertDeliveredOnce() {
        delivered.forEach((order, times) -> assertEquals(1, times, order + " delivered " + times + " times"));
    }

    @Test
    void add_writeTornByAFullDisk_isCutOff_andTheSameOrderIsAcceptedAgain() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 2);
            storage.failNext(1, appendOf(OutboxLog.ADD));
            var e = assertThrows(IOException.class, () -> outbox.add("o-2", body("o-2")));
            assertEquals("No space left on device", e.getMessage());
            assertEquals(1, storage.failed.size());
            assertEquals(List.of("o-0", "o-1"), pendingOrders(outbox));
            addAll(outbox, "o-", 2, 4); // the shop's retry, and the next order
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-1", "o-2", "o-3"), pendingOrders(outbox));
            assertEquals(List.of(), outbox.recoveryProblems(), "the torn half was cut off");
        }
    }

    @Test
    void add_fsyncFails_leavesNothingOfIt_andTheLogIsRebuiltBeforeTheNextAdd() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 1);
            storage.failNext(1, step(FaultyStorage.Step.FORCE));
            var e = assertThrows(IOException.class, () -> outbox.add("o-1", body("o-1")));
            assertEquals("not on disk: Input/output error", e.getMessage());
            // not waiting, not handed out, not remembered
            assertEquals(1, outbox.pending());
            assertEquals(List.of("o-0"), pendingOrders(outbox));
            int callsBefore = storage.calls.size();
            assertEquals(Outbox.Added.ACCEPTED, outbox.add("o-1", body("o-1")), "the shop's retry");
            // after a failed fsync the file is not trusted: it was rewritten from memory
            assertTrue(storage.calls.subList(callsBefore, storage.calls.size()).stream()
                    .anyMatch(c -> c.step() == FaultyStorage.Step.RENAME), storage.calls.toString());
            addAll(outbox, "o-", 2, 3);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-1", "o-2"), pendingOrders(outbox));
            assertEquals(List.of(), outbox.recoveryProblems());
        }
    }

    @Test
    void add_concurrentAddsSharingAFailedFsync_allFail_andNoneIsEverHandedOut() throws Exception {
        try (FileOutbox outbox = open()) {
            storage.failWhile(step(FaultyStorage.Step.FORCE));
            int threads = 6;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Outbox.Added>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String order = "c-" + t;
                results.add(pool.submit(() -> {
                    go.await();
                    return outbox.add(order, body(order));
                }));
            }
            go.countDown();
            for (Future<Outbox.Added> f : results) {
                var e = assertThrows(java.util.concurrent.ExecutionException.class, f::get);
                assertTrue(e.getCause() instanceof IOException, e.toString());
            }
            pool.shutdown();
            assertEquals(List.of(), pendingOrders(outbox));
            storage.heal();
            addAll(outbox, "c-", 0, threads);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("c-0", "c-1", "c-2", "c-3", "c-4", "c-5"), pendingOrders(outbox));
        }
    }

    @Test
    void delivered_doneRecordCannotBeWritten_isHandedOutNoMore_andIsOnDiskOnceTheDiskWorks() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 3);
            storage.diskFull = true;
            deliverOne(outbox); // o-0: delivered, its DONE record cannot be written
            assertEquals(List.of("o-1", "o-2"), pendingOrders(outbox), "not sent again in this run");
            assertThrows(IOException.class, outbox::sync, "the rebuild waits for space");
            assertThrows(IOException.class, () -> outbox.add("o-3", body("o-3")));
            storage.heal();
            outbox.sync();
            addAll(outbox, "o-", 3, 4);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-1", "o-2", "o-3"), pendingOrders(outbox), "o-0 is not sent again after a restart");
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-0", body("o-0")), "and its order number is remembered");
        }
        assertDeliveredOnce();
    }

    @Test
    void sync_outcomesFsyncFails_isRetriedAsARebuild_andNoDeliveredOneComesBack() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 3);
            storage.failWhile(step(FaultyStorage.Step.FORCE));
            deliverOne(outbox);
            deliverOne(outbox);
            assertThrows(IOException.class, outbox::sync);
            storage.heal();
            outbox.sync();
            assertEquals(List.of("o-2"), pendingOrders(outbox));
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-2"), pendingOrders(outbox));
        }
        assertDeliveredOnce();
    }

    /**
     * Compaction (a rewrite of a mostly delivered log, whose snapshot holds the SEEN records of
     * delivered orders) fails at one of its steps. Before the rename the old log stays in use;
     * after it (the directory's fsync, reopening the new log) the log is rebuilt again. Either
     * way new conversions are accepted at once, and nothing is lost or sent twice.
     */
    @ParameterizedTest
    @EnumSource(value = FaultyStorage.Step.class, names = {"WRITE_NEW", "RENAME", "SYNC_DIRECTORY", "OPEN_APPEND"})
    void compaction_stepFails_theOutboxGoesOnWithoutARestart(FaultyStorage.Step failing) throws IOException {
        byte[] big = new byte[600];
        Arrays.fill(big, (byte) 'x');
        try (FileOutbox outbox = open()) {
            for (int i = 0; i < 2000; i++) {
                outbox.add("o-" + i, big);
            }
            storage.failNext(1, c -> c.step() == failing && (failing != FaultyStorage.Step.OPEN_APPEND || c.onLog()));
            while (storage.failed.isEmpty()) {
                deliverOne(outbox);
            }
            assertEquals(failing, storage.failed.get(0).step());
            assertFalse(Files.exists(dir.resolve(OutboxLog.NAME + ".tmp")), "the temp file is removed");
            // right after the failure, with no restart: new conversions are taken
            addAll(outbox, "new-", 0, 5);
            // after the backoff of a failed compaction, the next one goes through
            sleepNanos(FileOutbox.COMPACT_RETRY_NANOS + 100_000_000L);
            while (outbox.next(0).orderNumber().startsWith("o-")) {
                deliverOne(outbox);
            }
            assertTrue(Files.size(dir.resolve(OutboxLog.NAME)) < 2000 * big.length / 3,
                    "compacted: " + Files.size(dir.resolve(OutboxLog.NAME)) + " bytes");
            assertEquals(List.of("new-0", "new-1", "new-2", "new-3", "new-4"), pendingOrders(outbox));
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("new-0", "new-1", "new-2", "new-3", "new-4"), pendingOrders(outbox));
            assertEquals(Outbox.Added.DUPLICATE, outbox.add("o-17", big), "delivered orders are remembered");
            assertEquals(List.of(), outbox.recoveryProblems());
        }
        assertEquals(2000, delivered.size());
        assertDeliveredOnce();
    }

    @Test
    void rewriteAfterAFailure_directoryFsyncFails_theAddsItWouldHaveMadeDurableFail() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 1);
            storage.failNext(1, step(FaultyStorage.Step.FORCE)); // calls for a rebuild
            assertThrows(IOException.class, () -> outbox.add("o-1", body("o-1")));
            storage.failNext(1, step(FaultyStorage.Step.SYNC_DIRECTORY));
            // the rebuild runs first and fails after its rename: not durable, so not taken
            var e = assertThrows(IOException.class, () -> outbox.add("o-1", body("o-1")));
            assertEquals("Input/output error", e.getMessage());
            assertEquals(List.of("o-0"), pendingOrders(outbox));
            addAll(outbox, "o-", 1, 3);
        }
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-0", "o-1", "o-2"), pendingOrders(outbox));
        }
    }

    @Test
    void deadLetter_lineCannotBeWritten_staysWaiting_andIsDeadLetteredOnceLater() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 2);
            storage.failNext(1, c -> c.onDeadLetters() && c.step() == FaultyStorage.Step.APPEND);
            Outbox.Entry first = outbox.next(0);
            assertThrows(IOException.class,
                    () -> outbox.deadLetter(first, "rejected", null, clock.instant()));
            assertEquals(List.of("o-0", "o-1"), pendingOrders(outbox), "still waiting: nothing is dropped unrecorded");
            outbox.deadLetter(outbox.next(0), "rejected", null, clock.instant());
            assertEquals(List.of("o-1"), pendingOrders(outbox));
        }
        List<String> lines = Files.readAllLines(dir.resolve(DeadLetters.FILE_NAME));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"orderNumber\":\"o-0\""), lines.get(0));
        try (FileOutbox outbox = open()) {
            assertEquals(List.of("o-1"), pendingOrders(outbox));
        }
    }

    @Test
    void deadLetter_newFile_itsDirectoryEntryIsSynced() throws IOException {
        try (FileOutbox outbox = open()) {
            addAll(outbox, "o-", 0, 2);
            int before = storage.calls.size();
            outbox.deadLetter(outbox.next(0), "rejected", null, clock.instant());
            List<FaultyStorage.Call> calls = storage.calls.subList(before, storage.calls.size());
            int opened = indexOf(calls, FaultyStorage.Step.OPEN_APPEND, dir.resolve(DeadLetters.FILE_NAME));
            int dirSynced = indexOf(calls, FaultyStorage.Step.SYNC_DIRECTORY, dir);
            assertTrue(opened >= 0 && dirSynced > opened, calls.toString());
        }
    }

    private static int indexOf(List<FaultyStorage.Call> calls, FaultyStorage.Step step, Path file) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).step() == step && calls.get(i).file().toAbsolutePath().equals(file.toAbsolutePath())) {
                return i;
            }
        }
        return -1;
    }
}
