package io.plainsight.offline.tls;

import io.netty.buffer.Unpooled;
import io.plainsight.proxy.ClientHello;
import io.plainsight.proxy.ClientHelloParser;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The handshake messages of a connection, for {@link TlsStreamDecryptor}: reassembled per
 * direction from handshake records (in the clear or decrypted), they start handshakes (a
 * ClientHello, an SSLv2-format one, a renegotiation), and say when keys change (TLS 1.3
 * ServerHello, EndOfEarlyData, Finished, KeyUpdate) and what the keys are made of (certificate,
 * ClientKeyExchange, tickets).
 */
final class HandshakeMessages {
    private final TlsStreamDecryptor d;
    /** The latest handshake (the first, or the renegotiation in progress). */
    private Handshake current;
    private int count;

    HandshakeMessages(TlsStreamDecryptor d) {
        this.d = d;
    }

    Handshake current() {
        return current;
    }

    /** Handshake bytes of one direction (a record's fragment): the complete messages are handled. */
    void bytes(Side s, byte[] b, int off, int len) {
        s.hsAppend(b, off, len);
        int p = 0;
        while (!s.dead && s.hsLength - p >= 4) {
            int mlen = ((s.hs[p + 1] & 0xff) << 16) | ((s.hs[p + 2] & 0xff) << 8) | (s.hs[p + 3] & 0xff);
            if (mlen > TlsStreamDecryptor.MAX_HANDSHAKE_MESSAGE) {
                d.fail(s, "handshake message of " + mlen + " bytes (type " + (s.hs[p] & 0xff) + ") at "
                        + TlsStreamDecryptor.where(s) + ": more than " + TlsStreamDecryptor.MAX_HANDSHAKE_MESSAGE + ", not TLS?");
                return;
            }
            if (s.hsLength - p < 4 + mlen) {
                break;
            }
            int type = s.hs[p] & 0xff;
            try {
                handshakeMessage(s, type, s.hs, p, 4 + mlen);
            } catch (ByteReader.MalformedException | ClientHelloParser.MalformedClientHelloException e) {
                d.fail(null, "malformed " + HandshakeTypes.name(type) + " at " + TlsStreamDecryptor.where(s) + ": "
                        + e.getMessage());
                return;
            }
            p += 4 + mlen;
        }
        if (!s.dead) {
            s.hsConsume(p);
        }
    }

    private void handshakeMessage(Side s, int type, byte[] b, int off, int len) throws ByteReader.MalformedException {
        int body = off + 4;
        int blen = len - 4;
        if (s.client && type == HandshakeTypes.CLIENT_HELLO) {
            clientHello(s, b, off, len);
            return;
        }
        Handshake h = current;
        if (h == null) {
            if (type != HandshakeTypes.HELLO_REQUEST) {
                d.fail(null, HandshakeTypes.name(type) + " at " + TlsStreamDecryptor.where(s) + " before any ClientHello: "
                        + "the capture starts in the middle of the handshake");
            }
            return;
        }
        if (type != HandshakeTypes.HELLO_REQUEST) {
            h.transcript(b, off, len);
        }
        boolean tls13 = h.tls13();
        switch (type) {
            case HandshakeTypes.SERVER_HELLO -> {
                if (!s.client) {
                    serverHello(s, h, b, body, blen);
                }
            }
            case HandshakeTypes.CERTIFICATE -> {
                if (!s.client && !tls13) {
                    h.certificate(b, body, blen);
                }
            }
            case HandshakeTypes.CLIENT_KEY_EXCHANGE -> {
                if (s.client && !tls13) {
                    h.clientKeyExchange(Arrays.copyOfRange(b, body, body + blen));
                }
            }
            case HandshakeTypes.NEW_SESSION_TICKET -> {
                if (!s.client && !tls13) {
                    h.newSessionTicket(b, body, blen, d.keys.sessions());
                }
            }
            case HandshakeTypes.ENCRYPTED_EXTENSIONS -> {
                if (!s.client && tls13) {
                    h.encryptedExtensions(b, body, blen);
                    d.reportHandshake(h);
                }
            }
            case HandshakeTypes.SERVER_HELLO_DONE -> {
                if (!s.client && !tls13) {
                    replayClient(null, "the server chose " + TlsHandshakeInfo.versionName(h.version()));
                }
            }
            case HandshakeTypes.END_OF_EARLY_DATA -> {
                if (s.client && s.keyKind == Side.KEYS_EARLY) {
                    s.keyKind = Side.KEYS_HANDSHAKE;
                    s.decrypter = null;
                }
            }
            case HandshakeTypes.FINISHED -> {
                if (tls13 && s.mode == Side.PROTECTED && s.keyKind != Side.KEYS_APPLICATION) {
                    s.keyKind = Side.KEYS_APPLICATION;
                    s.decrypter = null;
                    s.applicationSecret = null;
                }
            }
            case HandshakeTypes.KEY_UPDATE -> {
                if (tls13 && s.keyKind == Side.KEYS_APPLICATION && s.applicationSecret != null) {
                    s.applicationSecret = Tls13Keys.nextApplicationSecret(h.suite, s.applicationSecret);
                    s.keyGeneration++;
                    s.decrypter = Tls13Keys.decrypter(h.suite, h.version(), s.applicationSecret);
                }
            }
            default -> { }
        }
    }

