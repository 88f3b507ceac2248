package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/** Stream-cipher records (RC4, whose state runs across records) and NULL-cipher records: fragment, then MAC. */
final class StreamDecrypter extends RecordDecrypter {
    private final Cipher cipher; // null for the NULL cipher
    private final RecordMac mac;
    private final String description;

    StreamDecrypter(CipherSuite suite, int version, byte[] macKey, byte[] key) {
        this.mac = version == Prf.SSL3 ? RecordMac.ssl3(suite.macAlgorithm(), macKey)
                : RecordMac.tls(suite.macAlgorithm(), macKey);
        if (suite.bulk() == CipherSuite.Bulk.NULL) {
            cipher = null;
        } else {
            try {
                cipher = Cipher.getInstance("ARCFOUR");
                cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no RC4 in this JDK", e);
            }
        }
        description = suite.bulk().name() + " " + suite.macAlgorithm();
    }

    @Override
    int decrypt(int type, int version, byte[] rec, int off, int len, byte[] out) {
        if (len < mac.length) {
            return BAD;
        }
        if (cipher == null) {
            System.arraycopy(rec, off, out, 0, len);
        } else {
            try {
                if (cipher.update(rec, off, len, out, 0) != len) {
                    return BAD;
                }
            } catch (GeneralSecurityException e) {
                return BAD;
            }
        }
        int plainLength = len - mac.length;
        if (!mac.verify(seq, type, version, out, 0, plainLength, out, plainLength)) {
            return BAD;
        }
        plainOffset = 0;
        innerType = type;
        seq++;
        return plainLength;
    }

    @Override
    String describe() {
        return description;
    }
}
