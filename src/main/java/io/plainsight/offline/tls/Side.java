package io.plainsight.offline.tls;

import java.util.ArrayDeque;

/**
 * One direction of a connection: the bytes of an incomplete record, the handshake bytes of an
 * incomplete message, and how its records are protected right now.
 */
final class Side {
    /** Records are in the clear (before ChangeCipherSpec / the TLS 1.3 ServerHello). */
    static final int PLAIN = 0;
    /**
     * Client only: after the first ClientHello, until the ServerHello (or HelloRetryRequest): records
     * wait, since only the server's choice says what they are (TLS 1.3 0-RTT data and compatibility
     * ChangeCipherSpec, or a TLS 1.2 ChangeCipherSpec and Finished seen early by the capture).
     */
    static final int AWAITING_SERVER_HELLO = 1;
    /** Most bytes kept while {@link #AWAITING_SERVER_HELLO}. */
    static final int MAX_DEFERRED = 1 << 20;
    /** Records are protected with {@link #keyKind} keys of {@link #keysOf}. */
    static final int PROTECTED = 2;

    /** TLS 1.2 and earlier: the key block of {@link #keysOf}. */
    static final int KEYS_TLS12 = 0;
    /** TLS 1.3 client_early_traffic_secret (0-RTT), with trial of the handshake keys. */
    static final int KEYS_EARLY = 1;
    /** TLS 1.3 [sender]_handshake_traffic_secret. */
    static final int KEYS_HANDSHAKE = 2;
    /** TLS 1.3 [sender]_application_traffic_secret_N. */
    static final int KEYS_APPLICATION = 3;

    final boolean client;
    final String name;

    /** Length of a framing buffer grown to the largest record. */
    private static final int FULL = TlsStreamDecryptor.MAX_FRAGMENT + 5;
    /** Full-size framing buffers most kept per thread for the next record that spans segments. */
    private static final int MAX_SPARE = 64;
    /**
     * Full-size framing buffers not in use, per thread (a decryptor is used by one thread at a
     * time): a direction whose last record is complete gives its buffer back, so a connection
     * that idles holds none (about 18 KB less per open connection) and the next record that
     * spans segments, on any connection, takes one without allocating.
     */
    private static final ThreadLocal<ArrayDeque<byte[]>> SPARE = ThreadLocal.withInitial(ArrayDeque::new);

    // record framing: bytes [start, end) of buf wait for the rest of their record
    byte[] buf;
    int start;
    int end;
    /** Stream offset of the next byte to frame (bytes framed or skipped so far). */
    long offset;
    /** Stream offset of the record being processed. */
    long recordOffset;
    /** Records framed so far (1-based number of the current one). */
    long records;
    boolean dead;

    int mode = PLAIN;
    Handshake keysOf;
    int keyKind;
    /** Null until the first protected record needs it (keys are looked up then). */
    RecordDecrypter decrypter;
    /** TLS 1.3: the current application traffic secret (for KeyUpdate). */
    byte[] applicationSecret;
    int keyGeneration;

    // 0-RTT (client, TLS 1.3)
    RecordDecrypter early;
    boolean earlyLookedUp;
    int earlySkipped;
    ArrayDeque<Deferred> deferred;
    long deferredBytes;

    // handshake message reassembly
    byte[] hs;
    int hsLength;

    long plaintextRecords;
    long plaintextBytes;

    /** A client record kept until the ServerHello says what it is. */
    record Deferred(long timestampMicros, long offset, long number, int type, int version, byte[] fragment) {}

    Side(boolean client) {
        this.client = client;
        this.name = client ? "client->server" : "server->client";
    }

    int buffered() {
        return end - start;
    }

    /**
     * Bytes still missing from the record that starts the framing buffer (at least 1): first its
     * header, then its body. Only meaningful while {@link #buffered()} is not 0.
     */
    int missing() {
        int have = end - start;
        if (have < 5) {
            return 5 - have; // an SSLv2 hello is longer than 5 bytes too
        }
        int length = records == 0 && client && (buf[start] & 0x80) != 0
                ? 2 + (((buf[start] & 0x7f) << 8) | (buf[start + 1] & 0xff))
                : 5 + (((buf[start + 3] & 0xff) << 8) | (buf[start + 4] & 0xff));
        return Math.max(1, length - have);
    }

    /** Appends {@code b[off, off+n)} to the framing buffer (which holds at most one record). */
    void add(byte[] b, int off, int n) {
        if (buf == null) {
            byte[] spare = n <= FULL ? SPARE.get().pollFirst() : null;
            buf = spare != null ? spare : new byte[Math.max(1024, n)];
        } else if (buf.length - end < n) {
            int used = end - start;
            if (buf.length < used + n) {
                byte[] bigger = new byte[Math.max(Math.min(buf.length * 2, TlsStreamDecryptor.MAX_FRAGMENT + 5), used + n)];
                System.arraycopy(buf, start, bigger, 0, used);
                buf = bigger;
            } else {
                System.arraycopy(buf, start, buf, 0, used);
            }
            start = 0;
            end = used;
        }
        System.arraycopy(b, off, buf, end, n);
        end += n;
    }

    /** Keeps {@code b[from, to)} (the start of an incomplete record) for the next call. */
    void keep(byte[] b, int from, int to) {
        start = 0;
        end = 0;
        add(b, from, to - from);
    }

    /** After framing up to {@code pos} of {@link #buf}. */
    void consumedTo(int pos) {
        start = pos;
        if (start == end) {
            start = 0;
            end = 0;
            if (buf != null && buf.length >= 4096) {
                ArrayDeque<byte[]> spare = SPARE.get();
                if (buf.length == FULL && spare.size() < MAX_SPARE) {
                    spare.addFirst(buf);
                }
                buf = null;
            }
        }
    }

    void hsAppend(byte[] b, int off, int len) {
        if (hs == null) {
            hs = new byte[Math.max(1024, len)];
        } else if (hs.length - hsLength < len) {
            hs = java.util.Arrays.copyOf(hs, Math.max(hs.length * 2, hsLength + len));
        }
        System.arraycopy(b, off, hs, hsLength, len);
        hsLength += len;
    }

    void hsConsume(int n) {
        System.arraycopy(hs, n, hs, 0, hsLength - n);
        hsLength -= n;
        if (hsLength == 0 && hs.length > 4096) { // a certificate chain's room is not needed again
            hs = null;
        }
    }

    void protect(Handshake h, int kind) {
        mode = PROTECTED;
        keysOf = h;
        keyKind = kind;
        decrypter = null;
    }

    /** Frees the buffers of a direction that will not be decrypted further. */
    void kill() {
        dead = true;
        buf = null;
        start = 0;
        end = 0;
        hs = null;
        hsLength = 0;
        deferred = null;
    }
}
