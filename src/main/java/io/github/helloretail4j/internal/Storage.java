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
 * The few file operations the outbox needs, behind an interface so that tests can inject
 * torn writes, failing fsyncs and full disks (the way Tape's tests break its QueueFile).
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

    AppendFile openAppend(Path file) throws IOException;

    /** Replaces {@code file} with {@code content}: temp file, fsync, atomic rename, fsync of the directory. */
    void replace(Path file, byte[] content) throws IOException;

    /** Appends and fsyncs a small text file (the dead letters). */
    void appendDurably(Path file, byte[] content) throws IOException;

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
            channel.position(channel.size());
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
        public void replace(Path file, byte[] content) throws IOException {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(content));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(file.toAbsolutePath().getParent());
        }

        @Override
        public void appendDurably(Path file, byte[] content) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                writeFully(ch, ByteBuffer.wrap(content));
                ch.force(false);
            }
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

        /** Makes a rename durable; not possible on every platform, where it is skipped. */
        private void syncDirectory(Path dir) {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException | UnsupportedOperationException e) {
                // Windows cannot open a directory; the rename is as durable as the OS makes it.
            }
        }
    };
}
