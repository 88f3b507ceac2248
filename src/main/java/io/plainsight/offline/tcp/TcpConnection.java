package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * One TCP connection as {@link TcpReassembler} reports it: its number, its ends and which is the
 * client, and a slot for the consumer's own state ({@link #attach}).
 *
 * <p>The client is the sender of the SYN (or the receiver of the SYN-ACK when only that was
 * captured). Without either, {@link ServerPortRule} guesses: the lower port is the server's. A
 * SYN or SYN-ACK captured later corrects the guess as long as nothing was reported for the
 * connection but {@code opened} (so read the roles at each event, not only at {@code opened});
 * after its first {@code data} or {@code gap} event, only the consumer changes them, with
 * {@link #swapRoles()}, so that {@code fromClient} never changes meaning behind its back.
 */
public final class TcpConnection {
    final TcpReassembler owner;
    final ConnectionKey key;
    private final long id;
    private InetAddress clientAddress;
    private int clientPort;
    private InetAddress serverAddress;
    private int serverPort;
    HalfStream client;
    HalfStream server;
    private boolean sawSyn;
    boolean closed;
    /** The capture time it closed at (for lingering). */
    long closedAt;
    private Object attachment;

    TcpConnection(TcpReassembler owner, ConnectionKey key, long id, InetAddress clientAddress, int clientPort,
                  InetAddress serverAddress, int serverPort, boolean sawSyn) {
        this.owner = owner;
        this.key = key;
        this.id = id;
        this.clientAddress = clientAddress;
        this.clientPort = clientPort;
        this.serverAddress = serverAddress;
        this.serverPort = serverPort;
        this.sawSyn = sawSyn;
        this.client = new HalfStream(this, true);
        this.server = new HalfStream(this, false);
    }

    /** 0, 1, 2... in the order of the connections' first packets, like tshark's {@code tcp.stream}. */
    public long id() {
        return id;
    }

    public InetAddress clientAddress() {
        return clientAddress;
    }

    public int clientPort() {
        return clientPort;
    }

    public InetAddress serverAddress() {
        return serverAddress;
    }

    public int serverPort() {
        return serverPort;
    }

    /**
     * Whether the roles come from a captured SYN or SYN-ACK (false: from {@link ServerPortRule},
     * possibly swapped by the consumer).
     */
    public boolean sawSyn() {
        return sawSyn;
    }

    /** False once {@link StreamListener#closed} was called for it. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Makes the server the client and the other way round, for this and later events (also when
     * called from inside a listener method). For a consumer that knows better than the port
     * rule, e.g. one that saw a TLS ClientHello come from the end taken for the server.
     */
    public void swapRoles() {
        InetAddress a = clientAddress;
        clientAddress = serverAddress;
        serverAddress = a;
        int p = clientPort;
        clientPort = serverPort;
        serverPort = p;
        HalfStream h = client;
        client = server;
        server = h;
        client.fromClient = true;
        server.fromClient = false;
    }

    /**
     * The offset in the direction's stream where its next {@code data} or {@code gap} event will
     * start: the bytes delivered so far plus the bytes declared missing.
     */
    public long nextOffset(boolean fromClient) {
        return half(fromClient).next;
    }

    /**
     * The raw 32-bit TCP sequence number of a stream offset of one direction, as tshark shows in
     * {@code tcp.seq_raw}; -1 while the direction has sent nothing that fixes it (no SYN, no data).
     */
    public long sequenceAt(boolean fromClient, long streamOffset) {
        HalfStream h = half(fromClient);
        return h.based ? (h.base + streamOffset) & 0xFFFF_FFFFL : -1;
    }

    /**
     * The words for a {@link StreamListener#gap}, naming the connection, the direction, the raw
     * sequence number and the stream offset, e.g. "tcp.stream 3 10.0.0.1:50000 -> 10.0.0.2:443,
     * server to client: gap in the TCP stream at sequence 2354352387 (offset 1448), 1448 bytes
     * missing (not in the capture)".
     */
    public String describeGap(boolean fromClient, long streamOffset, long missingBytes) {
        long seq = sequenceAt(fromClient, streamOffset);
        return this + (fromClient ? ", client to server" : ", server to client")
                + ": gap in the TCP stream at sequence " + (seq < 0 ? "unknown" : Long.toString(seq))
                + " (offset " + streamOffset + "), " + missingBytes + (missingBytes == 1 ? " byte" : " bytes")
                + " missing (not in the capture)";
    }

    /**
     * The segments with payload one direction sent so far, retransmitted ones included (what
     * tshark counts with {@code tcp.len > 0} in the stream and direction).
     */
    public long payloadSegments(boolean fromClient) {
        return half(fromClient).payloadSegments;
    }

    /** The consumer's state for this connection (null until {@link #attach}). */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public String toString() {
        return "tcp.stream " + id + " " + clientAddress.getHostAddress() + ":" + clientPort + " -> "
                + serverAddress.getHostAddress() + ":" + serverPort;
    }

    // ---------------------------------------------------------------- package-private: the reassembler's side

    private HalfStream half(boolean fromClient) {
        return fromClient ? client : server;
    }

    boolean isClient(InetAddress address, int port) {
        return port == clientPort && address.equals(clientAddress);
    }

    /**
     * Whether a SYN or SYN-ACK from {@code src} starts another connection on these addresses
     * and ports. On an open connection: when its sender already sent something here, unless it
     * repeats the sequence number this connection knows for it (a retransmitted SYN, or the late
     * SYN of a connection captured from its middle). On a closed one: a SYN always (even with the
     * old ISN, so that a retried connection's bytes are not lost); a SYN-ACK unless it repeats
     * the old one.
     */
    boolean startsAnother(InetAddress src, int srcPort, long seq, int flags) {
        HalfStream h = isClient(src, srcPort) ? client : server;
        boolean sameStart = h.based && h.base == (int) seq + 1;
        if (closed) {
            return (flags & TcpFlags.ACK) == 0 || !(sameStart && h.synSeen);
        }
        return h.sentAnything && !sameStart;
    }

    /** A segment that is not a RST, on this open connection. */
    void segment(TcpReassembler r, InetAddress src, int srcPort, long seq, long ack, int flags, ByteBuf payload) {
        boolean syn = (flags & TcpFlags.SYN) != 0;
        boolean acks = (flags & TcpFlags.ACK) != 0;
        boolean fromClient = isClient(src, srcPort);
        if (syn && !sawSyn && !reportedAnything()) {
            sawSyn = true;
            if (fromClient == acks) { // a SYN-ACK from the client, or a SYN from the server: the guess was wrong
                swapRoles();
                fromClient = !fromClient;
            }
        }
        HalfStream h = fromClient ? client : server;
        HalfStream peer = fromClient ? server : client;
        if (syn) {
            if (!h.synSeen && h.next == 0 && !h.holdsData()) {
                h.baseAt(seq + 1);
            }
            h.synSeen |= h.base == (int) seq + 1;
            if (acks && !peer.based) {
                peer.baseAt(ack); // the SYN-ACK acknowledges the other side's ISN + 1
            }
        }
        boolean fin = (flags & TcpFlags.FIN) != 0;
        if (payload != null && payload.isReadable()) {
            h.payloadSegments++;
        }
        if (fin || payload != null && payload.isReadable()) {
            h.receive(r, syn ? seq + 1 : seq, payload, fin);
        }
        if (acks) {
            peer.acknowledged(r, ack);
        }
        h.afterSegment(r);
        if (client.ended && server.ended && !closed) {
            r.close(this, CloseReason.FIN);
        }
    }

    /** Whether a data or gap event was reported, or bytes are held (after that, roles change only by {@link #swapRoles()}). */
    private boolean reportedAnything() {
        return client.next != 0 || server.next != 0 || client.holdsData() || server.holdsData();
    }

    /** Declares the holes of both directions (client first) before the connection is reported closed. */
    void flush(TcpReassembler r) {
        client.close(r);
        server.close(r);
    }
}
