package io.plainsight.offline.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the decryptor (and the JA3S/JA4S fingerprints, {@code io.plainsight.tls.Ja3s}) need from a
 * ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3, and the shorter form of TLS 1.3 drafts up to 21,
 * which has no session ID and no compression method).
 *
 * @param version the negotiated version: supported_versions when present, else the version field
 * @param helloRetryRequest true for a TLS 1.3 HelloRetryRequest (the special random)
 * @param compressionMethod 0 (null), 1 (DEFLATE, RFC 3749), ...; always 0 in TLS 1.3
 * @param alpn the selected protocol (TLS 1.2 and earlier; TLS 1.3 sends it in EncryptedExtensions);
 *     one char per byte (ISO-8859-1)
 * @param legacyVersion the version field itself (0x0303 in TLS 1.3)
 * @param extensions the extension types in the order they appear
 */
public record ServerHello(int version, byte[] random, byte[] sessionId, int cipherSuite, int compressionMethod,
        boolean helloRetryRequest, boolean extendedMasterSecret, boolean encryptThenMac, boolean preSharedKey, String alpn,
        int legacyVersion, List<Integer> extensions) {

    static final byte[] HELLO_RETRY_RANDOM = HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    static final int EXT_ALPN = 16;
    static final int EXT_ENCRYPT_THEN_MAC = 22;
    static final int EXT_EXTENDED_MASTER_SECRET = 23;
    static final int EXT_PRE_SHARED_KEY = 41;
    static final int EXT_EARLY_DATA = 42;
    static final int EXT_SUPPORTED_VERSIONS = 43;

    /**
     * Parses a whole ServerHello handshake message (type 2, 3-byte length, body), as
     * {@code TlsEstablished.serverHello} holds it.
     *
     * @throws IllegalArgumentException naming the field and offset when it is not one, or is malformed
     */
    public static ServerHello ofMessage(byte[] message) {
        if (message.length < 4 || message[0] != HandshakeTypes.SERVER_HELLO) {
            throw new IllegalArgumentException("not a ServerHello handshake message");
        }
        int len = ((message[1] & 0xff) << 16) | ((message[2] & 0xff) << 8) | (message[3] & 0xff);
        if (len > message.length - 4) {
            throw new IllegalArgumentException("ServerHello of " + len + " bytes, " + (message.length - 4) + " given");
        }
        try {
            return parse(message, 4, len);
        } catch (ByteReader.MalformedException e) {
            throw new IllegalArgumentException("malformed ServerHello: " + e.getMessage(), e);
        }
    }

    /** Parses a ServerHello body (after the 4-byte handshake header). */
    static ServerHello parse(byte[] b, int off, int len) throws ByteReader.MalformedException {
        ByteReader r = new ByteReader(b, off, off + len);
        int version = r.u16("server_version");
        int legacyVersion = version;
        List<Integer> extensions = new ArrayList<>();
        byte[] random = r.bytes(32, "random");
        boolean draftFormat = (version & 0xff00) == 0x7f00 && (version & 0xff) < 22;
        byte[] sessionId = new byte[0];
        if (!draftFormat) {
            sessionId = r.bytes(r.u8("session_id length"), "session_id");
        }
        int suite = r.u16("cipher_suite");
        int compression = draftFormat ? 0 : r.u8("compression_method");
        boolean ems = false;
        boolean etm = false;
        boolean psk = false;
        String alpn = null;
        if (r.remaining() > 0) {
            ByteReader ext = r.sub(r.u16("extensions length"), "extensions");
            while (ext.remaining() > 0) {
                int type = ext.u16("extension type");
                ByteReader e = ext.sub(ext.u16("extension length"), "extension " + type);
                extensions.add(type);
                switch (type) {
                    case EXT_SUPPORTED_VERSIONS -> version = e.u16("supported_versions");
                    case EXT_EXTENDED_MASTER_SECRET -> ems = true;
                    case EXT_ENCRYPT_THEN_MAC -> etm = true;
                    case EXT_PRE_SHARED_KEY -> psk = true;
                    case EXT_ALPN -> alpn = alpn(e);
                    default -> { }
                }
            }
        }
        return new ServerHello(version, random, sessionId, suite, compression, Arrays.equals(random, HELLO_RETRY_RANDOM),
                ems, etm, psk, alpn, legacyVersion, List.copyOf(extensions));
    }

    /** The single protocol of an ALPN extension (a ServerHello or EncryptedExtensions), or null. */
    static String alpn(ByteReader e) throws ByteReader.MalformedException {
        ByteReader list = e.sub(e.u16("ALPN list length"), "ALPN list");
        if (list.remaining() == 0) {
            return null;
        }
        byte[] name = list.bytes(list.u8("ALPN protocol length"), "ALPN protocol");
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    boolean tls13() {
        return version == 0x0304 || (version & 0xff00) == 0x7f00;
    }
}
