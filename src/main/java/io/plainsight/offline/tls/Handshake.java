package io.plainsight.offline.tls;

import io.plainsight.proxy.ClientHello;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One handshake of a connection (the first, or a renegotiation), as far as decryption needs it:
 * the hellos, the server certificate and ClientKeyExchange (TLS 1.2 and earlier), the
 * transcript up to the ClientKeyExchange (for the extended master secret), tickets issued, and
 * once resolved, the master secret and the two directions' decrypters.
 */
final class Handshake {
    final int index;

    // ClientHello
    byte[] clientRandom;
    byte[] clientSessionId;
    byte[] clientTicket;
    String sni;
    boolean emsOffered;
    boolean etmOffered;
    boolean earlyDataOffered;
    boolean sslV2Hello;
    /** The first ClientHello message of this handshake (header and body), for fingerprints; null for SSLv2 format. */
    byte[] clientHelloMessage;

    // server side
    ServerHello serverHello;
    /** That ServerHello's message (header and body), for fingerprints. */
    byte[] serverHelloMessage;
    boolean helloRetry;
    byte[] certificate;
    String alpn;
    final List<byte[]> ticketsIssued = new ArrayList<>();

    // client key exchange and transcript (TLS 1.2 and earlier)
    byte[] clientKeyExchange;
    private ByteArrayOutputStream transcript = new ByteArrayOutputStream();
    byte[] transcriptToClientKeyExchange;

    // resolution (TLS 1.2 and earlier)
    boolean resolved;
    String failure;
    byte[] masterSecret;
    String keySource;
    String resumption;
    RecordDecrypter clientDecrypter;
    RecordDecrypter serverDecrypter;
    CipherSuite suite;
    boolean infoReported;
    /** Whether its keys went to {@link TlsListener#secrets} (TLS 1.3: the handshake and traffic secrets). */
    boolean secretsReported;
    /** Whether the early traffic secret went to {@link TlsListener#secrets}. */
    boolean earlySecretReported;

    Handshake(int index) {
        this.index = index;
    }

    void clientHello(ClientHello ch) {
        clientRandom = ch.random();
        clientSessionId = ch.sessionId();
        clientTicket = ch.sessionTicket();
        sni = ch.sni();
        emsOffered = ch.extensions().contains(ServerHello.EXT_EXTENDED_MASTER_SECRET);
        etmOffered = ch.extensions().contains(ServerHello.EXT_ENCRYPT_THEN_MAC);
        earlyDataOffered = ch.extensions().contains(ServerHello.EXT_EARLY_DATA);
    }

    void clientHello(SslV2ClientHello ch) {
        clientRandom = ch.clientRandom();
        clientSessionId = ch.sessionId();
        sslV2Hello = true;
    }

    int version() {
        return serverHello == null ? 0 : serverHello.version();
    }

    boolean tls13() {
        return serverHello != null && serverHello.tls13();
    }

    /** Adds a handshake message (header and body) to the transcript, until the ClientKeyExchange. */
    void transcript(byte[] b, int off, int len) {
        if (transcript != null) {
            transcript.write(b, off, len);
        }
    }

    /** Ends the transcript at the ClientKeyExchange (which the caller added just before). */
    void clientKeyExchange(byte[] body) {
        clientKeyExchange = body;
        if (transcript != null) {
            transcriptToClientKeyExchange = transcript.toByteArray();
            transcript = null;
        }
    }

    /** No more transcript needed (TLS 1.3, or an abbreviated handshake). */
    void dropTranscript() {
        transcript = null;
    }

    /** A Certificate (TLS 1.2 and earlier): keeps the server's (first) certificate. */
    void certificate(byte[] b, int off, int len) throws ByteReader.MalformedException {
        ByteReader r = new ByteReader(b, off, off + len);
        ByteReader list = r.sub(r.u24("certificate_list length"), "certificate_list");
        if (certificate == null && list.remaining() > 0) {
            certificate = list.bytes(list.u24("certificate length"), "certificate");
        }
    }

    /** A NewSessionTicket (RFC 5077): the session can be resumed with it, here or in a later connection. */
    void newSessionTicket(byte[] b, int off, int len, SessionCache sessions) throws ByteReader.MalformedException {
        ByteReader r = new ByteReader(b, off, off + len);
        r.skip(4, "ticket_lifetime_hint");
        byte[] ticket = r.bytes(r.u16("ticket length"), "ticket");
        ticketsIssued.add(ticket);
        if (masterSecret != null) { // else cached when the master secret is found
            sessions.putTicket(ticket, new SessionCache.Session(masterSecret, version(), serverHello.cipherSuite(), keySource));
        }
    }

    /** TLS 1.3 EncryptedExtensions: the selected ALPN protocol. */
    void encryptedExtensions(byte[] b, int off, int len) throws ByteReader.MalformedException {
        ByteReader r = new ByteReader(b, off, off + len);
        ByteReader ext = r.sub(r.u16("extensions length"), "extensions");
        while (ext.remaining() > 0) {
            int type = ext.u16("extension type");
            ByteReader e = ext.sub(ext.u16("extension length"), "extension " + type);
            if (type == ServerHello.EXT_ALPN) {
                alpn = ServerHello.alpn(e);
            }
        }
    }

    String clientRandomHex() {
        return Bytes.hex(clientRandom);
    }

    TlsHandshakeInfo info() {
        int suiteCode = serverHello == null ? 0 : serverHello.cipherSuite();
        int v = version();
        CipherSuite cs = CipherSuite.byCode(suiteCode);
        boolean etm = serverHello != null && !tls13() && etmOffered && serverHello.encryptThenMac()
                && cs != null && cs.bulk().mode == CipherSuite.Mode.CBC;
        boolean ems = serverHello != null && !tls13() && emsOffered && serverHello.extendedMasterSecret();
        return new TlsHandshakeInfo(TlsHandshakeInfo.versionName(v), v, CipherSuite.nameOf(suiteCode), suiteCode, sni,
                alpn, resumption, index > 0, clientRandomHex(), etm, ems, clientHelloMessage, serverHelloMessage);
    }
}
