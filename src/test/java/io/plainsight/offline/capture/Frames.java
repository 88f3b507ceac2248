package io.plainsight.offline.capture;

import java.io.ByteArrayOutputStream;

/** Builds link-layer frames, IP packets and TCP segments for the decoder's unit tests (checksums left 0: not verified). */
final class Frames {
    private Frames() {}

    static final byte[] CLIENT = {(byte) 192, 0, 2, 1};
    static final byte[] SERVER = {(byte) 198, 51, 100, 7};
    static final byte[] CLIENT6 = v6(1);
    static final byte[] SERVER6 = v6(2);

    static byte[] v6(int last) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[15] = (byte) last;
        return a;
    }

    /** A TCP header (20 bytes + options) and payload. */
    static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, int window, byte[] options, byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        short16(o, srcPort);
        short16(o, dstPort);
        int32(o, (int) seq);
        int32(o, (int) ack);
        int offset = (20 + options.length) / 4;
        o.write(offset << 4 | (flags >> 8 & 1));
        o.write(flags & 0xFF);
        short16(o, window);
        short16(o, 0);
        short16(o, 0);
        o.writeBytes(options);
        o.writeBytes(payload);
        return o.toByteArray();
    }

    static byte[] tcp(long seq, byte[] payload) {
        return tcp(40000, 443, seq, 1, TcpSegment.ACK | TcpSegment.PSH, 502, new byte[0], payload);
    }

    /** An IPv4 header around {@code payload}; {@code totalLength} -1 means the real one. */
    static byte[] ipv4(int protocol, int id, int flagsAndOffset, byte[] payload, int totalLength) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x45);
        o.write(0);
        short16(o, totalLength < 0 ? 20 + payload.length : totalLength);
        short16(o, id);
        short16(o, flagsAndOffset);
        o.write(64);
        o.write(protocol);
        short16(o, 0);
        o.writeBytes(CLIENT);
        o.writeBytes(SERVER);
        o.writeBytes(payload);
        return o.toByteArray();
    }

    static byte[] ipv4(byte[] tcp) {
        return ipv4(6, 1, 0x4000, tcp, -1);
    }

    /** An IPv4 fragment of a TCP datagram: {@code data} at byte offset {@code offset}. */
    static byte[] fragment(int id, int offset, boolean more, byte[] data) {
        return ipv4(6, id, (more ? 0x2000 : 0) | offset / 8, data, -1);
    }

    static byte[] ipv6(int nextHeader, byte[] payload, int payloadLength) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int32(o, 0x60000000);
        short16(o, payloadLength < 0 ? payload.length : payloadLength);
        o.write(nextHeader);
        o.write(64);
        o.writeBytes(CLIENT6);
        o.writeBytes(SERVER6);
        o.writeBytes(payload);
        return o.toByteArray();
    }

    /** An IPv6 fragment header and fragment data. */
    static byte[] ipv6Fragment(int nextHeader, int offset, boolean more, int id, byte[] data) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(nextHeader);
        o.write(0);
        short16(o, offset | (more ? 1 : 0));
        int32(o, id);
        o.writeBytes(data);
        return ipv6(44, o.toByteArray(), -1);
    }

    static byte[] ethernet(int etherType, byte[] payload, int... vlanTpids) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        for (int tpid : vlanTpids) {
            short16(o, tpid);
            short16(o, 7);
        }
        short16(o, etherType);
        o.writeBytes(payload);
        return o.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static void short16(ByteArrayOutputStream o, int v) {
        o.write(v >> 8);
        o.write(v);
    }

    private static void int32(ByteArrayOutputStream o, int v) {
        short16(o, v >>> 16);
        short16(o, v & 0xFFFF);
    }
}
