package io.plainsight.offline.capture;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * One TCP segment of a capture, after the link layer, IP (and IP fragment reassembly) and the TCP
 * header (options skipped, checksum not verified: captures taken on a sending host carry
 * offloaded, wrong checksums).
 *
 * @param packetNumber the 1-based number of the packet in the file, as tshark's
 *     {@code frame.number}; for a datagram reassembled from IP fragments, the packet that completed it
 * @param timestampMicros microseconds since the epoch (nanosecond and other resolutions are rounded down)
 * @param src source address; the same instance for the same address across segments (interned)
 * @param seq the raw sequence number, 0..2^32-1
 * @param ack the raw acknowledgment number, 0..2^32-1
 * @param flags the TCP flags: FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128, and AE (NS)=256
 * @param window the raw window field (not scaled)
 * @param payload the TCP payload: a view over the reader's buffer (its backing array exposed, so
 *     consumers can work on it without a copy; do not write to it), valid only during
 *     {@link CaptureListener#segment}; copy what must be kept, and never release it
 * @param truncated true when the capture holds less of the payload than was sent (snaplen cut, or
 *     a file cut short): the payload is then a prefix of the segment's real payload
 */
public record TcpSegment(long packetNumber, long timestampMicros, InetAddress src, int srcPort, InetAddress dst,
        int dstPort, long seq, long ack, int flags, int window, ByteBuf payload, boolean truncated) {

    public static final int FIN = 1;
    public static final int SYN = 2;
    public static final int RST = 4;
    public static final int PSH = 8;
    public static final int ACK = 16;
    public static final int URG = 32;
    public static final int ECE = 64;
    public static final int CWR = 128;
    public static final int AE = 256;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
