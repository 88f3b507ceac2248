package io.plainsight.offline.tcp;

/**
 * Which end is the server when the capture holds no SYN or SYN-ACK of a connection: the end with
 * the lower port (well-known and registered service ports are below the ephemeral ranges clients
 * pick from: 32768-60999 on Linux, 49152-65535 on Windows and macOS); on equal ports, the
 * destination of the connection's first captured packet. A consumer that knows better (a TLS
 * ClientHello came from the other end) calls {@link TcpConnection#swapRoles()}.
 */
final class ServerPortRule {
    private ServerPortRule() {}

    /** Whether the source of a connection's first captured packet is its client. */
    static boolean sourceIsClient(int srcPort, int dstPort) {
        return srcPort >= dstPort;
    }
}
