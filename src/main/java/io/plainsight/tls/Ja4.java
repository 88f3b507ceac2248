package io.plainsight.tls;

import io.plainsight.proxy.ClientHello;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The JA4 fingerprint of a ClientHello, as FoxIO's specification defines it
 * (https://github.com/FoxIO-LLC/ja4, technical_details/JA4.md), for TLS over TCP:
 * {@code t13d1516h2_8daaf6152771_e5627efa2ab1} is "t", the version (the highest of
 * supported_versions when present, else the version field: 13, 12, 11, 10, s3, s2, d1-d3 or 00),
 * "d" with an SNI extension or "i" without, the counts of cipher suites and of extensions (two
 * digits, at most 99), the first and last character of the first ALPN value (00 without one; the
 * first and last hex digit of its bytes when either end is not alphanumeric), then the first 12
 * hex digits of the SHA-256 of the sorted cipher suites, and of the sorted extensions without SNI
 * and ALPN followed by "_" and the signature algorithms in their order ("000000000000" for an
 * empty list). GREASE values are left out everywhere. Pure code.
 */
public final class Ja4 {
    static final String EMPTY_HASH = "000000000000";
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;

    private Ja4() {}

    /** JA4 of a parsed ClientHello. */
    public static String of(ClientHello h) {
        Parts p = parts(h);
        return p.prefix + '_' + hash12(p.ciphers) + '_' + hash12(p.extensions);
    }

    /** The raw form (FoxIO's {@code ja4_r}): the lists before hashing. */
    public static String raw(ClientHello h) {
        Parts p = parts(h);
        return p.prefix + '_' + p.ciphers + '_' + p.extensions;
    }

    /**
     * JA4 of a ClientHello handshake message (type, 3-byte length, body).
     *
     * @throws IllegalArgumentException when it is not a well-formed ClientHello
     */
    public static String ofClientHello(byte[] message) {
        return of(HelloMessages.clientHello(message));
    }

    private record Parts(String prefix, String ciphers, String extensions) {}

    private static Parts parts(ClientHello h) {
        List<Integer> ciphers = Grease.without(h.cipherSuites());
        List<Integer> extensions = Grease.without(h.extensions());
        int versionCode = h.legacyVersion();
        if (extensions.contains(EXT_SUPPORTED_VERSIONS)) {
            versionCode = -1;
            for (int v : Grease.without(h.supportedVersions())) {
                versionCode = Math.max(versionCode, v);
            }
        }
        String prefix = "t" + version(versionCode) + (extensions.contains(EXT_SERVER_NAME) ? 'd' : 'i')
                + count(ciphers.size()) + count(extensions.size())
                + alpn(h.alpn().isEmpty() ? null : h.alpn().get(0));
        List<Integer> sortedCiphers = new ArrayList<>(ciphers);
        sortedCiphers.sort(null);
        List<Integer> sortedExtensions = new ArrayList<>(extensions.size());
        for (int e : extensions) {
            if (e != EXT_SERVER_NAME && e != EXT_ALPN) {
                sortedExtensions.add(e);
            }
        }
        sortedExtensions.sort(null);
        String exts = hexList(sortedExtensions);
        List<Integer> signatureAlgorithms = Grease.without(h.signatureAlgorithms());
        if (!exts.isEmpty() && !signatureAlgorithms.isEmpty()) {
            exts = exts + '_' + hexList(signatureAlgorithms);
        }
        return new Parts(prefix, hexList(sortedCiphers), exts);
    }

    /** The two-character version: 13, 12, 11, 10, s3, s2, d1, d2, d3, or 00 for anything else. */
    static String version(int code) {
        return switch (code) {
            case 0x0304 -> "13";
            case 0x0303 -> "12";
            case 0x0302 -> "11";
            case 0x0301 -> "10";
            case 0x0300 -> "s3";
            case 0x0002 -> "s2";
            case 0xfeff -> "d1";
            case 0xfefd -> "d2";
            case 0xfefc -> "d3";
            default -> "00";
        };
    }

    /** Two digits, at most 99. */
    static String count(int n) {
        int c = Math.min(n, 99);
        return c < 10 ? "0" + c : Integer.toString(c);
    }

    /**
     * The first and last character of an ALPN value (one char per byte), "00" for none or an empty
     * one; when either end is not ASCII alphanumeric, the first and last hex digit of its bytes.
     */
    static String alpn(String value) {
        if (value == null || value.isEmpty()) {
            return "00";
        }
        char first = value.charAt(0);
        char last = value.charAt(value.length() - 1);
        if (alphanumeric(first) && alphanumeric(last)) {
            return "" + first + last;
        }
        String hex = HexFormat.of().formatHex(value.getBytes(StandardCharsets.ISO_8859_1));
        return "" + hex.charAt(0) + hex.charAt(hex.length() - 1);
    }

    private static boolean alphanumeric(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Four lower-case hex digits per value, comma-separated. */
    static String hexList(List<Integer> values) {
        StringBuilder sb = new StringBuilder(values.size() * 5);
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(HexFormat.of().toHexDigits(values.get(i).shortValue()));
        }
        return sb.toString();
    }

    /** The first 12 hex digits of the SHA-256 of {@code list}, or "000000000000" for an empty list. */
    static String hash12(String list) {
        if (list.isEmpty()) {
            return EMPTY_HASH;
        }
        byte[] sha256 = Fingerprints.digest("SHA-256", list.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(sha256, 0, 6);
    }
}
