package io.plainsight.offline.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Decrypts one TLS connection from its two reassembled TCP byte streams, the way tshark does
 * with the same keys: SSL 3.0 to TLS 1.3 (and TLS 1.3 draft 20 and later drafts), an SSLv2-format
 * ClientHello, renegotiation, resumption by session ID or ticket (also across connections, through
 * the {@link DecryptionKeys}' session cache), TLS 1.3 PSK resumption and 0-RTT data (decrypted
 * with CLIENT_EARLY_TRAFFIC_SECRET, skipped with a note without it), HelloRetryRequest, records
 * and handshake messages split anyhow across segments and records.
 *
 * <p>Feed it the bytes of both directions in capture order, split in any way, with {@link #gap}
 * where reassembly is missing bytes, then {@link #end}. Application data comes out through the
 * {@link TlsListener} in order. Pure: no threads, no I/O; bad input never throws: it ends up in
 * {@link TlsListener#failed} with the precise reason (no key for a client random, forward-secret
 * key exchange with only an RSA key, wrong RSA key, MAC failure at record N, gap at byte N, not
 * TLS). Keys are looked up when the first protected record needs them, so key log lines added to
 * the {@link DecryptionKeys} after the connection started still count. Not thread-safe: one
 * thread per decryptor at a time.
 *
 * <p>Speed and memory: records inside a heap {@link ByteBuf} are decrypted where they are; only a
 * record that spans calls is copied (into a per-direction buffer that holds at most one record),
 * and direct buffers are copied through a per-thread heap array. Plaintext goes to a per-thread
 * buffer, with the direction's reused {@code javax.crypto} objects, so the record path allocates
 * nothing itself (the JDK allocates inside {@code Cipher.init} for GCM and ChaCha20, about 1 and
 * 2.4 KB per record, and HMAC about 150 bytes).
 */
public final class TlsStreamDecryptor {
    static final int CHANGE_CIPHER_SPEC = 20;
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    static final int HEARTBEAT = 24;
    /** Largest record fragment accepted (RFC 5246 6.2.3: 2^14 + 2048). */
    static final int MAX_FRAGMENT = 16384 + 2048;
    /** Largest handshake message accepted (certificate chains are far smaller). */
    static final int MAX_HANDSHAKE_MESSAGE = 1 << 20;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers: plaintext, the ByteBuf view of it handed to listeners, and a copy of direct input. */
    private static final class Scratch {
        final byte[] out = new byte[MAX_FRAGMENT + 1024];
        final ByteBuf view = Unpooled.wrappedBuffer(out);
        final byte[] staging = new byte[64 * 1024];
    }

    private final long connectionId;
    final DecryptionKeys keys;
    /** The listener, with what it throws marked as its own. */
    final TlsListener report;
    private final InetSocketAddress server;
    final Side client = new Side(true);
    private final Side serverSide = new Side(false);
    private Scratch scratch;
    /** Whether records are decrypted into fresh arrays handed to the listener ({@link TlsListener#keepsPlaintext}). */
    private final boolean handOver;
    private final HandshakeMessages messages = new HandshakeMessages(this);
    private boolean failureReported;
    private boolean ended;

    /** A decryptor for a connection whose server address is unknown (RSA keys narrowed to an address are then tried too). */
    public TlsStreamDecryptor(long connectionId, DecryptionKeys keys, TlsListener listener) {
        this(connectionId, keys, listener, null);
    }

    /**
     * @param connectionId for messages only
     * @param server the server's address and port (narrows RSA keys given with an address when
     *     the server certificate is not in the capture), or null
     */
    public TlsStreamDecryptor(long connectionId, DecryptionKeys keys, TlsListener listener, InetSocketAddress server) {
        this.connectionId = connectionId;
        this.keys = keys;
        this.report = new GuardedListener(listener);
        this.server = server;
        this.handOver = listener.keepsPlaintext();
    }

    /** Where a protected record of {@code len} bytes is decrypted: a fresh array when handed over, else the reused one. */
    private byte[] output(int len) {
        return handOver ? new byte[len] : scratch.out;
    }

    public long connectionId() {
        return connectionId;
    }

    /**
     * The next bytes of one direction: the readable bytes of {@code bytes}, which are neither
     * consumed nor kept (copied if they end inside a record).
     */
    public void data(boolean fromClient, long timestampMicros, ByteBuf bytes) {
        try {
            doData(fromClient, timestampMicros, bytes);
        } catch (RuntimeException e) {
            unexpected(e);
        }
    }

    private void doData(boolean fromClient, long timestampMicros, ByteBuf bytes) {
        Side s = fromClient ? client : serverSide;
        int from = bytes.readerIndex();
        int to = bytes.writerIndex();
        if (s.dead || ended || from == to) {
            s.offset += s.dead ? to - from : 0;
            return;
        }
        scratch = SCRATCH.get();
        if (bytes.hasArray()) {
            int base = bytes.arrayOffset();
            feed(s, timestampMicros, bytes.array(), base + from, base + to);
            return;
        }
        byte[] staging = scratch.staging;
        while (from < to && !s.dead) {
            int n = Math.min(staging.length, to - from);
            bytes.getBytes(from, staging, 0, n);
            feed(s, timestampMicros, staging, 0, n);
            from += n;
        }
    }

    /**
     * Frames {@code a[from, to)}: the bytes a pending record misses are copied to complete it; the
     * complete records after it are decrypted where they are; an incomplete last one is kept.
     */
    private void feed(Side s, long ts, byte[] a, int from, int to) {
        while (from < to && !s.dead) {
            if (s.buffered() > 0) {
                int n = Math.min(to - from, s.missing());
                s.add(a, from, n);
                from += n;
                int pos = frame(s, ts, s.buf, s.start, s.end);
                if (!s.dead) {
                    s.consumedTo(pos);
                }
                continue;
            }
            int pos = frame(s, ts, a, from, to);
            if (!s.dead && pos < to) {
                s.keep(a, pos, to);
            }
            return;
        }
    }

    /**
     * {@code missingBytes} of one direction are missing (TCP reassembly could not fill a hole).
     * Record boundaries and sequence numbers are lost, so that direction stops being decrypted.
     */
    public void gap(boolean fromClient, long missingBytes) {
        gap(fromClient, missingBytes, -1);
    }

    /**
     * As {@link #gap(boolean, long)}, naming in the reason the raw TCP sequence number of the first
     * missing byte ({@code -1}: unknown), e.g. {@code TcpConnection.sequenceAt} of the reassembler.
     */
    public void gap(boolean fromClient, long missingBytes, long tcpSequence) {
        Side s = fromClient ? client : serverSide;
        if (s.dead || ended) {
            return;
        }
        try {
            doGap(s, missingBytes, tcpSequence);
        } catch (RuntimeException e) {
            unexpected(e);
        }
    }

    private void doGap(Side s, long missingBytes, long tcpSequence) {
        long at = s.offset + s.buffered();
        fail(s, "gap in the " + s.name + " TCP stream " + (tcpSequence >= 0 ? "at sequence number " + tcpSequence + ", " : "")
                + "after byte " + at + " (relative sequence number " + (at + 1) + "): " + missingBytes + " bytes missing"
                + (s.buffered() > 0 ? ", inside record " + (s.records + 1) : ""));
    }

    /** The connection ended (or the capture did): reports what was left incomplete, as notes. */
    public void end(long timestampMicros) {
        if (ended) {
            return;
        }
        try {
            doEnd();
        } catch (RuntimeException e) {
            unexpected(e);
        } finally {
            ended = true;
            scratch = null;
        }
    }

    private void doEnd() {
        if (messages.current() != null) {
            reportHandshake(messages.current());
        }
        for (Side s : new Side[] {client, serverSide}) {
            if (s.dead) {
                continue;
            }
            if (s.deferred != null && !s.deferred.isEmpty()) {
                report.note(s.deferred.size() + " " + s.name + " record(s) after the ClientHello were not decrypted: no "
                        + "ServerHello followed");
            }
            if (s.buffered() > 0) {
                report.note("the connection ended inside a " + s.name + " record: " + s.buffered()
                        + " bytes of record " + (s.records + 1) + " at byte " + s.offset + " were not decrypted");
            }
            if (s.hsLength > 0) {
                report.note("the connection ended inside a " + s.name + " handshake message (" + s.hsLength + " bytes)");
            }
            s.kill();
        }
    }

    // ---- record framing ----

    /** Frames and processes the complete records in {@code b[pos, limit)}; returns where the incomplete rest starts. */
    private int frame(Side s, long ts, byte[] b, int pos, int limit) {
        while (!s.dead) {
            int avail = limit - pos;
            if (s.records == 0 && s.client && SslV2ClientHello.looksLikeOne(b, pos, avail)) {
                int len = SslV2ClientHello.recordLength(b, pos);
                if (avail < 2 + len) {
                    break;
                }
                s.records++;
                s.recordOffset = s.offset;
                messages.sslV2ClientHello(s, b, pos + 2, len);
                pos += 2 + len;
                s.offset += 2 + len;
                continue;
            }
            if (avail < 5) {
                break;
            }
            int type = b[pos] & 0xff;
            int version = ((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff);
            int len = ((b[pos + 3] & 0xff) << 8) | (b[pos + 4] & 0xff);
            if (type < CHANGE_CIPHER_SPEC || type > HEARTBEAT || (version >>> 8) != 3 || len > MAX_FRAGMENT) {
                fail(s, notARecord(s, b, pos, avail));
                break;
            }
            if (avail < 5 + len) {
                break;
            }
            s.records++;
            s.recordOffset = s.offset;
            record(s, ts, type, version, b, pos + 5, len);
            pos += 5 + len;
            s.offset += 5 + len;
        }
        return pos;
    }

    private String notARecord(Side s, byte[] b, int pos, int avail) {
        int n = Math.min(avail, 8);
        StringBuilder hex = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = b[pos + i] & 0xff;
            hex.append(i == 0 ? "" : " ").append(String.format("%02x", c));
            text.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        if (s.records == 0 && s.offset == 0) {
            return "not TLS: the " + s.name + " stream starts with " + hex + " (\"" + text + "\")";
        }
        return "not a TLS record header at " + s.name + " byte " + s.offset + " (after record " + s.records + "): " + hex;
    }

    void record(Side s, long ts, int type, int version, byte[] b, int off, int len) {
        switch (s.mode) {
            case Side.PLAIN -> {
                if (type == APPLICATION_DATA) {
                    fail(s, "application data in the clear at " + where(s) + ": "
                            + (messages.current() == null ? "the capture starts after the TLS handshake (no ClientHello)"
                                    : "no ChangeCipherSpec before it"));
                    return;
                }
                content(s, ts, type, b, off, len, false);
            }
            case Side.AWAITING_SERVER_HELLO -> {
                if (s.deferred == null) {
                    s.deferred = new ArrayDeque<>();
                }
                s.deferredBytes += len;
                if (s.deferredBytes > Side.MAX_DEFERRED) {
                    fail(s, "the client sent more than " + Side.MAX_DEFERRED + " bytes after its ClientHello without a "
                            + "ServerHello: not TLS, or the server side is missing");
                    return;
                }
                s.deferred.add(new Side.Deferred(ts, s.recordOffset, s.records, type, version,
                        Arrays.copyOfRange(b, off, off + len)));
            }
            default -> protectedRecord(s, ts, type, version, b, off, len);
        }
    }

    private void protectedRecord(Side s, long ts, int type, int version, byte[] b, int off, int len) {
        Handshake h = s.keysOf;
        if (type == CHANGE_CIPHER_SPEC && h.tls13()) {
            return; // middlebox compatibility (RFC 8446 D.4): never protected
        }
        if (s.keyKind == Side.KEYS_EARLY) {
            earlyRecord(s, ts, type, version, b, off, len);
            return;
        }
        RecordDecrypter d = s.decrypter;
        if (d == null) {
            d = keysFor(s, type, version, b, off, len);
            if (d == null) {
                return;
            }
        }
        byte[] out = output(len);
        int n = d.decrypt(type, version, b, off, len, out);
        if (n == RecordDecrypter.BAD) {
            fail(s, "MAC failure at " + where(s) + " (" + d.describe() + ", record " + (d.seq + 1) + " under keys from "
                    + keySource(s) + "): wrong key for client_random " + h.clientRandomHex() + ", or corrupted data");
            return;
        }
        content(s, ts, d.innerType, out, d.plainOffset, n, handOver);
    }

    /** TLS 1.3 client records after a ClientHello that offered 0-RTT: early data, or (rejected / no secret) the handshake. */
    private void earlyRecord(Side s, long ts, int type, int version, byte[] b, int off, int len) {
        Handshake h = s.keysOf;
        byte[] out = output(len);
        if (!s.earlyLookedUp) {
            s.earlyLookedUp = true;
            byte[] secret = keys.secret(KeyLogLabel.CLIENT_EARLY_TRAFFIC_SECRET, h.clientRandom);
            if (secret != null) {
                reportEarlySecret(h);
                s.early = Tls13Keys.decrypter(h.suite, h.version(), secret);
            }
        }
        if (s.early != null) {
            int n = s.early.decrypt(type, version, b, off, len, out);
            if (n != RecordDecrypter.BAD) {
                content(s, ts, s.early.innerType, out, s.early.plainOffset, n, handOver);
                return;
            }
        }
        RecordDecrypter hs = s.decrypter;
        if (hs == null) {
            hs = keysFor(s, type, version, b, off, len);
            if (hs == null) {
                return;
            }
        }
        int n = hs.decrypt(type, version, b, off, len, out);
        if (n != RecordDecrypter.BAD) {
            s.keyKind = Side.KEYS_HANDSHAKE;
            if (s.earlySkipped > 0) {
                report.note(s.earlySkipped + " 0-RTT early data record(s) " + s.name + " skipped: "
                        + (s.early == null ? "the key log has no CLIENT_EARLY_TRAFFIC_SECRET for client_random "
                                + h.clientRandomHex() : "they do not decrypt with its CLIENT_EARLY_TRAFFIC_SECRET"));
            }
            content(s, ts, hs.innerType, out, hs.plainOffset, n, handOver);
            return;
        }
        s.earlySkipped++;
    }

    /** Looks up (or resolves) the keys of a protected direction; null after reporting a failure. */
    private RecordDecrypter keysFor(Side s, int type, int version, byte[] b, int off, int len) {
        Handshake h = s.keysOf;
        if (s.keyKind == Side.KEYS_TLS12) {
            if (!h.resolved) {
                Tls12Keys.resolve(h, keys, server, new Tls12Keys.FirstRecord(s.client, type, version, b, off, len, scratch.out));
                reportHandshake(h);
            }
            if (h.failure != null) {
                fail(null, h.failure);
                return null;
            }
            if (!h.secretsReported && h.masterSecret != null) {
                h.secretsReported = true;
                report.secrets(KeyLogLabel.CLIENT_RANDOM.name() + " " + Bytes.hex(h.clientRandom) + " "
                        + Bytes.hex(h.masterSecret) + "\n");
            }
            RecordDecrypter d = s.client ? h.clientDecrypter : h.serverDecrypter;
            if (d == null) {
                fail(s, "the keys of handshake " + (h.index + 1) + " were already used by " + s.name + " (two ChangeCipherSpecs?)");
                return null;
            }
            if (s.client) {
                h.clientDecrypter = null;
            } else {
                h.serverDecrypter = null;
            }
            s.decrypter = d;
            return d;
        }
        KeyLogLabel label = s.keyKind != Side.KEYS_APPLICATION // handshake keys, also tried for 0-RTT
                ? (s.client ? KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET : KeyLogLabel.SERVER_HANDSHAKE_TRAFFIC_SECRET)
                : (s.client ? KeyLogLabel.CLIENT_TRAFFIC_SECRET_0 : KeyLogLabel.SERVER_TRAFFIC_SECRET_0);
        byte[] secret = s.keyKind == Side.KEYS_APPLICATION && s.applicationSecret != null
                ? s.applicationSecret : keys.secret(label, h.clientRandom);
        if (secret == null) {
            reportHandshake(h);
            boolean any = false;
            for (KeyLogLabel l : KeyLogLabel.values()) {
                any |= keys.secret(l, h.clientRandom) != null;
            }
            if (any) {
                fail(s, "the key log has no " + label + " for client_random " + h.clientRandomHex() + " (" + s.name
                        + " cannot be decrypted)");
            } else if (!keys.rsaKeys().isEmpty()) {
                fail(null, "forward-secret key exchange (" + TlsHandshakeInfo.versionName(h.version()) + ") and only an RSA "
                        + "key given: it needs the key log's traffic secrets for client_random " + h.clientRandomHex() + " ("
                        + keys.describeKeyLog() + ")");
            } else {
                fail(null, "no key for client_random " + h.clientRandomHex() + " (" + TlsHandshakeInfo.versionName(h.version())
                        + " needs the key log's traffic secrets; " + keys.describeKeyLog() + ")");
            }
            return null;
        }
        if (s.keyKind == Side.KEYS_APPLICATION) {
            s.applicationSecret = secret;
        }
        reportTls13Secrets(h);
        s.decrypter = Tls13Keys.decrypter(h.suite, h.version(), secret);
        return s.decrypter;
    }

    /**
     * A TLS 1.3 handshake's secrets to the listener, once, when the key log has them: at the
     * ServerHello (where a reader of the packets needs them), else at the first record they decrypt.
     */
    void reportTls13Secrets(Handshake h) {
        if (!h.secretsReported) {
            String lines = keyLogLines(h.clientRandom, TLS13_LABELS);
            if (!lines.isEmpty()) {
                h.secretsReported = true;
                report.secrets(lines);
            }
        }
    }

    /** The early traffic secret to the listener, once, when the key log has it. */
    private void reportEarlySecret(Handshake h) {
        if (!h.earlySecretReported) {
            String line = keyLogLines(h.clientRandom, EARLY_LABELS);
            if (!line.isEmpty()) {
                h.earlySecretReported = true;
                report.secrets(line);
            }
        }
    }

    /**
     * A ClientHello was read: the listener learns it, and a 0-RTT offer's early traffic secret
     * (a reader of the packets needs it from the ClientHello on).
     */
    void clientHelloRead(Handshake h, io.plainsight.proxy.ClientHello ch) {
        report.clientHello(ch, h.clientHelloMessage);
        if (h.earlyDataOffered) {
            reportEarlySecret(h);
        }
    }

    /** The TLS 1.3 secrets a key log holds for a client random, as reported to {@link TlsListener#secrets}. */
    private static final KeyLogLabel[] TLS13_LABELS = {KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET,
        KeyLogLabel.SERVER_HANDSHAKE_TRAFFIC_SECRET, KeyLogLabel.CLIENT_TRAFFIC_SECRET_0,
        KeyLogLabel.SERVER_TRAFFIC_SECRET_0, KeyLogLabel.EXPORTER_SECRET};
    private static final KeyLogLabel[] EARLY_LABELS = {KeyLogLabel.CLIENT_EARLY_TRAFFIC_SECRET};

    /** The key log lines of {@code labels} that {@link #keys} has for {@code clientRandom} (empty: none). */
    private String keyLogLines(byte[] clientRandom, KeyLogLabel[] labels) {
        StringBuilder lines = new StringBuilder();
        String random = Bytes.hex(clientRandom);
        for (KeyLogLabel l : labels) {
            byte[] secret = keys.secret(l, clientRandom);
            if (secret != null) {
                lines.append(l.name()).append(' ').append(random).append(' ').append(Bytes.hex(secret)).append('\n');
            }
        }
        return lines.toString();
    }

    private String keySource(Side s) {
        Handshake h = s.keysOf;
        if (s.keyKind == Side.KEYS_TLS12) {
            return h.keySource;
        }
        String who = s.client ? "CLIENT" : "SERVER";
        return "the key log (" + (s.keyKind != Side.KEYS_APPLICATION ? who + "_HANDSHAKE_TRAFFIC_SECRET"
                : who + "_TRAFFIC_SECRET_0" + (s.keyGeneration > 0 ? " + " + s.keyGeneration + " KeyUpdate(s)" : "")) + ")";
    }

    static String where(Side s) {
        return s.name + " record " + s.records + " (byte " + s.recordOffset + ")";
    }

    // ---- content ----

    /** @param fresh whether {@code b} is an array of its own, handed to the listener with the plaintext */
    private void content(Side s, long ts, int type, byte[] b, int off, int len, boolean fresh) {
        switch (type) {
            case APPLICATION_DATA -> {
                if (len > 0) {
                    s.plaintextRecords++;
                    s.plaintextBytes += len;
                    ByteBuf view;
                    if (fresh) {
                        view = Unpooled.wrappedBuffer(b, off, len);
                    } else if (b == scratch.out) {
                        view = scratch.view;
                        view.setIndex(off, off + len);
                    } else { // never for decrypted data; kept for safety
                        view = Unpooled.wrappedBuffer(b, off, len);
                    }
                    report.plaintext(s.client, ts, view);
                }
            }
            case HANDSHAKE -> messages.bytes(s, b, off, len);
            case ALERT -> alert(s, b, off, len);
            case CHANGE_CIPHER_SPEC -> changeCipherSpec(s);
            default -> { } // heartbeat
        }
    }

    private void alert(Side s, byte[] b, int off, int len) {
        for (int i = 0; i + 1 < len; i += 2) {
            int level = b[off + i] & 0xff;
            int description = b[off + i + 1] & 0xff;
            if (description != 0) { // close_notify is the normal end
                report.note(s.name + " alert: " + (level == 2 ? "fatal" : "warning") + " " + Alerts.name(description)
                        + " (" + description + ")");
            }
        }
    }

    private void changeCipherSpec(Side s) {
        Handshake h = messages.current();
        if (h != null && (h.tls13() || h.helloRetry)) {
            return; // TLS 1.3 middlebox compatibility (RFC 8446 D.4)
        }
        if (h == null || h.serverHello == null) {
            fail(null, "ChangeCipherSpec at " + where(s) + " without a ServerHello: the capture misses the handshake");
            return;
        }
        s.protect(h, Side.KEYS_TLS12);
        if (!s.client) {
            messages.replayClient(null, "the server chose " + TlsHandshakeInfo.versionName(h.version()));
        }
    }

    void reportHandshake(Handshake h) {
        if (!h.infoReported && h.serverHello != null) {
            h.infoReported = true;
            report.handshake(h.info());
        }
    }

    // ---- failures ----

    /** Stops decrypting {@code s} (null: both directions), reporting {@code reason} once per connection. */
    void fail(Side s, String reason) {
        if (s == null) {
            if (client.dead && serverSide.dead) {
                return;
            }
            client.kill();
            serverSide.kill();
        } else {
            if (s.dead) {
                return;
            }
            s.kill();
        }
        if (!failureReported) {
            failureReported = true;
            report.failed(reason);
        } else {
            report.note(reason);
        }
    }

    /**
     * A RuntimeException out of the decryptor's own code is a bug, but bad input must still not
     * throw: the connection is reported as failed with what happened. One out of the listener
     * propagates, and the decryptor stops (later calls are ignored).
     */
    private void unexpected(RuntimeException e) {
        if (e instanceof GuardedListener.ListenerException le) {
            client.kill();
            serverSide.kill();
            ended = true;
            throw (RuntimeException) le.getCause();
        }
        String at = "client->server byte " + client.offset + ", server->client byte " + serverSide.offset;
        try {
            fail(null, "internal error of the TLS decryptor at " + at + ": " + e);
        } catch (GuardedListener.ListenerException le) {
            ended = true;
            throw (RuntimeException) le.getCause();
        }
    }
}
