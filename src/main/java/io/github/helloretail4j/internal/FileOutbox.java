package io.github.helloretail4j.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * Conversions on disk until Hello Retail has them: an append-only log in the outbox directory,
 * read back on start, compacted when mostly delivered.
 *
 * <h2>File format ({@value #LOG_NAME}), version 1, big-endian</h2>
 * <pre>
 * header  (16 bytes)  magic "HR4JOUTB" (8 ASCII bytes) | int version = 1 | int 0 (reserved)
 * record  (repeated)  int length of type + payload | int CRC32C of type + payload | byte type | payload
 *   type 1 ADD    long id | long createdAt (epoch ms) | short n | orderNumber (n UTF-8 bytes) | body (the JSON to POST)
 *   type 2 DONE   long id | byte how (1 delivered, 2 not tracked, 3 dead letter)
 *   type 3 SEEN   long createdAt (epoch ms) | orderNumber (UTF-8, the rest) — an order delivered earlier,
 *                 kept through compaction so that it is not sent twice
 * </pre>
 * A record whose length does not fit or whose checksum does not match is skipped: the reader
 * looks for the next record that checks out, reports the bytes it skipped, and the file is then
 * rewritten without them. A crash mid-append leaves at most one torn record at the end.
 *
 * <h2>Durability</h2>
 * {@link #append} returns after its record is written and {@code fdatasync}ed. Concurrent
 * appends share one fsync (group commit). {@link #done} records are fsynced in batches of
 * {@value #DONE_BATCH} or every {@value #DONE_BATCH_MILLIS} ms, so a crash can forget that the
 * last few conversions were delivered, and they are sent again: at-least-once.
 *
 * <h2>Once per order</h2>
 * The order numbers of the last {@code dedupeWindow} (at most {@code dedupeMax} of them) are
 * remembered across restarts; appending one of them again is refused as a duplicate.
 *
 * <p>A lock file ({@value #LOCK_NAME}) keeps a second tracker, in this JVM or another, out of
 * the directory.
 */
public final class FileOutbox implements Closeable {

    public static final String LOG_NAME = "outbox.log";
    public static final String LOCK_NAME = "outbox.lock";
    static final byte[] MAGIC = "HR4JOUTB".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_SIZE = 16;
    static final byte ADD = 1;
    static final byte DONE = 2;
    static final byte SEEN = 3;
    public static final byte DELIVERED = 1;
    public static final byte NOT_TRACKED = 2;
    public static final byte DEAD_LETTER = 3;
    /** No record is larger; a conversion of 10,000 product URLs fits. */
    static final int MAX_RECORD = 64 * 1024 * 1024;
    static final int DONE_BATCH = 64;
    static final long DONE_BATCH_MILLIS = 100;
    /**
     * The log is rewritten once the records it no longer needs take this much, and more than
     * those it needs: so the file stays within about twice its live size, and the cost of
     * compaction stays linear in what was appended.
     */
    static final long COMPACT_AFTER_BYTES = 1024 * 1024;

    /** A conversion waiting in the outbox. */
    public record Entry(long id, long createdAtMillis, String orderNumber, byte[] body) {
    }

    public enum Result { ACCEPTED, DUPLICATE }

    private final Storage storage;
    private final Path log;
    private final Clock clock;
    private final long dedupeWindowMillis;
    private final int dedupeMax;
    private final Closeable dirLock;
    private final List<String> recoveryProblems = new ArrayList<>();
    private final int recovered;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition syncDone = lock.newCondition();
    private final NavigableMap<Long, Entry> pending = new TreeMap<>();
    private final LinkedHashMap<String, Long> orders = new LinkedHashMap<>();
    private Storage.AppendFile file;
    private long nextId = 1;
    private long fileSize;
    /** What a compacted file would hold: pending conversions and remembered orders. */
    private long liveBytes;
    /** Bytes ever appended and ever fsynced in this run; logical, so compaction does not reset them. */
    private long written;
    private long synced;
    private boolean syncing;
    private int unsyncedDones;
    private long firstUnsyncedDoneNanos;
    private boolean closed;

    private FileOutbox(Storage storage, Path dir, Clock clock, Duration dedupeWindow, int dedupeMax) throws IOException {
        this.storage = storage;
        this.log = dir.resolve(LOG_NAME);
        this.clock = clock;
        this.dedupeWindowMillis = dedupeWindow.toMillis();
        this.dedupeMax = dedupeMax;
        createPrivately(dir);
        Path lockFile = dir.resolve(LOCK_NAME);
        this.dirLock = storage.tryLock(lockFile);
        if (dirLock == null) {
            throw new IllegalStateException("outboxDirectory " + dir.toAbsolutePath() + " is in use by another"
                    + " Hello Retail tracker (in this JVM or another process holds " + lockFile.getFileName()
                    + "); give each tracker a directory of its own");
        }
        try {
            byte[] bytes = storage.readAll(log);
            boolean rewrite = replay(bytes);
            evictOldOrders();
            this.recovered = pending.size();
            byte[] live = snapshot();
            if (rewrite) {
                storage.replace(log, live);
            }
            this.file = storage.openAppend(log);
            this.fileSize = file.size();
            this.liveBytes = live.length;
        } catch (IOException | RuntimeException e) {
            dirLock.close();
            throw e;
        }
    }

    /**
     * A new outbox directory is readable by its owner only where the file system has POSIX
     * permissions: what waits in it holds email addresses. An existing one is left as it is.
     */
    private static void createPrivately(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // made by someone else meanwhile: use it as it is
        }
    }

    /**
     * Opens (or creates) the outbox in {@code dir} and reads back what an earlier run left.
     *
     * @throws IllegalStateException when another tracker holds the directory
     * @throws IOException when the directory cannot be used, or holds a file of another format
     */
    public static FileOutbox open(Storage storage, Path dir, Clock clock, Duration dedupeWindow, int dedupeMax)
            throws IOException {
        return new FileOutbox(storage, dir, clock, dedupeWindow, dedupeMax);
    }

    /** What was wrong with the file when it was read, one line per problem; empty when nothing. */
    public List<String> recoveryProblems() {
        return List.copyOf(recoveryProblems);
    }

    /** Conversions found waiting when the outbox was opened. */
    public int recovered() {
        return recovered;
    }

    /**
     * Writes a conversion and waits until it is on disk; or refuses it when the order number
     * was seen before.
     *
     * @throws IOException when it could not be written or synced: it is not durable (after a
     *         failed write nothing of it is left in the file)
     * @throws IllegalArgumentException when its record would be larger than {@link #MAX_RECORD}
     */
    public Result append(String orderNumber, byte[] body) throws IOException {
        long target;
        lock.lock();
        try {
            ensureOpen();
            evictOldOrders();
            if (orders.containsKey(orderNumber)) {
                return Result.DUPLICATE;
            }
            Entry entry = new Entry(nextId, clock.millis(), orderNumber, body);
            byte[] record = addRecord(entry);
            if (record.length - 8 > MAX_RECORD) {
                // the reader would take it for a corrupt record: refuse it rather than lose it later
                throw new IllegalArgumentException("conversion " + Check.echo(orderNumber) + " is " + record.length
                        + " bytes as JSON; the outbox takes at most " + MAX_RECORD);
            }
            try {
                file.append(ByteBuffer.wrap(record));
            } catch (IOException e) {
                undoAppend();
                throw e;
            }
            nextId++;
            fileSize += record.length;
            written += record.length;
            liveBytes += record.length;
            pending.put(entry.id(), entry);
            orders.put(orderNumber, entry.createdAtMillis());
            target = written;
        } finally {
            lock.unlock();
        }
        syncTo(target);
        return Result.ACCEPTED;
    }

    /** Best effort: cut off what a failed append may have left; a torn record is skipped on replay anyway. */
    private void undoAppend() {
        try {
            file.truncate(fileSize);
        } catch (IOException ignored) {
            // the reader resynchronises past the torn record
        }
    }

    /** Group commit: one fsync covers every record written before it began. */
    private void syncTo(long target) throws IOException {
        lock.lock();
        try {
            while (synced < target) {
                if (syncing) {
                    syncDone.awaitUninterruptibly();
                    continue;
                }
                syncing = true;
                long upTo = written;
                Storage.AppendFile f = file;
                lock.unlock();
                IOException failure = null;
                try {
                    f.force();
                } catch (IOException e) {
                    failure = e;
                }
                lock.lock();
                syncing = false;
                syncDone.signalAll();
                if (failure != null) {
                    throw failure;
                }
                synced = Math.max(synced, upTo);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The first waiting conversion after {@code id}, wrapping around to the oldest; null when none. */
    public Entry nextAfter(long id) {
        lock.lock();
        try {
            Map.Entry<Long, Entry> e = pending.higherEntry(id);
            if (e == null) {
                e = pending.firstEntry();
            }
            return e == null ? null : e.getValue();
        } finally {
            lock.unlock();
        }
    }

    public int pendingCount() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that {@code entry} needs no more sending ({@link #DELIVERED}, {@link #NOT_TRACKED}
     * or {@link #DEAD_LETTER}). Synced in batches; the log is compacted when mostly done.
     */
    public void done(Entry entry, byte how) throws IOException {
        boolean flush;
        lock.lock();
        try {
            ensureOpen();
            if (pending.remove(entry.id()) == null) {
                return;
            }
            byte[] record = record(DONE, ByteBuffer.allocate(9).putLong(entry.id()).put(how).array());
            file.append(ByteBuffer.wrap(record));
            fileSize += record.length;
            written += record.length;
            // the conversion's ADD record is dead now; its order number lives on as a SEEN record
            liveBytes -= ADD_MINUS_SEEN_BYTES + entry.body().length;
            if (unsyncedDones++ == 0) {
                firstUnsyncedDoneNanos = System.nanoTime();
            }
            flush = unsyncedDones >= DONE_BATCH
                    || System.nanoTime() - firstUnsyncedDoneNanos >= DONE_BATCH_MILLIS * 1_000_000;
            if (fileSize - liveBytes >= Math.max(COMPACT_AFTER_BYTES, liveBytes)) {
                compact();
                return;
            }
        } finally {
            lock.unlock();
        }
        if (flush) {
            flush();
        }
    }

    /** Puts every record written so far on disk (the sender calls it when idle and at close). */
    public void flush() throws IOException {
        long target;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            unsyncedDones = 0;
            target = written;
        } finally {
            lock.unlock();
        }
        syncTo(target);
    }

    /** Rewrites the log with only what is still needed: pending conversions and remembered orders. */
    private void compact() throws IOException {
        while (syncing) {
            syncDone.awaitUninterruptibly();
        }
        evictOldOrders();
        byte[] snapshot = snapshot();
        file.close();
        storage.replace(log, snapshot);
        file = storage.openAppend(log);
        fileSize = file.size();
        liveBytes = fileSize;
        synced = written;
        unsyncedDones = 0;
    }

    /** The log's live content, in the order of the remembered orders so eviction order survives. */
    private byte[] snapshot() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header());
        Map<String, Entry> waiting = new java.util.HashMap<>();
        for (Entry e : pending.values()) {
            if (orders.containsKey(e.orderNumber())) {
                waiting.put(e.orderNumber(), e);
            } else {
                out.writeBytes(addRecord(e));
            }
        }
        for (Map.Entry<String, Long> o : orders.entrySet()) {
            Entry e = waiting.get(o.getKey());
            if (e != null) {
                out.writeBytes(addRecord(e));
            } else {
                out.writeBytes(seenRecord(o.getKey(), o.getValue()));
            }
        }
        return out.toByteArray();
    }

    private void evictOldOrders() {
        long oldest = clock.millis() - dedupeWindowMillis;
        Iterator<Map.Entry<String, Long>> it = orders.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (orders.size() > dedupeMax || e.getValue() < oldest) {
                it.remove();
            } else {
                break;
            }
        }
    }

    /** Reads the log; true when it must be rewritten (new, or damaged). */
    private boolean replay(byte[] bytes) throws IOException {
        if (bytes == null || bytes.length == 0) {
            return true;
        }
        if (bytes.length < HEADER_SIZE) {
            // A crash while the file was first written; nothing was ever acknowledged from it.
            recoveryProblems.add("outbox file " + log + " has a torn header of " + bytes.length + " bytes; started anew");
            return true;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("outbox file " + log + " is not a helloretail4j outbox: expected magic "
                    + new String(MAGIC, StandardCharsets.US_ASCII) + ", found "
                    + Check.echo(new String(magic, StandardCharsets.ISO_8859_1)));
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new IOException("outbox file " + log + " has format version " + version
                    + "; this helloretail4j reads version " + VERSION);
        }
        boolean damaged = false;
        int pos = HEADER_SIZE;
        while (pos < bytes.length) {
            int length = validRecordAt(bytes, pos);
            if (length < 0) {
                int next = pos + 1;
                while (next < bytes.length && validRecordAt(bytes, next) < 0) {
                    next++;
                }
                damaged = true;
                recoveryProblems.add(next >= bytes.length
                        ? "outbox file " + log + ": torn or corrupt tail of " + (bytes.length - pos)
                                + " bytes at offset " + pos + " skipped (a crash while writing leaves this)"
                        : "outbox file " + log + ": " + (next - pos) + " corrupt bytes at offset " + pos
                                + " skipped; reading went on at offset " + next);
                pos = next;
                continue;
            }
            apply(ByteBuffer.wrap(bytes, pos + 8, length), pos);
            pos += 8 + length;
        }
        return damaged;
    }

    /** The length of the valid record at {@code pos}, or -1. */
    private static int validRecordAt(byte[] bytes, int pos) {
        if (pos + 9 > bytes.length) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, pos, 8);
        int length = b.getInt();
        int crc = b.getInt();
        if (length < 1 || length > MAX_RECORD || length > bytes.length - pos - 8) {
            return -1;
        }
        CRC32C c = new CRC32C();
        c.update(bytes, pos + 8, length);
        byte type = bytes[pos + 8];
        return (int) c.getValue() == crc && type >= ADD && type <= SEEN ? length : -1;
    }

    private void apply(ByteBuffer r, int offset) throws IOException {
        byte type = r.get();
        try {
            switch (type) {
                case ADD -> {
                    long id = r.getLong();
                    long createdAt = r.getLong();
                    byte[] number = new byte[r.getShort() & 0xFFFF];
                    r.get(number);
                    byte[] body = new byte[r.remaining()];
                    r.get(body);
                    String orderNumber = new String(number, StandardCharsets.UTF_8);
                    pending.put(id, new Entry(id, createdAt, orderNumber, body));
                    orders.remove(orderNumber);
                    orders.put(orderNumber, createdAt);
                    nextId = Math.max(nextId, id + 1);
                }
                case DONE -> pending.remove(r.getLong());
                case SEEN -> {
                    long createdAt = r.getLong();
                    byte[] number = new byte[r.remaining()];
                    r.get(number);
                    orders.put(new String(number, StandardCharsets.UTF_8), createdAt);
                }
                default -> throw new IOException("unknown record type " + type);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("outbox file " + log + ": record at offset " + offset
                    + " passed its checksum but is malformed", e);
        }
    }

    static byte[] header() {
        return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC).putInt(VERSION).putInt(0).array();
    }

    static byte[] addRecord(Entry e) {
        byte[] number = utf8(e.orderNumber());
        ByteBuffer payload = ByteBuffer.allocate(8 + 8 + 2 + number.length + e.body().length)
                .putLong(e.id()).putLong(e.createdAtMillis()).putShort((short) number.length).put(number).put(e.body());
        return record(ADD, payload.array());
    }

    /**
     * How much larger an ADD record is than the SEEN record of the same order, less the body:
     * id (8) and length of the order number (2) against nothing. Both carry the time, the order
     * number and the record's 9-byte frame.
     */
    static final int ADD_MINUS_SEEN_BYTES = 8 + 2;

    static byte[] seenRecord(String orderNumber, long createdAtMillis) {
        byte[] number = utf8(orderNumber);
        return record(SEEN, ByteBuffer.allocate(8 + number.length).putLong(createdAtMillis).put(number).array());
    }

    static byte[] record(byte type, byte[] payload) {
        int length = 1 + payload.length;
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(payload);
        return ByteBuffer.allocate(8 + length).putInt(length).putInt((int) crc.getValue()).put(type).put(payload).array();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the outbox is closed");
        }
    }

    /** Syncs what is written, closes the file and releases the directory. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
        } finally {
            lock.unlock();
        }
        try {
            flush();
        } finally {
            lock.lock();
            try {
                closed = true;
                file.close();
            } finally {
                lock.unlock();
                dirLock.close();
            }
        }
    }
}
