package io.plainsight.tls;

import io.plainsight.proxy.ClientHello;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * The JA3 fingerprint of a ClientHello (Salesforce, https://github.com/salesforce/ja3): the decimal
 * fields {@code SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats}, values
 * joined by '-', GREASE values left out, and the MD5 of that text. The same text and hash as
 * Wireshark's {@code tls.handshake.ja3_full} and {@code tls.handshake.ja3}.
 *
 * @param text e.g. {@code 771,4865-4866-4867,0-11-10-35-22-23-13-43-45-51,29-23-30,0}
 * @param md5 the MD5 of {@code text} in lower-case hex
 */
public record Ja3(String text, String md5) {

    /** The JA3 of a parsed ClientHello. */
    public static Ja3 of(ClientHello h) {
        StringBuilder sb = new StringBuilder(256);
        sb.append(h.legacyVersion()).append(',');
        decimals(sb, Grease.without(h.cipherSuites()));
        sb.append(',');
        decimals(sb, Grease.without(h.extensions()));
        sb.append(',');
        decimals(sb, Grease.without(h.supportedGroups()));
        sb.append(',');
        decimals(sb, h.ecPointFormats());
        String text = sb.toString();
        return new Ja3(text, md5(text));
    }

    /**
     * The JA3 of a ClientHello handshake message (type, 3-byte length, body).
     *
     * @throws IllegalArgumentException when it is not a well-formed ClientHello
     */
    public static Ja3 ofClientHello(byte[] message) {
        return of(HelloMessages.clientHello(message));
    }

    static void decimals(StringBuilder sb, List<Integer> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append('-');
            }
            sb.append(values.get(i).intValue());
        }
    }

    static String md5(String text) {
        return HexFormat.of().formatHex(Fingerprints.digest("MD5", text.getBytes(StandardCharsets.US_ASCII)));
    }
}
