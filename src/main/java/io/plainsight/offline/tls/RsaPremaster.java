package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import java.security.interfaces.RSAPrivateKey;
import javax.crypto.Cipher;

/**
 * Decrypts an RSA-encrypted premaster secret (RFC 5246 7.4.7.1) and checks its PKCS#1 v1.5
 * padding itself, so that a wrong key is told apart from a right one (a JCE "PKCS1Padding"
 * decryption would throw, and TLS stacks substitute random bytes).
 */
final class RsaPremaster {
    private RsaPremaster() {}

    /** The 48-byte premaster secret, or null when this key does not decrypt {@code encrypted}. */
    static byte[] decrypt(RSAPrivateKey key, byte[] encrypted) {
        int k = (key.getModulus().bitLength() + 7) / 8;
        if (encrypted.length != k) {
            return null;
        }
        byte[] em;
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/NoPadding");
            rsa.init(Cipher.DECRYPT_MODE, key);
            em = rsa.doFinal(encrypted);
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
        if (em.length < k) { // leading zero bytes dropped
            byte[] padded = new byte[k];
            System.arraycopy(em, 0, padded, k - em.length, em.length);
            em = padded;
        }
        // EM = 0x00 || 0x02 || PS (>= 8 non-zero bytes) || 0x00 || M
        if (em[0] != 0 || em[1] != 2) {
            return null;
        }
        int sep = 2;
        while (sep < k && em[sep] != 0) {
            sep++;
        }
        if (sep < 10 || k - sep - 1 != 48) {
            return null;
        }
        return java.util.Arrays.copyOfRange(em, sep + 1, k);
    }
}
