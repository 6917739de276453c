package io.github.helloretail4j.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real file system that fills up: a 1 MiB tmpfs mounted for a test (as root, on Linux), and a
 * file of the test's own that takes its last byte. Where it cannot be mounted, {@link #skipReason}
 * says why, for the test to skip.
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path mountPoint;
    private final String skipReason;

    private SmallTmpfs(Path mountPoint, String skipReason) {
        this.mountPoint = mountPoint;
        this.skipReason = skipReason;
    }

    public static SmallTmpfs mount() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("helloretail4j-fulldisk");
        String result = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", dir.toString());
        return new SmallTmpfs(dir, result == null ? null : "cannot mount a tmpfs for a real full disk (" + result + ")");
    }

    public Path path() {
        return mountPoint;
    }

    /** Null when mounted; else why not. */
    public String skipReason() {
        return skipReason;
    }

    /** Writes {@code filler} until the file system has no byte left. */
    public void fill(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
                throw full;
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (skipReason == null) {
            run("umount", "-l", mountPoint.toString());
        }
        Files.deleteIfExists(mountPoint);
    }

    /** Null when the command succeeded, else what it said. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }
}
