package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.event.Direction;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Synthesizes the Ethernet + IPv4/IPv6 + TCP frames of one conversation (pure, no I/O): a
 * three-way handshake, data segments of at most the MSS with consistent sequence and
 * acknowledgment numbers, and an orderly FIN exchange or a RST.
 *
 * <p>Frames are written straight into the buffer a {@link FrameOutput} hands out; payload bytes are
 * copied once, from the caller's buffer into that one, and checksummed there.
 * Nothing is allocated per packet. If the client and server addresses are of different families,
 * the IPv4 one is written as an IPv4-mapped IPv6 address so that every frame is IPv6. An
 * unresolved address is written as 0.0.0.0.
 *
 * <p>IPv4 packets have DF set, TTL 64 and an IP id counting from 1 per direction; IPv6 packets
 * have hop limit 64 and flow label 0.
 *
 * <p>Both sides announce the MSS and a window scale of 14 with a window of 65535, so the
 * advertised receive window (about 1 GiB) is never "full" for the readers' TCP analysis even
 * though the synthesized receiver never sends pure ACKs.
 */
public final class TcpConversation {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    /** Largest MSS whose segments still fit an IPv4 packet (65535 - 20 - 20). */
    public static final int MAX_MSS = 65_495;

    static final int ETHERNET_HEADER = 14;
    static final int WINDOW = 0xFFFF;
    static final int WINDOW_SCALE = 14;
    static final int TTL = 64;

    static final byte[] CLIENT_MAC = {0x02, 0, 0, 0, 0, 0x01};
    static final byte[] SERVER_MAC = {0x02, 0, 0, 0, 0, 0x02};

    private final byte[] clientIp;
    private final byte[] serverIp;
    private final int clientPort;
    private final int serverPort;
    private final boolean ipv6;
    private final int ipHeader;
    private final int mss;
    /** Sum of both addresses' words: the same for both directions of the pseudo header. */
    private final long addressSum;
    /**
     * The Ethernet, IP and TCP headers (with room for the SYN options) of a segment from the client
     * and from the server, with every field that never changes filled in (the SYN options too):
     * each frame's headers are set here, in plain array stores, and written with one call (the
     * output buffers differ by sink, the payloads by source: few calls on them keep this code's
     * call sites simple for the JIT).
     */
    private final byte[] headerFromClient;
    private final byte[] headerFromServer;
    /** Sum of the IPv4 header words that never change (both directions: the same words). */
    private final long ipFixedSum;
    /** Sum of the TCP pseudo header and header words that never change (both directions). */
    private final long tcpFixedSum;

    private final int clientIsn;
    private final int serverIsn;
    private int clientNext;
    private int serverNext;
    private int clientIpId = 1;
    private int serverIpId = 1;

    /**
     * @param client the client address and port as the capture shows them
     * @param server the server address and port as the capture shows them
     * @param mss maximum segment size of data segments, 1..{@value #MAX_MSS}
     * @param clientIsn the client's initial sequence number
     * @param serverIsn the server's initial sequence number
     */
    public TcpConversation(InetSocketAddress client, InetSocketAddress server, int mss, int clientIsn, int serverIsn) {
        if (mss < 1 || mss > MAX_MSS) {
            throw new IllegalArgumentException("MSS " + mss + " is out of range 1.." + MAX_MSS);
        }
        byte[] c = addressBytes(client);
        byte[] s = addressBytes(server);
        if (c.length != s.length) {
            c = toIpv6(c);
            s = toIpv6(s);
        }
        this.clientIp = c;
        this.serverIp = s;
        this.clientPort = client.getPort();
        this.serverPort = server.getPort();
        this.ipv6 = c.length == 16;
        this.ipHeader = ipv6 ? 40 : 20;
        this.mss = mss;
        this.addressSum = Checksums.sum(c) + Checksums.sum(s);
        this.headerFromClient = headerTemplate(CLIENT_MAC, SERVER_MAC, c, s, clientPort, serverPort, mss);
        this.headerFromServer = headerTemplate(SERVER_MAC, CLIENT_MAC, s, c, serverPort, clientPort, mss);
        this.ipFixedSum = 0x4500 + 0x4000 + ((TTL << 8) | 6) + addressSum;
        this.tcpFixedSum = addressSum + 6 + clientPort + serverPort + WINDOW;
        this.clientIsn = clientIsn;
        this.serverIsn = serverIsn;
        this.clientNext = clientIsn;
        this.serverNext = serverIsn;
    }

