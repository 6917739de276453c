package io.github.helloretail4j.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real file system with faults on demand: a full disk that fails an append half-way (a torn
 * write), an fsync that fails. Like Tape's tests, which break the file under the queue.
 */
public final class FaultyStorage implements Storage {
    public volatile boolean diskFull;
    public volatile boolean failForce;
    public final AtomicInteger forces = new AtomicInteger();

    @Override
    public byte[] readAll(Path file) throws IOException {
        return FILES.readAll(file);
    }

    @Override
    public AppendFile openAppend(Path file) throws IOException {
        AppendFile real = FILES.openAppend(file);
        return new AppendFile() {
            @Override
            public long size() throws IOException {
                return real.size();
            }

            @Override
            public void append(ByteBuffer bytes) throws IOException {
                if (diskFull) {
                    // half of it reaches the file, as when the disk fills up mid-write
                    ByteBuffer half = bytes.duplicate();
                    half.limit(half.position() + bytes.remaining() / 2);
                    real.append(half);
                    throw new IOException("No space left on device");
                }
                real.append(bytes);
            }

            @Override
            public void force() throws IOException {
                forces.incrementAndGet();
                if (failForce) {
                    throw new IOException("Input/output error");
                }
                real.force();
            }

            @Override
            public void truncate(long size) throws IOException {
                real.truncate(size);
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }

    @Override
    public void replace(Path file, byte[] content) throws IOException {
        if (diskFull) {
            throw new IOException("No space left on device");
        }
        FILES.replace(file, content);
    }

    @Override
    public void appendDurably(Path file, byte[] content) throws IOException {
        if (diskFull) {
            throw new IOException("No space left on device");
        }
        FILES.appendDurably(file, content);
    }

    @Override
    public Closeable tryLock(Path file) throws IOException {
        return FILES.tryLock(file);
    }
}
