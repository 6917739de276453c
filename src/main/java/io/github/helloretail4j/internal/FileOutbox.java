package io.github.helloretail4j.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbox in a directory of this tracker's own: an append-only {@link OutboxLog} read back on
 * start and rewritten when mostly delivered, and the {@link DeadLetters} beside it. This class
 * is the policy: what waits, which order numbers are remembered, when records reach the disk,
 * when the log is rewritten, and how a failed step is undone.
 *
 * <h2>Durability</h2>
 * {@link #add} returns after its record is written and {@code fdatasync}ed; concurrent adds share
 * one fsync (group commit). A conversion is handed out by {@link #next} only once it is durable.
 * Outcomes are synced in batches: after {@value #OUTCOME_BATCH} of them, when the oldest unsynced
 * one is {@value #OUTCOME_SYNC_MILLIS} ms old at the next outcome, and whenever the engine calls
 * {@link #sync} (before it pauses, and when idle). A SIGKILL loses no outcome the kernel has;
 * a power loss can forget the last unsynced ones, which are then sent again.
 *
 * <h2>After a failure (Tape's promise)</h2>
 * A step that fails leaves the outbox usable, and the change that failed is aborted:
 * <ul>
 *   <li>a failed write is cut off again; a failed fsync fails every add it covered (their
 *       callers get the exception, their order numbers are forgotten, and they are never
 *       handed out), cuts the log back to what was last synced, and marks it for a rewrite,
 *       because after a failed fsync the kernel may have dropped pages it still reports as
 *       written: the file cannot be trusted, only rebuilt;</li>
 *   <li>an outcome is taken in memory first (the conversion is handed out no more); when its
 *       record cannot be written, the log is marked for a rewrite, which leaves the conversion
 *       out;</li>
 *   <li>a rewrite (the one a failure calls for, or compaction) goes to a temp file, fsynced,
 *       renamed over the log, and the directory fsynced; until the rename the old log is
 *       untouched, and a failed step removes the temp file again.</li>
 * </ul>
 * A log marked for a rewrite is rewritten by the next change, or by {@link #sync}, which the
 * engine's conversion thread calls with backoff until it succeeds: the outbox recovers once the
 * disk does, with no restart.
 *
 * <h2>Once per order</h2>
 * The order numbers of the last {@code dedupeWindow} (at most {@code dedupeMax} of them) are
 * remembered across restarts; adding one of them again is refused as a duplicate.
 *
 * <p>A lock file ({@value #LOCK_NAME}) keeps a second tracker, in this JVM or another, out of
 * the directory.
 */
final class FileOutbox implements Outbox {

    static final String LOCK_NAME = "outbox.lock";
    static final int OUTCOME_BATCH = 64;
    static final long OUTCOME_SYNC_MILLIS = 100;
    /**
     * The log is rewritten once the records it no longer needs take this much, and more than
     * those it needs: so the file stays within about twice its live size, and the cost of
     * compaction stays linear in what was appended.
     */
    static final long COMPACT_AFTER_BYTES = 1024 * 1024;
    /** After a failed compaction (a full disk) the next is not tried sooner than this. */
    static final long COMPACT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** An add whose record is written and that waits for the fsync that makes it durable. */
    private static final class Ticket {
        final Entry entry;
        /** {@link #written} once its record was appended. */
        final long end;
        boolean durable;
        IOException lost;

        Ticket(Entry entry, long end) {
            this.entry = entry;
            this.end = end;
        }
    }

    private final Storage storage;
    private final Path dir;
    private final Path log;
    private final Clock clock;
    private final long dedupeWindowMillis;
    private final int dedupeMax;
    private final Closeable dirLock;
    private final DeadLetters deadLetters;
    private final List<String> recoveryProblems = new ArrayList<>();
    private final int recovered;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition syncDone = lock.newCondition();
    /** Durable conversions waiting for delivery, by id. */
    private final NavigableMap<Long, Entry> pending = new TreeMap<>();
    /** Remembered order numbers (waiting, being synced, or delivered) and when each was added, oldest first. */
    private final LinkedHashMap<String, Long> orders = new LinkedHashMap<>();
    private final Map<Long, Outcome> lastFailures = new HashMap<>();
    /** Ids handed out by {@link #take} and not yet settled, failed or released: in flight. */
    private final Set<Long> taken = new HashSet<>();
    /** Adds written and not yet durable, oldest first. */
    private final ArrayDeque<Ticket> unsynced = new ArrayDeque<>();
    /** Null after a rewrite whose reopening failed, or after a failure that left the channel unusable. */
    private Storage.AppendFile file;
    /** The log on disk may not be what memory holds: it must be rebuilt before anything is appended. */
    private boolean needsRewrite;
    private long nextId = 1;
    private long fileSize;
    /** The file's size as of the last successful fsync or rewrite: what a failed fsync cuts it back to. */
    private long durableSize;
    /** What a compacted file would hold: pending conversions and remembered orders. */
    private long liveBytes;
    /** Bytes ever appended, and ever made durable, in this run; logical, so a rewrite does not reset them. */
    private long written;
    private long synced;
    private boolean syncing;
    private int unsyncedOutcomes;
    private long oldestUnsyncedOutcomeNanos;
    private long compactNotBeforeNanos;
    private boolean closed;

    private FileOutbox(Storage storage, Path dir, Clock clock, Duration dedupeWindow, int dedupeMax) throws IOException {
        this.storage = storage;
        this.dir = dir;
        this.log = dir.resolve(OutboxLog.NAME);
        this.clock = clock;
        this.dedupeWindowMillis = dedupeWindow.toMillis();
        this.dedupeMax = dedupeMax;
        this.deadLetters = new DeadLetters(storage, dir);
        createPrivately(dir);
        Path lockFile = dir.resolve(LOCK_NAME);
        this.dirLock = storage.tryLock(lockFile);
        if (dirLock == null) {
            throw new IllegalStateException("outboxDirectory " + dir.toAbsolutePath() + " is in use by another"
                    + " Hello Retail tracker (in this JVM or another process holds " + lockFile.getFileName()
                    + "); give each tracker a directory of its own");
        }
        try {
            boolean rewrite = OutboxLog.read(storage.readAll(log), log, new Replay(), recoveryProblems);
            evictOldOrders();
            this.recovered = pending.size();
            byte[] live = snapshot();
            if (rewrite) {
                Storage.replace(storage, log, live);
            }
            this.file = storage.openAppend(log);
            this.fileSize = file.size();
            this.durableSize = fileSize;
            this.liveBytes = live.length;
        } catch (IOException | RuntimeException e) {
            dirLock.close();
            throw e;
        }
    }

    /**
     * Opens (or creates) the outbox in {@code dir} and reads back what an earlier run left.
     *
     * @throws IllegalStateException when another tracker holds the directory
     * @throws IOException when the directory cannot be used, or holds a file of another format
     */
    static FileOutbox open(Storage storage, Path dir, Clock clock, Duration dedupeWindow, int dedupeMax)
            throws IOException {
        return new FileOutbox(storage, dir, clock, dedupeWindow, dedupeMax);
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
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException raced) {
            // made by someone else meanwhile: use it as it is
        }
    }

    /** Applies the records of the log as it was left. */
    private final class Replay implements OutboxLog.Reader {
        @Override
        public void add(long id, long createdAtMillis, String orderNumber, byte[] body) {
            pending.put(id, new Entry(id, createdAtMillis, orderNumber, body, null));
            orders.remove(orderNumber);
            orders.put(orderNumber, createdAtMillis);
            nextId = Math.max(nextId, id + 1);
        }

        @Override
        public void done(long id) {
            pending.remove(id);
        }

        @Override
        public void seen(long createdAtMillis, String orderNumber) {
            orders.put(orderNumber, createdAtMillis);
        }
    }

    @Override
    public List<String> recoveryProblems() {
        return List.copyOf(recoveryProblems);
    }

    @Override
    public int recovered() {
        return recovered;
    }

    @Override
    public String describe() {
        return "outbox directory " + dir.toAbsolutePath();
    }

    @Override
    public Added add(String orderNumber, byte[] body) throws IOException {
        Ticket ticket;
        lock.lock();
        try {
            ensureOpen();
            evictOldOrders();
            if (orders.containsKey(orderNumber)) {
                return Added.DUPLICATE;
            }
            long createdAt = clock.millis();
            byte[] record = OutboxLog.add(nextId, createdAt, orderNumber, body);
            if (record.length - OutboxLog.FRAME > OutboxLog.MAX_RECORD) {
                // the reader would take it for a corrupt record: refuse it rather than lose it later
                throw new IllegalArgumentException("conversion " + Messages.echo(orderNumber) + " is " + record.length
                        + " bytes as JSON; the outbox takes at most " + OutboxLog.MAX_RECORD);
            }
            writable();
            append(record);
            Entry entry = new Entry(nextId++, createdAt, orderNumber, body, null);
            orders.put(orderNumber, createdAt);
            liveBytes += record.length;
            ticket = new Ticket(entry, written);
            unsynced.addLast(ticket);
            awaitDurable(ticket);
        } finally {
            lock.unlock();
        }
        return Added.ACCEPTED;
    }

    /** Group commit: waits while another thread's fsync runs, else runs one that covers everything written. */
    private void awaitDurable(Ticket ticket) throws IOException {
        while (!ticket.durable && ticket.lost == null) {
            if (syncing) {
                syncDone.awaitUninterruptibly();
            } else if (needsRewrite || file == null) {
                try {
                    rewrite();
                } catch (IOException e) {
                    // the rewrite failed the waiting adds, this one among them
                }
            } else {
                try {
                    syncNow();
                } catch (IOException e) {
                    // the failed fsync failed the waiting adds, this one among them
                }
            }
        }
        if (ticket.lost != null) {
            throw new IOException("not on disk: " + ticket.lost.getMessage(), ticket.lost);
        }
    }

    /** Opens again or rewrites the log when an earlier failure left it so. */
    private void writable() throws IOException {
        if (needsRewrite) {
            rewrite();
        } else if (file == null) {
            file = storage.openAppend(log);
            fileSize = file.size();
            durableSize = fileSize;
        }
    }

    /** Appends a record; when that fails, cuts the file back so the next append does not follow a torn one. */
    private void append(byte[] record) throws IOException {
        try {
            file.append(ByteBuffer.wrap(record));
        } catch (IOException e) {
            try {
                file.truncate(fileSize);
            } catch (IOException cut) {
                e.addSuppressed(cut);
                needsRewrite = true;
            }
            throw e;
        }
        fileSize += record.length;
        written += record.length;
    }

    /**
     * With the lock held and no fsync running: one fsync for everything written so far, the lock
     * released meanwhile so that others append and join the next one.
     */
    private void syncNow() throws IOException {
        syncing = true;
        long upTo = written;
        long sizeAtSync = fileSize;
        Storage.AppendFile f = file;
        lock.unlock();
        IOException failure = null;
        try {
            f.force();
        } catch (IOException e) {
            failure = e;
        } finally {
            lock.lock();
            syncing = false;
            syncDone.signalAll();
        }
        if (failure != null) {
            // Pages the kernel failed to write may now be dropped yet look clean: nothing since
            // the last good fsync can be trusted. Undo it and rebuild the log from memory.
            loseUnsynced(failure);
            try {
                file.truncate(durableSize);
                fileSize = durableSize;
            } catch (IOException cut) {
                failure.addSuppressed(cut);
            }
            needsRewrite = true;
            throw failure;
        }
        synced = Math.max(synced, upTo);
        durableSize = Math.max(durableSize, sizeAtSync);
        while (!unsynced.isEmpty() && unsynced.peekFirst().end <= upTo) {
            settle(unsynced.pollFirst());
        }
        if (upTo == written) {
            unsyncedOutcomes = 0;
        }
    }

    private void settle(Ticket t) {
        t.durable = true;
        pending.put(t.entry.id(), t.entry);
        syncDone.signalAll();
    }

    /** Fails every add not yet durable: it is forgotten, so that its caller may add it again. */
    private void loseUnsynced(IOException cause) {
        for (Ticket t : unsynced) {
            t.lost = cause;
            orders.remove(t.entry.orderNumber());
            liveBytes -= OutboxLog.add(t.entry.id(), t.entry.createdAtMillis(), t.entry.orderNumber(),
                    t.entry.body()).length;
        }
        unsynced.clear();
        syncDone.signalAll();
    }

    /**
     * Replaces the log with what memory holds: pending conversions, adds waiting for their fsync
     * (the rewrite makes them durable), and remembered orders. Used after a failure and as
     * compaction.
     */
    private void rewrite() throws IOException {
        while (syncing) {
            syncDone.awaitUninterruptibly();
        }
        boolean repair = needsRewrite || file == null;
        evictOldOrders();
        byte[] snapshot = snapshot();
        Path tmp = log.resolveSibling(log.getFileName() + ".tmp");
        try {
            storage.writeNew(tmp, snapshot);
            storage.rename(tmp, log);
        } catch (IOException | RuntimeException e) {
            try {
                storage.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (repair && e instanceof IOException io) {
                // the old log was already suspect: what waits on it cannot be made durable
                loseUnsynced(io);
            }
            throw e;
        }
        // The old log is gone: its channel writes to an unlinked file now.
        closeQuietly(file);
        file = null;
        fileSize = snapshot.length;
        durableSize = snapshot.length;
        liveBytes = snapshot.length;
        needsRewrite = true;
        try {
            storage.syncDirectory(dir);
        } catch (IOException e) {
            // The new log is in place, but after a power loss the old one may come back: not durable.
            loseUnsynced(e);
            throw e;
        }
        needsRewrite = false;
        synced = written;
        unsyncedOutcomes = 0;
        while (!unsynced.isEmpty()) {
            settle(unsynced.pollFirst());
        }
        file = storage.openAppend(log);
        fileSize = file.size();
        durableSize = fileSize;
    }

    private static void closeQuietly(Storage.AppendFile f) {
        if (f != null) {
            try {
                f.close();
            } catch (IOException ignored) {
                // the channel is dropped either way
            }
        }
    }

    @Override
    public Entry next(long afterId) {
        lock.lock();
        try {
            Map.Entry<Long, Entry> e = pending.higherEntry(afterId);
            if (e == null) {
                e = pending.firstEntry();
            }
            if (e == null) {
                return null;
            }
            return withLastFailure(e.getValue());
        } finally {
            lock.unlock();
        }
    }

    private Entry withLastFailure(Entry entry) {
        Outcome last = lastFailures.get(entry.id());
        return last == null ? entry
                : new Entry(entry.id(), entry.createdAtMillis(), entry.orderNumber(), entry.body(), last);
    }

    @Override
    public List<Entry> take(long afterId, int max) {
        lock.lock();
        try {
            List<Entry> out = new ArrayList<>(Math.min(max, 64));
            takeFrom(pending.tailMap(afterId, false).values(), max, out);
            takeFrom(pending.headMap(afterId, true).values(), max, out);
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Skips what is out already: at most the conversion thread's window of them. */
    private void takeFrom(Collection<Entry> from, int max, List<Entry> out) {
        for (Entry e : from) {
            if (out.size() >= max) {
                return;
            }
            if (taken.add(e.id())) {
                out.add(withLastFailure(e));
            }
        }
    }

    @Override
    public void release(Entry entry) {
        lock.lock();
        try {
            taken.remove(entry.id());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void failedAttempt(Entry entry, Outcome outcome) {
        lock.lock();
        try {
            taken.remove(entry.id());
            if (pending.containsKey(entry.id())) {
                lastFailures.put(entry.id(), outcome);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void delivered(Entry entry, Fate fate) throws IOException {
        finish(entry, fate == Fate.DELIVERED ? OutboxLog.DELIVERED : OutboxLog.NOT_TRACKED);
    }

    /** Every one taken out in memory first, their records appended in one write. */
    @Override
    public void delivered(List<Done> done) throws IOException {
        List<Entry> entries = new ArrayList<>(done.size());
        byte[] hows = new byte[done.size()];
        for (int i = 0; i < done.size(); i++) {
            entries.add(done.get(i).entry());
            hows[i] = done.get(i).fate() == Fate.DELIVERED ? OutboxLog.DELIVERED : OutboxLog.NOT_TRACKED;
        }
        finish(entries, hows);
    }

    /**
     * The dead letter is written first; when that fails the conversion stays waiting and is
     * tried again (a rejected one is rejected again: no harm).
     */
    @Override
    public void deadLetter(Entry entry, String reason, Outcome last, Instant now) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            // out no more: when the dead letter cannot be written, it waits to be taken again
            taken.remove(entry.id());
            if (!pending.containsKey(entry.id())) {
                return;
            }
            deadLetters.write(entry, reason, last, now);
        } finally {
            lock.unlock();
        }
        finish(entry, OutboxLog.DEAD_LETTER);
    }

    /**
     * Takes an outcome in memory, then writes its record. When the write fails, the conversion
     * is still handed out no more; the log is marked for a rewrite, which leaves it out.
     */
    private void finish(Entry entry, byte how) throws IOException {
        finish(List.of(entry), new byte[] {how});
    }

    /**
     * As {@link #finish(Entry, byte)} for several conversions: their records in one write, so that
     * a window of answers costs one system call.
     */
    private void finish(List<Entry> entries, byte[] hows) throws IOException {
        boolean syncDue;
        lock.lock();
        try {
            ensureOpen();
            ByteArrayOutputStream records = new ByteArrayOutputStream(entries.size() * 18);
            long now = System.nanoTime();
            for (int i = 0; i < entries.size(); i++) {
                Entry entry = entries.get(i);
                taken.remove(entry.id());
                if (pending.remove(entry.id()) == null) {
                    continue;
                }
                lastFailures.remove(entry.id());
                // the conversion's ADD record is dead now; its order number lives on as a SEEN record
                liveBytes -= OutboxLog.ADD_MINUS_SEEN_BYTES + entry.body().length;
                if (unsyncedOutcomes++ == 0) {
                    oldestUnsyncedOutcomeNanos = now;
                }
                records.writeBytes(OutboxLog.done(entry.id(), hows[i]));
            }
            if (records.size() == 0) {
                return;
            }
            try {
                writable();
                append(records.toByteArray());
            } catch (IOException e) {
                needsRewrite = true;
                throw e;
            }
            if (fileSize - liveBytes >= Math.max(COMPACT_AFTER_BYTES, liveBytes) && now - compactNotBeforeNanos >= 0) {
                try {
                    rewrite();
                } catch (IOException e) {
                    compactNotBeforeNanos = now + COMPACT_RETRY_NANOS;
                    throw new IOException("compacting " + log + " failed: " + Messages.describe(e), e);
                }
            }
            syncDue = unsyncedOutcomes >= OUTCOME_BATCH
                    || now - oldestUnsyncedOutcomeNanos >= TimeUnit.MILLISECONDS.toNanos(OUTCOME_SYNC_MILLIS);
        } finally {
            lock.unlock();
        }
        if (syncDue) {
            sync();
        }
    }

    @Override
    public void sync() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            while (syncing) {
                syncDone.awaitUninterruptibly();
            }
            if (needsRewrite) {
                rewrite();
            } else if (file == null) {
                writable();
            } else if (synced < written) {
                syncNow();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int pending() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** The log's live content, in the order of the remembered orders so eviction order survives. */
    private byte[] snapshot() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(OutboxLog.header());
        Map<String, Entry> waiting = new HashMap<>();
        List<Entry> all = new ArrayList<>(pending.values());
        for (Ticket t : unsynced) {
            all.add(t.entry);
        }
        for (Entry e : all) {
            if (orders.containsKey(e.orderNumber())) {
                waiting.put(e.orderNumber(), e);
            } else {
                out.writeBytes(OutboxLog.add(e.id(), e.createdAtMillis(), e.orderNumber(), e.body()));
            }
        }
        for (Map.Entry<String, Long> o : orders.entrySet()) {
            Entry e = waiting.get(o.getKey());
            out.writeBytes(e != null ? OutboxLog.add(e.id(), e.createdAtMillis(), e.orderNumber(), e.body())
                    : OutboxLog.seen(o.getKey(), o.getValue()));
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

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the outbox is closed");
        }
    }

    /** Syncs what is recorded, closes the log and releases the directory. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                sync();
            } finally {
                closed = true;
                closeQuietly(file);
                file = null;
                dirLock.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
