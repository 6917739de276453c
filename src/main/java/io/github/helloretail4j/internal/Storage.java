package io.github.helloretail4j.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file operations the outbox is made of, one method per step that can fail, so that a test
 * can fail each step on its own (the way Tape's tests break the file under its QueueFile): the
 * file outbox composes a rewrite from {@link #writeNew}, {@link #rename} and
 * {@link #syncDirectory} itself, and knows what to undo after each.
 *
 * <p>Public only so that the tracker's builder can take a test's implementation; not API.
 */
public interface Storage {

    /** A file opened for appending. */
    interface AppendFile extends Closeable {
        long size() throws IOException;

        /** Writes all of {@code bytes} at the end of the file. */
        void append(ByteBuffer bytes) throws IOException;

        /** Data (not metadata) to disk: {@code fdatasync}. */
        void force() throws IOException;

        /** Cuts the file back to {@code size}: undoes a failed append. */
        void truncate(long size) throws IOException;
    }

    /** The whole file, or null when it does not exist. */
    byte[] readAll(Path file) throws IOException;

    /** Opens {@code file} for appending, creating it when missing. */
    AppendFile openAppend(Path file) throws IOException;

    /** Creates or truncates {@code file}, writes {@code content} and fsyncs it. */
    void writeNew(Path file, byte[] content) throws IOException;

    /** Moves {@code from} over {@code to} atomically where the file system can. */
    void rename(Path from, Path to) throws IOException;

    /**
     * Makes the directory's entries (a new file, a rename) durable. Skipped where the platform
     * cannot open a directory (Windows).
     */
    void syncDirectory(Path dir) throws IOException;

    void deleteIfExists(Path file) throws IOException;

    boolean exists(Path file);

    /**
     * Takes the exclusive lock of {@code file}; null when another process or tracker holds it.
     * The returned object releases it when closed.
     */
    Closeable tryLock(Path file) throws IOException;

    /** The real file system. */
    Storage FILES = new Storage() {
        @Override
        public byte[] readAll(Path file) throws IOException {
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public AppendFile openAppend(Path file) throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                channel.position(channel.size());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return new AppendFile() {
                @Override
                public long size() throws IOException {
                    return channel.size();
                }

                @Override
                public void append(ByteBuffer bytes) throws IOException {
                    writeFully(channel, bytes);
                }

                @Override
                public void force() throws IOException {
                    channel.force(false);
                }

                @Override
                public void truncate(long size) throws IOException {
                    channel.truncate(size);
                    channel.position(size);
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            };
        }

        @Override
        public void writeNew(Path file, byte[] content) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(content));
                ch.force(true);
            }
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            FileChannel ch;
            try {
                ch = FileChannel.open(dir, StandardOpenOption.READ);
            } catch (IOException | UnsupportedOperationException e) {
                // Windows cannot open a directory; a rename there is as durable as the OS makes it.
                return;
            }
            try (ch) {
                ch.force(true);
            }
        }

        @Override
        public void deleteIfExists(Path file) throws IOException {
            Files.deleteIfExists(file);
        }

        @Override
        public boolean exists(Path file) {
            return Files.exists(file);
        }

        @Override
        public Closeable tryLock(Path file) throws IOException {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                ch.close();
                return null;
            }
            FileLock held = lock;
            return () -> {
                held.release();
                ch.close();
            };
        }

        private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    };

    /**
     * Replaces {@code file} with {@code content}: a temp file beside it, fsynced, renamed over
     * it, and the directory fsynced, so that a crash leaves either the old file or the new one.
     * When a step fails, the temp file is removed (it may be what filled the disk) and the old
     * file is as it was, unless the rename itself went through (then the failure was the
     * directory's fsync, and the new content is in place though perhaps not yet durable).
     */
    static void replace(Storage storage, Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            storage.writeNew(tmp, content);
            storage.rename(tmp, file);
        } catch (IOException | RuntimeException e) {
            try {
                storage.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        storage.syncDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Appends {@code content} to {@code file} and fsyncs it; a new file's directory entry is
     * fsynced too, so that the file itself survives a power loss.
     */
    static void appendDurably(Storage storage, Path file, byte[] content) throws IOException {
        boolean created = !storage.exists(file);
        try (AppendFile f = storage.openAppend(file)) {
            long before = f.size();
            try {
                f.append(ByteBuffer.wrap(content));
                f.force();
            } catch (IOException e) {
                try {
                    f.truncate(before); // no half line for the next append to run into
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
        if (created) {
            storage.syncDirectory(file.toAbsolutePath().getParent());
        }
    }
}