    /**
     * A conversation whose initial sequence numbers derive from {@code seed} and
     * {@code connectionId} only, so the same input always gives the same capture.
     */
    public static TcpConversation forConnection(
            InetSocketAddress client, InetSocketAddress server, int mss, long seed, long connectionId) {
        long h = mix(seed ^ mix(connectionId));
        return new TcpConversation(client, server, mss, (int) h, (int) (h >>> 32));
    }

    /** Writes SYN, SYN/ACK and ACK, all with the given timestamp. */
    public void handshake(long timestampMicros, FrameOutput out) {
        clientNext = clientIsn;
        serverNext = serverIsn;
        emit(out, timestampMicros, true, SYN, clientNext, 0, true, null, 0, 0);
        clientNext++;
        emit(out, timestampMicros, false, SYN | ACK, serverNext, clientNext, true, null, 0, 0);
        serverNext++;
        emit(out, timestampMicros, true, ACK, clientNext, serverNext, false, null, 0, 0);
    }

    /**
     * Writes the readable bytes of {@code data} (its indices are not changed) as segments of at most
     * the MSS. Each carries ACK = the peer's next sequence number; the last one also PSH.
     */
    public void data(long timestampMicros, Direction direction, ByteBuf data, FrameOutput out) {
        boolean fromClient = direction == Direction.CLIENT_TO_SERVER;
        int index = data.readerIndex();
        int remaining = data.readableBytes();
        while (remaining > 0) {
            int n = Math.min(mss, remaining);
            int flags = n == remaining ? ACK | PSH : ACK;
            if (fromClient) {
                emit(out, timestampMicros, true, flags, clientNext, serverNext, false, data, index, n);
                clientNext += n;
            } else {
                emit(out, timestampMicros, false, flags, serverNext, clientNext, false, data, index, n);
                serverNext += n;
            }
            index += n;
            remaining -= n;
        }
    }

    /** Orderly close: FIN/ACK from {@code closer}, FIN/ACK from its peer, then the closer's ACK. */
    public void finish(long timestampMicros, Direction closer, FrameOutput out) {
        boolean c = closer == Direction.CLIENT_TO_SERVER;
        emit(out, timestampMicros, c, FIN | ACK, next(c), next(!c), false, null, 0, 0);
        advance(c, 1);
        emit(out, timestampMicros, !c, FIN | ACK, next(!c), next(c), false, null, 0, 0);
        advance(!c, 1);
        emit(out, timestampMicros, c, ACK, next(c), next(!c), false, null, 0, 0);
    }

    /** Abortive close: one RST/ACK sent in {@code direction}. */
    public void reset(long timestampMicros, Direction direction, FrameOutput out) {
        boolean c = direction == Direction.CLIENT_TO_SERVER;
        emit(out, timestampMicros, c, RST | ACK, next(c), next(!c), false, null, 0, 0);
    }

    /** The next sequence number of a side. */
    public int nextSeq(Direction direction) {
        return next(direction == Direction.CLIENT_TO_SERVER);
    }

    /** Whether the frames are IPv6. */
    public boolean ipv6() {
        return ipv6;
    }

    /** The server port written to the capture. */
    public int serverPort() {
        return serverPort;
    }

    private int next(boolean client) {
        return client ? clientNext : serverNext;
    }

    private void advance(boolean client, int n) {
        if (client) {
            clientNext += n;
        } else {
            serverNext += n;
        }
    }

