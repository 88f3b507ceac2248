package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC of a CBC or stream-cipher record: HMAC over seq_num, type, version, length and the
 * fragment (TLS, RFC 5246 6.2.3.1), or the SSL 3.0 keyed-hash construction (RFC 6101 5.2.3.1,
 * without the version). One instance per direction and key; it reuses its buffers, so a check
 * allocates nothing.
 */
abstract class RecordMac {
    final int length;
    final byte[] result;
    final byte[] header = new byte[13];

    RecordMac(int length) {
        this.length = length;
        this.result = new byte[length];
    }

    static RecordMac tls(String hmacAlgorithm, byte[] key) {
        return new Hmac(hmacAlgorithm, key);
    }

    /** SSL 3.0: {@code hmacAlgorithm} names the hash (HmacMD5 / HmacSHA1). */
    static RecordMac ssl3(String hmacAlgorithm, byte[] key) {
        return new Ssl3(hmacAlgorithm.equals("HmacMD5") ? "MD5" : "SHA-1", key);
    }

    /** Computes the MAC into {@link #result}. */
    abstract void compute(long seq, int type, int version, byte[] data, int off, int len);

    /** True when the MAC of {@code data[off, off+len)} equals {@code mac[macOff, macOff+length)}. */
    final boolean verify(long seq, int type, int version, byte[] data, int off, int len, byte[] mac, int macOff) {
        compute(seq, type, version, data, off, len);
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= result[i] ^ mac[macOff + i];
        }
        return diff == 0;
    }

    final void putSeq(long seq) {
        for (int i = 0; i < 8; i++) {
            header[i] = (byte) (seq >>> (56 - 8 * i));
        }
    }

    private static final class Hmac extends RecordMac {
        private final Mac mac;

        Hmac(String algorithm, byte[] key) {
            super(lengthOf(algorithm));
            try {
                mac = Mac.getInstance(algorithm);
                mac.init(new SecretKeySpec(key, algorithm));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(algorithm + " unavailable", e);
            }
        }

        @Override
        void compute(long seq, int type, int version, byte[] data, int off, int len) {
            putSeq(seq);
            header[8] = (byte) type;
            header[9] = (byte) (version >>> 8);
            header[10] = (byte) version;
            header[11] = (byte) (len >>> 8);
            header[12] = (byte) len;
            mac.update(header, 0, 13);
            mac.update(data, off, len);
            try {
                mac.doFinal(result, 0);
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class Ssl3 extends RecordMac {
        private final MessageDigest inner;
        private final MessageDigest outer;
        private final byte[] key;
        private final byte[] pad1;
        private final byte[] pad2;

        Ssl3(String digest, byte[] key) {
            super(digest.equals("MD5") ? 16 : 20);
            try {
                inner = MessageDigest.getInstance(digest);
                outer = MessageDigest.getInstance(digest);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(digest + " unavailable", e);
            }
            this.key = key.clone();
            int padLength = digest.equals("MD5") ? 48 : 40;
            pad1 = new byte[padLength];
            pad2 = new byte[padLength];
            java.util.Arrays.fill(pad1, (byte) 0x36);
            java.util.Arrays.fill(pad2, (byte) 0x5c);
        }

        @Override
        void compute(long seq, int type, int version, byte[] data, int off, int len) {
            putSeq(seq);
            header[8] = (byte) type;
            header[9] = (byte) (len >>> 8);
            header[10] = (byte) len;
            inner.update(key);
            inner.update(pad1);
            inner.update(header, 0, 11);
            inner.update(data, off, len);
            try {
                inner.digest(result, 0, length);
                outer.update(key);
                outer.update(pad2);
                outer.update(result, 0, length);
                outer.digest(result, 0, length);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static int lengthOf(String hmacAlgorithm) {
        return switch (hmacAlgorithm) {
            case "HmacMD5" -> 16;
            case "HmacSHA1" -> 20;
            case "HmacSHA256" -> 32;
            case "HmacSHA384" -> 48;
            default -> throw new IllegalArgumentException(hmacAlgorithm);
        };
    }
}
