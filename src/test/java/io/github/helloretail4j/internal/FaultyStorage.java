package io.github.helloretail4j.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The real file system with faults on demand, one per step the outbox is made of, the way Tape's
 * tests break the file under its QueueFile: a write that fails half-way (a full disk tears it),
 * a failing fsync, a failing rename or directory fsync, a file that cannot be opened.
 *
 * <p>{@link #failWhile} fails every call that matches until {@link #heal}; {@link #failNext}
 * fails the next {@code n} matching calls. {@link #diskFull} and {@link #failForce} are the two
 * faults tests reach for most.
 */
public final class FaultyStorage implements Storage {

    public enum Step { OPEN_APPEND, APPEND, FORCE, TRUNCATE, WRITE_NEW, RENAME, SYNC_DIRECTORY }

    /** One call of the file layer, as a fault's predicate sees it. */
    public record Call(Step step, Path file, byte[] bytes) {
        public boolean onLog() {
            return file.getFileName().toString().equals(OutboxLog.NAME);
        }

        public boolean onTemp() {
            return file.getFileName().toString().endsWith(".tmp");
        }

        public boolean onDeadLetters() {
            return file.getFileName().toString().equals(DeadLetters.FILE_NAME);
        }

        /** The type of the outbox record an append carries; 0 when it is not one. */
        public byte recordType() {
            return bytes != null && bytes.length > OutboxLog.FRAME ? bytes[OutboxLog.FRAME] : 0;
        }
    }

    public static Predicate<Call> step(Step step) {
        return c -> c.step() == step;
    }

    public static Predicate<Call> appendOf(byte recordType) {
        return c -> c.step() == Step.APPEND && c.onLog() && c.recordType() == recordType;
    }

    /** Fails writes, new files and renames, the way a file system with no space left does. */
    public volatile boolean diskFull;
    /** Fails every fsync of the outbox log. */
    public volatile boolean failForce;
    public final AtomicInteger forces = new AtomicInteger();
    /** The calls that were failed, in order. */
    public final List<Call> failed = new CopyOnWriteArrayList<>();
    /** Every call, failed or not, in order (bytes left out). */
    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** The log's size at its last successful fsync: what a power loss would leave of it. */
    public volatile long logSizeAtLastForce = -1;

    private volatile Predicate<Call> fault = c -> false;
    private final AtomicInteger faultsLeft = new AtomicInteger();

    /** Fails every matching call until {@link #heal}. */
    public FaultyStorage failWhile(Predicate<Call> when) {
        faultsLeft.set(Integer.MAX_VALUE);
        fault = when;
        return this;
    }

    /** Fails the next {@code times} matching calls. */
    public FaultyStorage failNext(int times, Predicate<Call> when) {
        faultsLeft.set(times);
        fault = when;
        return this;
    }

    public FaultyStorage heal() {
        fault = c -> false;
        diskFull = false;
        failForce = false;
        return this;
    }

    private boolean fails(Step step, Path file, ByteBuffer bytes) {
        byte[] copy = null;
        if (bytes != null) {
            copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
        }
        Call call = new Call(step, file, copy);
        calls.add(new Call(step, file, null));
        boolean fail = switch (step) {
            case APPEND, WRITE_NEW -> diskFull;
            case FORCE -> failForce && call.onLog();
            default -> false;
        };
        if (!fail && fault.test(call) && faultsLeft.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
            fail = true;
        }
        if (fail) {
            failed.add(call);
        }
        return fail;
    }

    private static IOException error(Step step) {
        return new IOException(switch (step) {
            case APPEND, WRITE_NEW, OPEN_APPEND -> "No space left on device";
            default -> "Input/output error";
        });
    }

    @Override
    public byte[] readAll(Path file) throws IOException {
        return FILES.readAll(file);
    }

    @Override
    public AppendFile openAppend(Path file) throws IOException {
        if (fails(Step.OPEN_APPEND, file, null)) {
            throw error(Step.OPEN_APPEND);
        }
        AppendFile real = FILES.openAppend(file);
        return new AppendFile() {
            @Override
            public long size() throws IOException {
                return real.size();
            }

            @Override
            public void append(ByteBuffer bytes) throws IOException {
                if (fails(Step.APPEND, file, bytes)) {
                    // half of it reaches the file, as when the disk fills up mid-write
                    ByteBuffer half = bytes.duplicate();
                    half.limit(half.position() + bytes.remaining() / 2);
                    real.append(half);
                    throw error(Step.APPEND);
                }
                real.append(bytes);
            }

            @Override
            public void force() throws IOException {
                forces.incrementAndGet();
                if (fails(Step.FORCE, file, null)) {
                    throw error(Step.FORCE);
                }
                real.force();
                if (file.getFileName().toString().equals(OutboxLog.NAME)) {
                    logSizeAtLastForce = real.size();
                }
            }

            @Override
            public void truncate(long size) throws IOException {
                if (fails(Step.TRUNCATE, file, null)) {
                    throw error(Step.TRUNCATE);
                }
                real.truncate(size);
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }

    @Override
    public void writeNew(Path file, byte[] content) throws IOException {
        if (fails(Step.WRITE_NEW, file, ByteBuffer.wrap(content))) {
            // a torn temp file is left behind, as a full disk leaves it
            FILES.writeNew(file, java.util.Arrays.copyOf(content, content.length / 2));
            throw error(Step.WRITE_NEW);
        }
        FILES.writeNew(file, content);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        if (fails(Step.RENAME, to, null)) {
            throw error(Step.RENAME);
        }
        FILES.rename(from, to);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        if (fails(Step.SYNC_DIRECTORY, dir, null)) {
            throw error(Step.SYNC_DIRECTORY);
        }
        FILES.syncDirectory(dir);
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
        FILES.deleteIfExists(file);
    }

    @Override
    public boolean exists(Path file) {
        return FILES.exists(file);
    }

    @Override
    public Closeable tryLock(Path file) throws IOException {
        return FILES.tryLock(file);
    }
}
