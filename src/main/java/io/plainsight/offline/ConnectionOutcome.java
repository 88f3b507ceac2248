package io.plainsight.offline;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What became of one TCP connection of a capture: one row of the decryption report.
 *
 * @param id the connection id, the same number as tshark's {@code tcp.stream}
 * @param input the capture file it started in
 * @param firstPacket the packet number (in {@code input}) of its first packet
 * @param firstMicros time of its first packet, microseconds since the epoch
 * @param lastMicros time of its last packet
 * @param sni the server name of its (last) TLS handshake, or null
 * @param version e.g. "TLS 1.2", or null
 * @param cipher the IANA cipher suite name, or null
 * @param resumption how the session was resumed ("session ID", "session ticket", "PSK"), or null
 * @param handshakes TLS handshakes seen (more than one: renegotiation)
 * @param reason why it is not (fully) decrypted, or null
 * @param notes what else is worth knowing (0-RTT skipped, alerts, a cut-off record)
 * @param plaintextClientToServer application bytes decrypted (or captured in the clear) client to server
 * @param ended FIN, RST, REUSED or "capture ended"
 */
public record ConnectionOutcome(
        long id,
        String input,
        long firstPacket,
        long firstMicros,
        long lastMicros,
        InetSocketAddress client,
        InetSocketAddress server,
        String sni,
        String version,
        String cipher,
        String alpn,
        String resumption,
        int handshakes,
        Status status,
        String reason,
        List<String> notes,
        long plaintextClientToServer,
        long plaintextServerToClient,
        String ended) {

    /** The outcome of one connection. */
    public enum Status {
        /** TLS, every record decrypted. */
        DECRYPTED("decrypted"),
        /** TLS, decrypted up to a failure (or one direction only). */
        PARTLY("partly decrypted"),
        /** TLS, nothing decrypted. */
        NOT_DECRYPTED("not decrypted"),
        /** Not TLS: captured as it is. */
        PLAIN("plain"),
        /** No application bytes, or a TLS handshake that never got to its keys. */
        NO_DATA("no data"),
        /** Left out by {@code --filter}. */
        FILTERED("filtered out");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether the connection was TLS that could not be (fully) decrypted. */
        public boolean failed() {
            return this == PARTLY || this == NOT_DECRYPTED;
        }
    }
}
