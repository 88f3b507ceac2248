package io.plainsight.offline.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;

/**
 * Key derivation up to TLS 1.2: the SSL 3.0 MD5/SHA-1 construction (RFC 6101 6.1, 6.2.2), the
 * TLS 1.0/1.1 PRF (P_MD5 xor P_SHA-1, RFC 2246 5) and the TLS 1.2 PRF (P_SHA256 or P_SHA384,
 * RFC 5246 5). Used once per handshake, so it favours clarity over speed.
 */
final class Prf {
    static final int SSL3 = 0x0300;
    static final int TLS10 = 0x0301;
    static final int TLS11 = 0x0302;
    static final int TLS12 = 0x0303;

    private Prf() {}

    /** The 48-byte master secret; {@code sessionHash} non-null selects RFC 7627's extended master secret. */
    static byte[] masterSecret(int version, String prfHash, byte[] premaster, byte[] clientRandom,
            byte[] serverRandom, byte[] sessionHash) {
        if (version == SSL3) {
            return ssl3(premaster, concat(clientRandom, serverRandom), 48);
        }
        if (sessionHash != null) {
            return prf(version, prfHash, premaster, "extended master secret", sessionHash, 48);
        }
        return prf(version, prfHash, premaster, "master secret", concat(clientRandom, serverRandom), 48);
    }

    /** The key block: MAC keys, then cipher keys, then IVs, client before server each time. */
    static byte[] keyBlock(int version, String prfHash, byte[] masterSecret, byte[] clientRandom,
            byte[] serverRandom, int length) {
        byte[] seed = concat(serverRandom, clientRandom);
        if (version == SSL3) {
            return ssl3(masterSecret, seed, length);
        }
        return prf(version, prfHash, masterSecret, "key expansion", seed, length);
    }

    /** The PRF of {@code version} (TLS 1.0/1.1: MD5 and SHA-1; TLS 1.2: {@code prfHash}). */
    static byte[] prf(int version, String prfHash, byte[] secret, String label, byte[] seed, int length) {
        byte[] labelSeed = concat(label.getBytes(StandardCharsets.US_ASCII), seed);
        if (version >= TLS12) {
            return pHash(prfHash.equals("SHA-384") ? "HmacSHA384" : "HmacSHA256", secret, labelSeed, length);
        }
        int half = (secret.length + 1) / 2;
        byte[] s1 = java.util.Arrays.copyOfRange(secret, 0, half);
        byte[] s2 = java.util.Arrays.copyOfRange(secret, secret.length - half, secret.length);
        byte[] md5 = pHash("HmacMD5", s1, labelSeed, length);
        byte[] sha = pHash("HmacSHA1", s2, labelSeed, length);
        for (int i = 0; i < length; i++) {
            md5[i] ^= sha[i];
        }
        return md5;
    }

    static byte[] pHash(String hmac, byte[] secret, byte[] seed, int length) {
        try {
            Mac mac = Macs.keyed(hmac, secret);
            byte[] out = new byte[length];
            byte[] a = seed;
            int pos = 0;
            while (pos < length) {
                a = mac.doFinal(a);
                mac.update(a);
                mac.update(seed);
                byte[] block = mac.doFinal();
                int n = Math.min(block.length, length - pos);
                System.arraycopy(block, 0, out, pos, n);
                pos += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " unavailable", e);
        }
    }

    /** SSL 3.0: MD5(secret + SHA1("A" + secret + seed)) + MD5(secret + SHA1("BB" + ...)) + ... */
    static byte[] ssl3(byte[] secret, byte[] seed, int length) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] out = new byte[length];
            int pos = 0;
            for (int i = 0; pos < length; i++) {
                byte[] salt = new byte[i + 1];
                java.util.Arrays.fill(salt, (byte) ('A' + i));
                sha1.update(salt);
                sha1.update(secret);
                sha1.update(seed);
                md5.update(secret);
                md5.update(sha1.digest());
                byte[] block = md5.digest();
                int n = Math.min(block.length, length - pos);
                System.arraycopy(block, 0, out, pos, n);
                pos += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5/SHA-1 unavailable", e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
