package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Feeds synthetic segments of one connection (a client and a server end) to a reassembler,
 * numbering packets 1, 2, 3... and stamping them 1 ms apart. Sequence numbers are raw.
 */
final class Wire {
    final TcpReassembler reassembler;
    InetAddress clientAddress;
    int clientPort;
    InetAddress serverAddress;
    int serverPort;
    long packet;
    long time = 1_000_000;

    Wire(TcpReassembler reassembler, String client, int clientPort, String server, int serverPort) {
        this.reassembler = reassembler;
        this.clientAddress = address(client);
        this.clientPort = clientPort;
        this.serverAddress = address(server);
        this.serverPort = serverPort;
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static ByteBuf bytes(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A segment from the client. */
    Wire c(long seq, long ack, int flags, String payload) {
        reassembler.segment(++packet, time += 1000, clientAddress, clientPort, serverAddress, serverPort,
                seq & 0xFFFF_FFFFL, ack & 0xFFFF_FFFFL, flags, payload == null ? null : bytes(payload));
        return this;
    }

    /** A segment from the server. */
    Wire s(long seq, long ack, int flags, String payload) {
        reassembler.segment(++packet, time += 1000, serverAddress, serverPort, clientAddress, clientPort,
                seq & 0xFFFF_FFFFL, ack & 0xFFFF_FFFFL, flags, payload == null ? null : bytes(payload));
        return this;
    }

    /** Client data with ACK and PSH, acknowledging nothing in particular (ack 0 is read only with ACK). */
    Wire c(long seq, String payload) {
        return c(seq, 0, TcpFlags.PSH, payload);
    }

    Wire s(long seq, String payload) {
        return s(seq, 0, TcpFlags.PSH, payload);
    }

    /** SYN, SYN-ACK, ACK with the given ISNs. */
    Wire handshake(long clientIsn, long serverIsn) {
        c(clientIsn, 0, TcpFlags.SYN, null);
        s(serverIsn, clientIsn + 1, TcpFlags.SYN | TcpFlags.ACK, null);
        c(clientIsn + 1, serverIsn + 1, TcpFlags.ACK, null);
        return this;
    }

    void finish() {
        reassembler.finish(time += 1000);
    }
}
