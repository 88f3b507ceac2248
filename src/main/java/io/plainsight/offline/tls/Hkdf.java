package io.plainsight.offline.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;

/**
 * TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1), which turns a traffic secret from the key log into
 * the record key and IV, and into the next secret on a KeyUpdate. Labels get the "tls13 " prefix
 * of RFC 8446 and of drafts 20 and later.
 */
final class Hkdf {
    private Hkdf() {}

    /** HKDF-Expand-Label(secret, label, "", length) with HMAC over {@code hash} ("SHA-256"/"SHA-384"). */
    static byte[] expandLabel(String hash, byte[] secret, String label, int length) {
        byte[] fullLabel = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + fullLabel.length + 1];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) fullLabel.length;
        System.arraycopy(fullLabel, 0, info, 3, fullLabel.length);
        info[info.length - 1] = 0; // empty context
        return expand(hash, secret, info, length);
    }

    /** HKDF-Expand (RFC 5869 2.3). */
    static byte[] expand(String hash, byte[] prk, byte[] info, int length) {
        String alg = hash.equals("SHA-384") ? "HmacSHA384" : "HmacSHA256";
        try {
            Mac mac = Macs.keyed(alg, prk);
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            int pos = 0;
            for (int i = 1; pos < length; i++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) i);
                t = mac.doFinal();
                int n = Math.min(t.length, length - pos);
                System.arraycopy(t, 0, out, pos, n);
                pos += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(alg + " unavailable", e);
        }
    }
}
