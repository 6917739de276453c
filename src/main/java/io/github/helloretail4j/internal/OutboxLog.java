package io.github.helloretail4j.internal;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The file format of the {@link FileOutbox}: how its records are written and read back. It
 * knows bytes, not policy (what is pending, what is remembered, when to compact).
 *
 * <h2>{@value #NAME}, version 1, big-endian</h2>
 * <pre>
 * header  (16 bytes)  magic "HR4JOUTB" (8 ASCII bytes) | int version = 1 | int 0 (reserved)
 * record  (repeated)  int length of type + payload | int CRC32C of type + payload | byte type | payload
 *   type 1 ADD    long id | long createdAt (epoch ms) | short n | orderNumber (n UTF-8 bytes) | body (the JSON to POST)
 *   type 2 DONE   long id | byte how (1 delivered, 2 not tracked, 3 dead letter)
 *   type 3 SEEN   long createdAt (epoch ms) | orderNumber (UTF-8, the rest) — an order delivered earlier,
 *                 kept through compaction so that it is not sent twice
 * </pre>
 * A record whose length does not fit or whose checksum does not match is skipped: the reader
 * looks for the next record that checks out and reports the bytes it skipped. A crash
 * mid-append leaves at most one torn record at the end.
 */
final class OutboxLog {
    static final String NAME = "outbox.log";
    static final byte[] MAGIC = "HR4JOUTB".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_SIZE = 16;
    /** Length and checksum in front of every record. */
    static final int FRAME = 8;
    static final byte ADD = 1;
    static final byte DONE = 2;
    static final byte SEEN = 3;
    static final byte DELIVERED = 1;
    static final byte NOT_TRACKED = 2;
    static final byte DEAD_LETTER = 3;
    /** No record is larger; a conversion of 10,000 product URLs fits. */
    static final int MAX_RECORD = 64 * 1024 * 1024;
    /**
     * How much larger an ADD record is than the SEEN record of the same order, less the body:
     * id (8) and length of the order number (2) against nothing. Both carry the time, the order
     * number and the record's frame.
     */
    static final int ADD_MINUS_SEEN_BYTES = 8 + 2;

    /** What the records of a file say, in file order. */
    interface Reader {
        void add(long id, long createdAtMillis, String orderNumber, byte[] body);

        void done(long id);

        void seen(long createdAtMillis, String orderNumber);
    }

    private OutboxLog() {
    }

    static byte[] header() {
        return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC).putInt(VERSION).putInt(0).array();
    }

    static byte[] add(long id, long createdAtMillis, String orderNumber, byte[] body) {
        byte[] number = utf8(orderNumber);
        ByteBuffer payload = ByteBuffer.allocate(8 + 8 + 2 + number.length + body.length)
                .putLong(id).putLong(createdAtMillis).putShort((short) number.length).put(number).put(body);
        return record(ADD, payload.array());
    }

    static byte[] done(long id, byte how) {
        return record(DONE, ByteBuffer.allocate(9).putLong(id).put(how).array());
    }

    static byte[] seen(String orderNumber, long createdAtMillis) {
        byte[] number = utf8(orderNumber);
        return record(SEEN, ByteBuffer.allocate(8 + number.length).putLong(createdAtMillis).put(number).array());
    }

    private static byte[] record(byte type, byte[] payload) {
        int length = 1 + payload.length;
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(payload);
        return ByteBuffer.allocate(FRAME + length).putInt(length).putInt((int) crc.getValue()).put(type).put(payload)
                .array();
    }

    /**
     * Reads a whole file into {@code reader}.
     *
     * @param bytes the file, or null when there is none
     * @param problems gets one line per stretch of bytes that had to be skipped
     * @return true when the file must be rewritten before records are appended to it: it is new,
     *         or parts of it were skipped
     * @throws IOException when the file is of another format or version, or holds a record that
     *         passed its checksum but cannot be read (a bug, not a crash: nothing is guessed)
     */
    static boolean read(byte[] bytes, Path file, Reader reader, List<String> problems) throws IOException {
        if (bytes == null || bytes.length == 0) {
            return true;
        }
        if (bytes.length < HEADER_SIZE) {
            // A crash while the file was first written; nothing was ever acknowledged from it.
            problems.add("outbox file " + file + " has a torn header of " + bytes.length + " bytes; started anew");
            return true;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("outbox file " + file + " is not a helloretail4j outbox: expected magic "
                    + new String(MAGIC, StandardCharsets.US_ASCII) + ", found "
                    + Messages.echo(new String(magic, StandardCharsets.ISO_8859_1)));
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new IOException("outbox file " + file + " has format version " + version
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
                problems.add(next >= bytes.length
                        ? "outbox file " + file + ": torn or corrupt tail of " + (bytes.length - pos)
                                + " bytes at offset " + pos + " skipped (a crash while writing leaves this)"
                        : "outbox file " + file + ": " + (next - pos) + " corrupt bytes at offset " + pos
                                + " skipped; reading went on at offset " + next);
                pos = next;
                continue;
            }
            apply(ByteBuffer.wrap(bytes, pos + FRAME, length), file, pos, reader);
            pos += FRAME + length;
        }
        return damaged;
    }

    /** The length of the valid record at {@code pos}, or -1. */
    private static int validRecordAt(byte[] bytes, int pos) {
        if (pos + FRAME + 1 > bytes.length) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, pos, FRAME);
        int length = b.getInt();
        int crc = b.getInt();
        if (length < 1 || length > MAX_RECORD || length > bytes.length - pos - FRAME) {
            return -1;
        }
        CRC32C c = new CRC32C();
        c.update(bytes, pos + FRAME, length);
        byte type = bytes[pos + FRAME];
        return (int) c.getValue() == crc && type >= ADD && type <= SEEN ? length : -1;
    }

    private static void apply(ByteBuffer r, Path file, int offset, Reader reader) throws IOException {
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
                    reader.add(id, createdAt, new String(number, StandardCharsets.UTF_8), body);
                }
                case DONE -> reader.done(r.getLong());
                case SEEN -> {
                    long createdAt = r.getLong();
                    byte[] number = new byte[r.remaining()];
                    r.get(number);
                    reader.seen(createdAt, new String(number, StandardCharsets.UTF_8));
                }
                default -> throw new IOException("unknown record type " + type);
            }
        } catch (BufferUnderflowException e) {
            throw new IOException("outbox file " + file + ": record at offset " + offset
                    + " passed its checksum but is malformed", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
