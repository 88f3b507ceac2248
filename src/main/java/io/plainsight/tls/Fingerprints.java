package io.plainsight.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** Certificate fingerprints in the usual colon-separated upper-case hex form ("AB:CD:..."). */
public final class Fingerprints {
    private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":").withUpperCase();

    private Fingerprints() {
    }

    /** SHA-256 over the DER encoding. */
    public static String sha256(X509Certificate cert) {
        return COLON_HEX.formatHex(digest("SHA-256", der(cert)));
    }

    /** SHA-1 over the DER encoding. */
    public static String sha1(X509Certificate cert) {
        return COLON_HEX.formatHex(digest("SHA-1", der(cert)));
    }

    static byte[] der(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
        }
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }
}
