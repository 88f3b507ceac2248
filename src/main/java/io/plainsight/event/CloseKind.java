package io.plainsight.event;

/** How a conversation ended. */
public enum CloseKind {
    /** Orderly close (FIN) by one side, then the other. */
    FIN,
    /** Reset by a peer. */
    RST,
    /** Idle timeout. */
    TIMEOUT,
    /** Ended by an error (handshake failure, refused connect, protocol error). */
    ERROR
}
