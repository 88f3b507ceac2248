package io.plainsight.event;

/** How the bytes of a connection reached plainsight. */
public enum Mode {
    /** TLS from the client, decrypted, re-encrypted to the backend. */
    REVERSE,
    /** TLS from the client, decrypted, forwarded in plaintext to the backend. */
    TERMINATE,
    /** Plaintext from the client, TLS to the backend. */
    ORIGINATE,
    /** Explicit forward proxy (HTTP, CONNECT, SOCKS). */
    PROXY,
    /** Transparently redirected traffic. */
    TRANSPARENT,
    /** Decrypted from a capture file. */
    OFFLINE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
