package io.plainsight.event;

/** What plainsight did with a connection's bytes. */
public enum Interception {
    /** Decrypted (or plaintext on the client side) and captured. */
    DECRYPTED,
    /** Not TLS: captured as the bytes are. */
    PLAIN,
    /** Relayed without decryption because the host matched an ignore rule: metadata only. */
    PASSED_THROUGH,
    /** Relayed without decryption because clients of this host kept rejecting our certificate. */
    FAILED_OPEN,
    /** Seen in a capture file but could not be decrypted (no key, wrong key, gap): metadata only. */
    UNDECRYPTED;

    /** The console/log word: decrypted, plain, passthrough, fail-open, not-decrypted. */
    public String label() {
        return switch (this) {
            case DECRYPTED -> "decrypted";
            case PLAIN -> "plain";
            case PASSED_THROUGH -> "passthrough";
            case FAILED_OPEN -> "fail-open";
            case UNDECRYPTED -> "not-decrypted";
        };
    }

    /** Whether the application bytes are captured. */
    public boolean captured() {
        return this == DECRYPTED || this == PLAIN;
    }
}
