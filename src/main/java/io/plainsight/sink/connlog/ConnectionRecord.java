package io.plainsight.sink.connlog;

import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.tls.HelloFingerprints;
import io.plainsight.tls.Ja3;
import io.plainsight.tls.Ja3s;

/**
 * What the connection log knows about one open connection: how it opened, the TLS of each leg,
 * and the fingerprints of the hellos (computed when the handshake is reported, so that the hello
 * messages are not kept). Sink-thread only.
 */
final class ConnectionRecord {
    /** One leg's TLS as the log shows it. */
    record LegTls(String version, String cipher, String alpn, String sni, String certificateSha256,
            String certificateSubject) {
        static LegTls of(TlsEstablished t) {
            return new LegTls(t.protocol(), t.cipher(), t.alpn(), t.sni(), t.peerCertificateSha256(), t.certificateSubject());
        }
    }

    final ConnectionOpened opened;
    LegTls clientTls;
    LegTls upstreamTls;
    /** The client's ClientHello: its JA3 and JA4 (the first handshake's), or null. */
    Ja3 ja3;
    String ja4;
    /** The server's ServerHello: its JA3S and JA4S (the first handshake's), or null. */
    Ja3s ja3s;
    String ja4s;

    ConnectionRecord(ConnectionOpened opened) {
        this.opened = opened;
    }

    /**
     * A handshake on one leg. JA3/JA4 come from the client leg's ClientHello (the client's own);
     * JA3S/JA4S from the upstream leg's ServerHello (the server's), or, for a capture file, where
     * there is only the one connection, from its ServerHello.
     */
    void tls(TlsEstablished t) {
        boolean client = t.leg() == Leg.CLIENT;
        if (client) {
            clientTls = LegTls.of(t);
        } else {
            upstreamTls = LegTls.of(t);
        }
        if (client && ja3 == null && ja4 == null && t.clientHello() != null) {
            ja3 = HelloFingerprints.ja3(t.clientHello());
            ja4 = HelloFingerprints.ja4(t.clientHello());
        }
        boolean serversHello = !client || opened.mode() == Mode.OFFLINE;
        if (serversHello && ja3s == null && ja4s == null && t.serverHello() != null) {
            ja3s = HelloFingerprints.ja3s(t.serverHello());
            ja4s = HelloFingerprints.ja4s(t.serverHello());
        }
    }
}
