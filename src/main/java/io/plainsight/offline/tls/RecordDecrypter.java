package io.plainsight.offline.tls;

/**
 * Removes the protection of one direction's records under one set of keys: created when keys
 * change (ChangeCipherSpec, a TLS 1.3 key switch or KeyUpdate), then called once per record with
 * reused buffers. Implementations keep their {@code javax.crypto} objects, so the fast path
 * allocates nothing of its own. Not thread-safe.
 */
abstract class RecordDecrypter {
    /** {@link #decrypt} result: the record does not authenticate (bad tag, MAC or padding). */
    static final int BAD = -1;

    /** Sequence number of the next record (RFC 5246 6.1); advanced by each record that decrypts. */
    long seq;
    /** After {@link #decrypt}: where the plaintext starts in {@code out}. */
    int plainOffset;
    /**
     * After {@link #decrypt}: the content type; the outer type, except in TLS 1.3 where it is the
     * type inside TLSInnerPlaintext.
     */
    int innerType;

    /**
     * Decrypts the fragment {@code rec[off, off+len)} of a record whose header says
     * {@code type}, {@code version} and {@code len}, writing the plaintext into {@code out}
     * (at least {@code len} bytes long) at {@link #plainOffset}.
     *
     * @return the plaintext length, or {@link #BAD}; on {@link #BAD} the sequence number is not
     *     advanced (so a failed trial leaves the decrypter usable for an AEAD suite)
     */
    abstract int decrypt(int type, int version, byte[] rec, int off, int len, byte[] out);

    /** A short description for messages, e.g. "AES-128-GCM". */
    abstract String describe();

    static void putSeq(byte[] b, int at, long seq) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (seq >>> (56 - 8 * i));
        }
    }
}
