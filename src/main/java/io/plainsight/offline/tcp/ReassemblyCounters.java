package io.plainsight.offline.tcp;

/**
 * What a {@link TcpReassembler} has seen and done so far, for reports and tests. Byte counts are
 * payload bytes. Read it between calls; it is updated in place.
 */
public final class ReassemblyCounters {
    long segments;
    long invalidSegments;
    long connections;
    long payloadBytes;
    long deliveredBytes;
    long duplicateBytes;
    long outOfOrderSegments;
    long gaps;
    long gapBytes;
    long beyondFinBytes;
    long afterCloseSegments;

    /** Calls of {@link TcpReassembler#segment}. */
    public long segments() {
        return segments;
    }

    /** Segments ignored because of impossible values (no address, a port outside 0..65535). */
    public long invalidSegments() {
        return invalidSegments;
    }

    /** Connections opened. */
    public long connections() {
        return connections;
    }

    /** Payload bytes received, all segments. */
    public long payloadBytes() {
        return payloadBytes;
    }

    /** Bytes given to {@link StreamListener#data}. */
    public long deliveredBytes() {
        return deliveredBytes;
    }

    /**
     * Bytes not delivered because the same stream bytes were already delivered or held
     * (retransmissions, overlaps, keep-alives), or because they came before the stream's start.
     */
    public long duplicateBytes() {
        return duplicateBytes;
    }

    /** Segments that arrived ahead of a hole and were held. */
    public long outOfOrderSegments() {
        return outOfOrderSegments;
    }

    /** {@link StreamListener#gap} events. */
    public long gaps() {
        return gaps;
    }

    /** Bytes declared missing by gaps. */
    public long gapBytes() {
        return gapBytes;
    }

    /** Payload bytes at or after their direction's FIN, ignored. */
    public long beyondFinBytes() {
        return beyondFinBytes;
    }

    /** Segments of a connection closed by FIN or RST that arrived while it lingered, ignored. */
    public long afterCloseSegments() {
        return afterCloseSegments;
    }

    @Override
    public String toString() {
        return "segments=" + segments + " invalid=" + invalidSegments + " connections=" + connections
                + " payloadBytes=" + payloadBytes + " delivered=" + deliveredBytes + " duplicate=" + duplicateBytes
                + " outOfOrderSegments=" + outOfOrderSegments + " gaps=" + gaps + " gapBytes=" + gapBytes
                + " beyondFin=" + beyondFinBytes + " afterClose=" + afterCloseSegments;
    }
}