    private void clientHello(Side s, byte[] b, int off, int len) {
        ClientHello ch = ClientHelloParser.parse(Unpooled.wrappedBuffer(b, off + 4, len - 4));
        Handshake h = current;
        if (h != null && h.helloRetry && h.serverHello == null && Arrays.equals(h.clientRandom, ch.random())) {
            h.clientHello(ch); // the second ClientHello after a HelloRetryRequest
            h.earlyDataOffered = false;
        } else {
            h = new Handshake(count++);
            h.clientHello(ch);
            current = h;
        }
        if (h.clientHelloMessage == null) {
            h.clientHelloMessage = Arrays.copyOfRange(b, off, off + len);
        }
        h.transcript(b, off, len);
        if (s.mode == Side.PLAIN) {
            s.mode = Side.AWAITING_SERVER_HELLO;
        }
        d.clientHelloRead(h, ch);
    }

    void sslV2ClientHello(Side s, byte[] b, int off, int len) {
        SslV2ClientHello ch;
        try {
            ch = SslV2ClientHello.parse(b, off, len);
        } catch (ByteReader.MalformedException e) {
            d.fail(null, "malformed SSLv2-format ClientHello at " + TlsStreamDecryptor.where(s) + ": " + e.getMessage());
            return;
        }
        Handshake h = new Handshake(count++);
        h.clientHello(ch);
        h.transcript(b, off, len);
        current = h;
    }

    private void serverHello(Side s, Handshake h, byte[] b, int off, int len) throws ByteReader.MalformedException {
        ServerHello sh = ServerHello.parse(b, off, len);
        if (sh.helloRetryRequest()) {
            h.helloRetry = true;
            h.earlyDataOffered = false;
            replayClient(null, "the server answered with a HelloRetryRequest");
            return;
        }
        h.serverHello = sh;
        h.serverHelloMessage = Arrays.copyOfRange(b, off - 4, off + len);
        h.alpn = sh.alpn();
        if (sh.compressionMethod() != 0) {
            d.reportHandshake(h);
            d.fail(null, "TLS compression (method " + sh.compressionMethod() + (sh.compressionMethod() == 1 ? ", DEFLATE" : "")
                    + ") is not supported: the plaintext would still be compressed");
            return;
        }
        int draft = (sh.version() & 0xff00) == 0x7f00 ? sh.version() & 0xff : 0;
        if (draft > 0 && draft < 20) {
            d.reportHandshake(h);
            d.fail(null, "TLS 1.3 draft " + draft + " is not supported (drafts 20 and later are)");
            return;
        }
        if (!sh.tls13()) {
            // client records seen early wait for the end of the server's flight (ServerHelloDone, or the
            // ChangeCipherSpec of an abbreviated current), so that its Certificate and the
            // transcript come first
            return;
        }
        h.dropTranscript();
        CipherSuite suite = CipherSuite.byCode(sh.cipherSuite());
        if (suite == null || suite.keyExchange() != CipherSuite.KeyExchange.TLS13) {
            d.reportHandshake(h);
            d.fail(null, "cipher suite " + CipherSuite.nameOf(sh.cipherSuite()) + " is not supported for "
                    + TlsHandshakeInfo.versionName(sh.version()));
            return;
        }
        h.suite = suite;
        h.resumption = sh.preSharedKey() ? "PSK" : null;
        s.protect(h, Side.KEYS_HANDSHAKE);
        d.reportTls13Secrets(h);
        replayClient(h, null);
    }

    /**
     * The ServerHello (or HelloRetryRequest) is known: the client's waiting records are processed
     * now. {@code tls13} non-null protects the client side with its current's keys (0-RTT first
     * when offered); else the client side is in the clear again, and 0-RTT records are dropped
     * with a note saying {@code whyNoEarlyData}.
     */
    void replayClient(Handshake tls13, String whyNoEarlyData) {
        Side c = d.client;
        if (c.dead || c.mode != Side.AWAITING_SERVER_HELLO) {
            return;
        }
        ArrayDeque<Side.Deferred> waiting = c.deferred;
        c.deferred = null;
        c.deferredBytes = 0;
        if (tls13 != null) {
            c.protect(tls13, tls13.earlyDataOffered ? Side.KEYS_EARLY : Side.KEYS_HANDSHAKE);
        } else {
            c.mode = Side.PLAIN;
        }
        if (waiting == null) {
            return;
        }
        long records = c.records;
        long offset = c.recordOffset;
        int dropped = 0;
        for (Side.Deferred w : waiting) {
            if (c.dead) {
                break;
            }
            if (tls13 == null && w.type() == TlsStreamDecryptor.APPLICATION_DATA && c.mode == Side.PLAIN) {
                dropped++; // 0-RTT data the server did not take
                continue;
            }
            c.records = w.number();
            c.recordOffset = w.offset();
            d.record(c, w.timestampMicros(), w.type(), w.version(), w.fragment(), 0, w.fragment().length);
        }
        c.records = records;
        c.recordOffset = offset;
        if (dropped > 0) {
            d.report.note(dropped + " 0-RTT record(s) skipped: " + whyNoEarlyData);
        }
    }
}
