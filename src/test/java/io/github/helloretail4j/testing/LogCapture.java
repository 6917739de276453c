package io.github.helloretail4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything logged while it is open. The tests log through slf4j-simple, which writes each
 * line to whatever {@code System.err} is at that moment, so swapping it captures the library's
 * log output exactly as a shop's log file would receive it.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LogCapture() {
        System.setErr(new PrintStream(new TeeStream(), true, StandardCharsets.UTF_8));
    }

    public synchronized String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        System.setErr(original);
    }

    private final class TeeStream extends java.io.OutputStream {
        @Override
        public void write(int b) {
            synchronized (LogCapture.this) {
                captured.write(b);
            }
            original.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (LogCapture.this) {
                captured.write(b, off, len);
            }
            original.write(b, off, len);
        }
    }
}
