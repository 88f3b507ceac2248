package io.plainsight.offline.tls;

/**
 * TLS 1.3 record keys from the traffic secrets of a key log (RFC 8446 7.3): key and IV by
 * HKDF-Expand-Label, and the next application secret on a KeyUpdate (7.2). Drafts before 25
 * authenticate no additional data.
 */
final class Tls13Keys {
    private Tls13Keys() {}

    static RecordDecrypter decrypter(CipherSuite suite, int version, byte[] secret) {
        String hash = suite.prfHash();
        byte[] key = Hkdf.expandLabel(hash, secret, "key", suite.bulk().keyLength);
        byte[] iv = Hkdf.expandLabel(hash, secret, "iv", 12);
        boolean draftBefore25 = (version & 0xff00) == 0x7f00 && (version & 0xff) < 25;
        return AeadDecrypter.create(suite, key, iv, true, draftBefore25);
    }

    static byte[] nextApplicationSecret(CipherSuite suite, byte[] secret) {
        return Hkdf.expandLabel(suite.prfHash(), secret, "traffic upd", secret.length);
    }
}
