package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * CBC records (AES, 3DES) with a MAC: MAC-then-encrypt (RFC 5246 6.2.3.2), or encrypt-then-MAC
 * when RFC 7366 was negotiated. SSL 3.0 and TLS 1.0 chain the IV from record to record (the
 * initial IV comes from the key block), so the Cipher is initialised once and fed with
 * {@code update}; TLS 1.1 and later send an explicit IV first in each record, which this class
 * decrypts as one more CBC block under a fixed IV and drops, so the Cipher is still initialised
 * only once. Padding is checked as TLS requires (every padding byte equals the length), or as
 * SSL 3.0 does (only the length).
 */
final class CbcDecrypter extends RecordDecrypter {
    private final Cipher cipher;
    private final RecordMac mac;
    private final int blockSize;
    private final boolean explicitIv;
    private final boolean encryptThenMac;
    private final boolean ssl3;
    private final String description;

    CbcDecrypter(CipherSuite suite, int version, byte[] macKey, byte[] key, byte[] iv, boolean encryptThenMac) {
        CipherSuite.Bulk bulk = suite.bulk();
        this.blockSize = bulk.blockOrTag;
        this.ssl3 = version == Prf.SSL3;
        this.explicitIv = version >= Prf.TLS11;
        this.encryptThenMac = encryptThenMac;
        this.mac = ssl3 ? RecordMac.ssl3(suite.macAlgorithm(), macKey) : RecordMac.tls(suite.macAlgorithm(), macKey);
        String alg = bulk.jceAlgorithm();
        try {
            cipher = Cipher.getInstance(alg + "/CBC/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, alg),
                    new IvParameterSpec(explicitIv ? new byte[blockSize] : iv));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up " + alg + "-CBC", e);
        }
        this.description = bulk.name() + " " + suite.macAlgorithm() + (encryptThenMac ? " encrypt-then-MAC" : "");
    }

    @Override
    int decrypt(int type, int version, byte[] rec, int off, int len, byte[] out) {
        int macLength = mac.length;
        int ctLength = encryptThenMac ? len - macLength : len;
        int ivLength = explicitIv ? blockSize : 0;
        if (ctLength < ivLength + blockSize || ctLength % blockSize != 0) {
            return BAD;
        }
        if (encryptThenMac && !mac.verify(seq, type, version, rec, off, ctLength, rec, off + ctLength)) {
            return BAD;
        }
        try {
            int n = explicitIv ? cipher.doFinal(rec, off, ctLength, out, 0) : cipher.update(rec, off, ctLength, out, 0);
            if (n != ctLength) {
                return BAD;
            }
        } catch (GeneralSecurityException e) {
            return BAD;
        }
        int padLength = out[ctLength - 1] & 0xff;
        int contentEnd = ctLength - 1 - padLength; // end of content (+ MAC when MAC-then-encrypt)
        int minimum = ivLength + (encryptThenMac ? 0 : macLength);
        if (contentEnd < minimum) {
            return BAD;
        }
        if (!ssl3) {
            for (int i = contentEnd; i < ctLength - 1; i++) {
                if ((out[i] & 0xff) != padLength) {
                    return BAD;
                }
            }
        }
        int plainLength = contentEnd - ivLength - (encryptThenMac ? 0 : macLength);
        if (!encryptThenMac && !mac.verify(seq, type, version, out, ivLength, plainLength, out, ivLength + plainLength)) {
            return BAD;
        }
        plainOffset = ivLength;
        innerType = type;
        seq++;
        return plainLength;
    }

    @Override
    String describe() {
        return description;
    }
}
