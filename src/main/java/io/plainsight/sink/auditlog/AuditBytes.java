package io.plainsight.sink.auditlog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer an audit log entry is written into, reused from entry to entry: text goes
 * in char by char (no encoder, no temporary arrays) with the same bytes as
 * {@code String.getBytes(ISO_8859_1)} or {@code (US_ASCII)} would give. Not thread-safe.
 */
final class AuditBytes {
    private static final byte[] DIGITS = "0123456789".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int count;
    /** Scratch for {@link #text}. */
    private final char[] chars = new char[4096];
    /** Scratch for {@link #decimal}: a long has at most 19 digits. */
    private final byte[] digits = new byte[19];

    AuditBytes(int capacity) {
        this.buf = new byte[Math.max(16, capacity)];
    }

    /** Text whose chars are bytes (as plainsight decodes HTTP fields): ISO-8859-1, '?' for what it cannot map. */
    AuditBytes latin1(String s) {
        return text(s, 0xff, StandardCharsets.ISO_8859_1);
    }

    /** ASCII text: US-ASCII, '?' for what it cannot map. */
    AuditBytes ascii(String s) {
        return text(s, 0x7f, StandardCharsets.US_ASCII);
    }

    private AuditBytes text(String s, int max, java.nio.charset.Charset charset) {
        int n = s.length();
        if (n > chars.length) {
            return bytes(s.getBytes(charset)); // long text (a reduced form body): the encoder's copy will do
        }
        // copied out (a vectorised copy), checked and narrowed in loops without exits
        char[] cs = chars;
        s.getChars(0, n, cs, 0);
        int all = 0;
        for (int i = 0; i < n; i++) {
            all |= cs[i];
        }
        if (all > max) {
            return bytes(s.getBytes(charset)); // rare (text from outside the wire): as the encoder maps it
        }
        ensure(n);
        byte[] b = buf;
        int at = count;
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) cs[i];
        }
        count = at + n;
        return this;
    }

    /** One ASCII char. */
    AuditBytes ascii(char c) {
        ensure(1);
        buf[count++] = (byte) c;
        return this;
    }

    /** A number in decimal, as {@code Long.toString} writes it. */
    AuditBytes decimal(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return ascii(Long.toString(v));
            }
            ascii('-');
            v = -v;
        }
        byte[] d = digits;
        int at = d.length;
        do {
            long q = v / 10;
            d[--at] = DIGITS[(int) (v - q * 10)];
            v = q;
        } while (v != 0);
        return bytes(d, at, d.length - at);
    }

    /** {@code value} in exactly {@code width} decimal digits, zero-padded (it must fit). */
    AuditBytes zeroPadded(int value, int width) {
        ensure(width);
        for (int i = count + width - 1; i >= count; i--) {
            buf[i] = DIGITS[value % 10];
            value /= 10;
        }
        count += width;
        return this;
    }

    AuditBytes bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    AuditBytes bytes(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, buf, count, length);
        count += length;
        return this;
    }

    /** The array holding the bytes written (the first {@link #size()} of it). */
    byte[] array() {
        return buf;
    }

    int size() {
        return count;
    }

    /** A copy of the bytes written. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }

    /** Forgets what was written (keeps the array unless it grew large for one big entry). */
    void reset() {
        count = 0;
        if (buf.length > 1 << 20) {
            buf = new byte[8192];
        }
    }

    private void ensure(int more) {
        if (count + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(count + more, buf.length * 2));
        }
    }
}
