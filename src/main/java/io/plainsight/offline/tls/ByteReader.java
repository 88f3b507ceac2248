package io.plainsight.offline.tls;

/** Bounds-checked cursor over {@code b[pos, end)} for handshake parsing; errors name the field. */
final class ByteReader {
    /** A handshake message that does not follow its framing; the message names field and offset. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private final byte[] b;
    private final int start;
    int pos;
    final int end;

    ByteReader(byte[] b, int pos, int end) {
        this.b = b;
        this.start = pos;
        this.pos = pos;
        this.end = end;
    }

    int remaining() {
        return end - pos;
    }

    int need(int n, String what) throws MalformedException {
        if (n < 0 || n > end - pos) {
            throw new MalformedException(what + " needs " + n + " bytes, " + (end - pos) + " left at offset " + (pos - start));
        }
        return n;
    }

    int u8(String what) throws MalformedException {
        need(1, what);
        return b[pos++] & 0xff;
    }

    int u16(String what) throws MalformedException {
        need(2, what);
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int u24(String what) throws MalformedException {
        need(3, what);
        int v = ((b[pos] & 0xff) << 16) | ((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff);
        pos += 3;
        return v;
    }

    byte[] bytes(int n, String what) throws MalformedException {
        need(n, what);
        byte[] r = java.util.Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return r;
    }

    void skip(int n, String what) throws MalformedException {
        pos += need(n, what);
    }

    /** A reader over the next {@code n} bytes, which this reader skips. */
    ByteReader sub(int n, String what) throws MalformedException {
        need(n, what);
        ByteReader r = new ByteReader(b, pos, pos + n);
        pos += n;
        return r;
    }
}
