package io.plainsight.offline.tcp;

/** Why {@link StreamListener#closed} was called. */
public enum CloseReason {
    /** Both directions sent a FIN and every byte before each FIN was delivered (or declared a gap). */
    FIN,
    /** A RST was captured (from either side). */
    RST,
    /** The capture ended ({@link TcpReassembler#finish}) with the connection still open. */
    EOF,
    /** A SYN that starts another connection on the same addresses and ports arrived while this one was open. */
    REUSED
}
