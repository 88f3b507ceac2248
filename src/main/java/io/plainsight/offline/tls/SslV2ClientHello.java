package io.plainsight.offline.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * An SSL 2.0-format CLIENT-HELLO (RFC 6101 appendix E, RFC 5246 E.2), which old clients send to
 * offer SSL 3.0 or TLS while still talking to SSL 2 servers. Its challenge, left-padded with
 * zeros to 32 bytes, is the client random of the SSL 3.0/TLS handshake that follows.
 */
record SslV2ClientHello(int version, List<Integer> cipherSuites, byte[] sessionId, byte[] clientRandom) {

    /** True when {@code b[off..]} starts an SSLv2 record (2-byte header) holding a CLIENT-HELLO. */
    static boolean looksLikeOne(byte[] b, int off, int available) {
        return available >= 3 && (b[off] & 0x80) != 0 && b[off + 2] == 1;
    }

    /** The record length of the SSLv2 record header at {@code b[off]}. */
    static int recordLength(byte[] b, int off) {
        return ((b[off] & 0x7f) << 8) | (b[off + 1] & 0xff);
    }

    /** Parses the message (from msg_type on). */
    static SslV2ClientHello parse(byte[] b, int off, int len) throws ByteReader.MalformedException {
        ByteReader r = new ByteReader(b, off, off + len);
        if (r.u8("msg_type") != 1) {
            throw new ByteReader.MalformedException("not a CLIENT-HELLO");
        }
        int version = r.u16("version");
        int specLength = r.u16("cipher_specs length");
        int idLength = r.u16("session_id length");
        int challengeLength = r.u16("challenge length");
        if (specLength % 3 != 0 || challengeLength < 16 || challengeLength > 32) {
            throw new ByteReader.MalformedException("cipher_specs length " + specLength + ", challenge length "
                    + challengeLength + " (want a multiple of 3, and 16 to 32)");
        }
        List<Integer> suites = new ArrayList<>();
        ByteReader specs = r.sub(specLength, "cipher_specs");
        while (specs.remaining() > 0) {
            int kind = specs.u8("cipher_spec");
            int code = specs.u16("cipher_spec");
            if (kind == 0) {
                suites.add(code);
            }
        }
        byte[] sessionId = r.bytes(idLength, "session_id");
        byte[] challenge = r.bytes(challengeLength, "challenge");
        byte[] random = new byte[32];
        System.arraycopy(challenge, 0, random, 32 - challenge.length, challenge.length);
        return new SslV2ClientHello(version, List.copyOf(suites), sessionId, random);
    }
}
