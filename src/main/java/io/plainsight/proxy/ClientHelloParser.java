package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the body of a TLS ClientHello handshake message (the bytes after the 4-byte handshake
 * header, starting at client_version). Pure code: no I/O, never reads outside the buffer. Used by
 * the proxy (SNI/ALPN routing) and by offline decryption (io.plainsight.offline.tls: random,
 * session ID, session ticket).
 */
public final class ClientHelloParser {
    /** TLS records start with content type 20..23; an SSLv2-format hello has the high bit set. */
    static boolean mayStartTls(int firstByte) {
        return (firstByte >= 20 && firstByte <= 23) || (firstByte & 0x80) != 0;
    }

    static final int EXT_SERVER_NAME = 0;
    static final int EXT_SUPPORTED_GROUPS = 10;
    static final int EXT_EC_POINT_FORMATS = 11;
    static final int EXT_SIGNATURE_ALGORITHMS = 13;
    static final int EXT_ALPN = 16;
    static final int EXT_SESSION_TICKET = 35;
    static final int EXT_SUPPORTED_VERSIONS = 43;

    private ClientHelloParser() {}

    /** Thrown for a ClientHello that does not follow RFC 8446/5246 framing. */
    public static final class MalformedClientHelloException extends RuntimeException {
        MalformedClientHelloException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code body} from its reader index without moving it.
     *
     * @throws MalformedClientHelloException naming the field and offset when the framing is broken
     */
    public static ClientHello parse(ByteBuf body) {
        Reader r = new Reader(body, body.readerIndex(), body.writerIndex());
        int version = r.u16("client_version");
        byte[] random = r.bytes(32, "random");
        int sessionIdLen = r.u8("session_id length");
        byte[] sessionId = r.bytes(sessionIdLen, "session_id");
        int suitesLen = r.u16("cipher_suites length");
        if ((suitesLen & 1) != 0) {
            throw r.error("odd cipher_suites length " + suitesLen);
        }
        List<Integer> suites = new ArrayList<>(suitesLen / 2);
        int suitesEnd = r.pos + r.need(suitesLen, "cipher_suites");
        while (r.pos < suitesEnd) {
            suites.add(r.u16("cipher_suite"));
        }
        int compressionLen = r.u8("compression_methods length");
        r.skip(compressionLen, "compression_methods");

        String sni = null;
        List<String> alpn = new ArrayList<>();
        List<Integer> extensions = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        List<Integer> pointFormats = new ArrayList<>();
        List<Integer> versions = new ArrayList<>();
        List<Integer> signatureAlgorithms = new ArrayList<>();
        byte[] ticket = null;
        if (r.pos < r.end) {
            int extLen = r.u16("extensions length");
            int extEnd = r.pos + r.need(extLen, "extensions");
            while (r.pos < extEnd) {
                int type = r.u16("extension type");
                int len = r.u16("extension length");
                int dataEnd = r.pos + r.need(len, "extension " + type);
                if (dataEnd > extEnd) {
                    throw r.error("extension " + type + " runs past the extensions block");
                }
                extensions.add(type);
                Reader e = new Reader(body, r.pos, dataEnd);
                switch (type) {
                    case EXT_SERVER_NAME -> sni = parseServerName(e);
                    case EXT_ALPN -> parseAlpn(e, alpn);
                    case EXT_SUPPORTED_GROUPS -> parseU16List(e, 2, groups, "supported_groups");
                    case EXT_EC_POINT_FORMATS -> parseU8List(e, pointFormats);
                    case EXT_SUPPORTED_VERSIONS -> parseU16List(e, 1, versions, "supported_versions");
                    case EXT_SIGNATURE_ALGORITHMS -> parseU16List(e, 2, signatureAlgorithms, "signature_algorithms");
                    case EXT_SESSION_TICKET -> ticket = e.bytes(len, "session_ticket");
                    default -> {}
                }
                r.pos = dataEnd;
            }
        }
        return new ClientHello(version, sni, List.copyOf(alpn), List.copyOf(suites), List.copyOf(extensions),
                List.copyOf(groups), List.copyOf(pointFormats), List.copyOf(versions), List.copyOf(signatureAlgorithms),
                random, sessionId, ticket);
    }

    private static String parseServerName(Reader e) {
        if (e.pos == e.end) {
            return null; // empty server_name in a ServerHello-style echo; nothing asked for
        }
        int listLen = e.u16("server_name_list length");
        int listEnd = e.pos + e.need(listLen, "server_name_list");
        while (e.pos < listEnd) {
            int nameType = e.u8("name_type");
            int len = e.u16("host_name length");
            e.need(len, "host_name");
            if (nameType == 0) {
                String name = e.buf.toString(e.pos, len, StandardCharsets.US_ASCII);
                return name.isEmpty() ? null : name;
            }
            e.pos += len;
        }
        return null;
    }

    private static void parseAlpn(Reader e, List<String> out) {
        int listLen = e.u16("ALPN list length");
        int listEnd = e.pos + e.need(listLen, "ALPN list");
        while (e.pos < listEnd) {
            int len = e.u8("ALPN protocol length");
            e.need(len, "ALPN protocol");
            if (len == 0) {
                throw e.error("empty ALPN protocol name");
            }
            out.add(e.buf.toString(e.pos, len, StandardCharsets.ISO_8859_1));
            e.pos += len;
        }
    }

    private static void parseU16List(Reader e, int lengthBytes, List<Integer> out, String what) {
        int len = lengthBytes == 2 ? e.u16(what + " length") : e.u8(what + " length");
        int listEnd = e.pos + e.need(len, what);
        while (e.pos + 1 < listEnd) {
            out.add(e.u16(what));
        }
    }

    private static void parseU8List(Reader e, List<Integer> out) {
        int listLen = e.u8("ec_point_formats length");
        int listEnd = e.pos + e.need(listLen, "ec_point_formats");
        while (e.pos < listEnd) {
            out.add(e.u8("ec_point_format"));
        }
    }

    /** Bounds-checked cursor over [pos, end) of a buffer. */
    private static final class Reader {
        final ByteBuf buf;
        final int start;
        int pos;
        final int end;

        Reader(ByteBuf buf, int pos, int end) {
            this.buf = buf;
            this.start = buf.readerIndex();
            this.pos = pos;
            this.end = end;
        }

        int need(int n, String what) {
            if (n < 0 || pos + n > end) {
                throw error(what + " needs " + n + " bytes, " + (end - pos) + " left");
            }
            return n;
        }

        int u8(String what) {
            need(1, what);
            return buf.getUnsignedByte(pos++);
        }

        int u16(String what) {
            need(2, what);
            int v = buf.getUnsignedShort(pos);
            pos += 2;
            return v;
        }

        byte[] bytes(int n, String what) {
            need(n, what);
            byte[] b = new byte[n];
            buf.getBytes(pos, b);
            pos += n;
            return b;
        }

        void skip(int n, String what) {
            pos += need(n, what);
        }

        MalformedClientHelloException error(String message) {
            return new MalformedClientHelloException("malformed ClientHello at offset " + (pos - start) + ": " + message);
        }
    }
}