    private void emit(FrameOutput out, long ts, boolean fromClient, int flags, int seq, int ack,
            boolean synOptions, ByteBuf payload, int index, int length) {
        int tcpHeader = synOptions ? 28 : 20;
        int tcpLength = tcpHeader + length;
        int ip = ETHERNET_HEADER;
        int tcp = ip + ipHeader;
        byte[] h = fromClient ? headerFromClient : headerFromServer;
        if (ipv6) {
            putShort(h, ip + 4, tcpLength); // payload length
        } else {
            int id = (fromClient ? clientIpId++ : serverIpId++) & 0xFFFF;
            putShort(h, ip + 2, 20 + tcpLength); // total length
            putShort(h, ip + 4, id);
            putShort(h, ip + 10, Checksums.finish(ipFixedSum + 20 + tcpLength + id));
        }
        int offsetAndFlags = ((tcpHeader / 4) << 12) | flags;
        putInt(h, tcp + 4, seq);
        putInt(h, tcp + 8, ack);
        putShort(h, tcp + 12, offsetAndFlags);
        long sum = tcpFixedSum + tcpLength + (seq >>> 16) + (seq & 0xFFFF) + (ack >>> 16) + (ack & 0xFFFF) + offsetAndFlags;
        if (synOptions) {
            sum += 0x0204 + mss + 0x0103 + (0x0300 | WINDOW_SCALE); // MSS, NOP, window scale (in the template)
        }
        int headers = tcp + tcpHeader;
        ByteBuf b = out.begin(ts, headers + length);
        int frame = b.writerIndex();
        if (length == 0) {
            putShort(h, tcp + 16, Checksums.finish(sum));
            b.writeBytes(h, 0, headers);
        } else {
            putShort(h, tcp + 16, 0);
            b.writeBytes(h, 0, headers);
            payload.getBytes(index, b, length);
            // summed where it was just copied to: the output buffer, hot, and of one kind per sink
            sum += Checksums.sum(b, frame + headers, length);
            b.setShort(frame + tcp + 16, Checksums.finish(sum));
        }
        out.end();
    }

    private static void putShort(byte[] a, int i, int v) {
        a[i] = (byte) (v >>> 8);
        a[i + 1] = (byte) v;
    }

    private static void putInt(byte[] a, int i, int v) {
        a[i] = (byte) (v >>> 24);
        a[i + 1] = (byte) (v >>> 16);
        a[i + 2] = (byte) (v >>> 8);
        a[i + 3] = (byte) v;
    }

    /**
     * Ethernet, IP and TCP headers with the fields of one direction that never change, and the SYN
     * options (MSS, NOP, window scale) after them; lengths, IP id, sequence and acknowledgment
     * numbers, flags and checksums are left 0, set for each frame.
     */
    private static byte[] headerTemplate(byte[] srcMac, byte[] dstMac, byte[] srcIp, byte[] dstIp, int srcPort, int dstPort,
            int mss) {
        boolean v6 = srcIp.length == 16;
        ByteBuf h = Unpooled.buffer(ETHERNET_HEADER + (v6 ? 40 : 20) + 28);
        h.writeBytes(dstMac);
        h.writeBytes(srcMac);
        h.writeShort(v6 ? 0x86DD : 0x0800);
        if (v6) {
            h.writeInt(0x6000_0000); // version 6, traffic class 0, flow label 0
            h.writeShort(0); // payload length
            h.writeByte(6); // next header: TCP
            h.writeByte(TTL);
        } else {
            h.writeShort(0x4500); // version 4, IHL 5, DSCP 0
            h.writeShort(0); // total length
            h.writeShort(0); // id
            h.writeShort(0x4000); // don't fragment
            h.writeByte(TTL);
            h.writeByte(6); // protocol: TCP
            h.writeShort(0); // header checksum
        }
        h.writeBytes(srcIp);
        h.writeBytes(dstIp);
        h.writeShort(srcPort);
        h.writeShort(dstPort);
        h.writeInt(0); // sequence number
        h.writeInt(0); // acknowledgment number
        h.writeShort(0); // data offset and flags
        h.writeShort(WINDOW);
        h.writeShort(0); // checksum
        h.writeShort(0); // urgent pointer
        h.writeInt((2 << 24) | (4 << 16) | mss); // SYN options: MSS,
        h.writeInt((1 << 24) | (3 << 16) | (3 << 8) | WINDOW_SCALE); // NOP, window scale
        return ByteBufUtil.getBytes(h);
    }

    private static byte[] addressBytes(InetSocketAddress a) {
        InetAddress address = a.getAddress();
        if (address == null) {
            return new byte[4];
        }
        return address.getAddress(); // 4 bytes for Inet4Address, 16 for Inet6Address
    }

    private static byte[] toIpv6(byte[] ip) {
        if (ip.length == 16) {
            return ip;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(ip, 0, mapped, 12, 4);
        return mapped;
    }

    /** SplitMix64's finalizer: a good 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
