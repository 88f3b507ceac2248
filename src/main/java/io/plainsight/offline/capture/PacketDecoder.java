package io.plainsight.offline.capture;

import static io.plainsight.offline.capture.Bytes.i32;
import static io.plainsight.offline.capture.Bytes.i64;
import static io.plainsight.offline.capture.Bytes.u16;
import static io.plainsight.offline.capture.Bytes.u32;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;

/**
 * Turns one captured frame into a {@link TcpSegment}, or into a reason it is skipped: link layer
 * (Ethernet with VLAN/QinQ tags, Linux SLL and SLL2, raw IP, BSD loopback), IPv4 (with
 * fragments), IPv6 (hop-by-hop, routing, destination options, AH, fragment headers), TCP.
 *
 * <p>Per packet it allocates the {@link TcpSegment} and nothing else: addresses are interned, the
 * payload is one reused read-only view over the frame's array.
 */
final class PacketDecoder {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int MAX_VLAN_TAGS = 8;
    private static final int PROTO_TCP = 6;
    /** The end on the wire of a datagram whose IP length is 0 (offload) in a cut frame: unknown, past the captured end. */
    private static final int UNKNOWN_END = Integer.MAX_VALUE;

    private final AddressCache addresses = new AddressCache();
    private final FragmentReassembler fragments = new FragmentReassembler();
    private byte[] viewArray;
    private ByteBuf view;

    // the packet being decoded
    private long number;
    private long timestamp;
    private CaptureListener listener;

    /**
     * Decodes {@code b[off, off + len)}, a frame of link type {@code linkType}; {@code cut} when the
     * capture holds less of the frame than was on the wire.
     */
    void decode(long packetNumber, long timestampMicros, int linkType, byte[] b, int off, int len, boolean cut,
            CaptureListener l) {
        this.number = packetNumber;
        this.timestamp = timestampMicros;
        this.listener = l;
        if (!fragments.isEmpty()) {
            fragments.expire(packetNumber, timestampMicros, l);
        }
        int end = off + len;
        int p;
        int etherType;
        switch (linkType) {
            case LinkTypes.ETHERNET -> {
                if (len < 14) {
                    skip(cut ? SkipReasons.CUT_LINK : SkipReasons.SHORT_LINK);
                    return;
                }
                etherType = u16(b, off + 12);
                p = off + 14;
                if (etherType <= 1500) {
                    skip(SkipReasons.LLC);
                    return;
                }
            }
            case LinkTypes.LINUX_SLL -> {
                if (len < 16) {
                    skip(cut ? SkipReasons.CUT_LINK : SkipReasons.SHORT_LINK);
                    return;
                }
                etherType = u16(b, off + 14);
                p = off + 16;
            }
            case LinkTypes.LINUX_SLL2 -> {
                if (len < 20) {
                    skip(cut ? SkipReasons.CUT_LINK : SkipReasons.SHORT_LINK);
                    return;
                }
                etherType = u16(b, off);
                p = off + 20;
            }
            case LinkTypes.RAW, LinkTypes.RAW_DLT12, LinkTypes.RAW_DLT14 -> {
                if (len < 1) {
                    skip(cut ? SkipReasons.CUT_IP : SkipReasons.SHORT_IPV4);
                    return;
                }
                int version = (b[off] >> 4) & 0xF;
                if (version == 4) {
                    ipv4(b, off, end, cut);
                } else if (version == 6) {
                    ipv6(b, off, end, cut);
                } else {
                    skip(SkipReasons.NOT_IP_VERSION);
                }
                return;
            }
            case LinkTypes.IPV4 -> {
                ipv4(b, off, end, cut);
                return;
            }
            case LinkTypes.IPV6 -> {
                ipv6(b, off, end, cut);
                return;
            }
            case LinkTypes.NULL, LinkTypes.LOOP -> {
                if (len < 4) {
                    skip(cut ? SkipReasons.CUT_LINK : SkipReasons.SHORT_LINK);
                    return;
                }
                int version = loopbackFamily(i32(b, off, false));
                if (version == 0) {
                    version = loopbackFamily(i32(b, off, true));
                }
                if (version == 4) {
                    ipv4(b, off + 4, end, cut);
                } else if (version == 6) {
                    ipv6(b, off + 4, end, cut);
                } else {
                    skip(SkipReasons.NOT_IP_FAMILY);
                }
                return;
            }
            default -> {
                skip(SkipReasons.UNSUPPORTED_LINK);
                return;
            }
        }
        for (int tags = 0; etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 || etherType == 0x9200;
                tags++) {
            if (tags == MAX_VLAN_TAGS) {
                skip(SkipReasons.TOO_MANY_VLAN_TAGS);
                return;
            }
            if (end - p < 4) {
                skip(cut ? SkipReasons.CUT_LINK : SkipReasons.SHORT_LINK);
                return;
            }
            etherType = u16(b, p + 2);
            p += 4;
        }
        if (etherType == ETHERTYPE_IPV4) {
            ipv4(b, p, end, cut);
        } else if (etherType == ETHERTYPE_IPV6) {
            ipv6(b, p, end, cut);
        } else {
            skip(SkipReasons.notIp(etherType));
        }
    }

    /**
     * The IP version of a BSD loopback address family: AF_INET is 2 everywhere; AF_INET6 is 24
     * (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS), as libpcap documents LINKTYPE_NULL and
     * Wireshark reads it. 0 if neither.
     */
    private static int loopbackFamily(int family) {
        return switch (family) {
            case 2 -> 4;
            case 24, 28, 30 -> 6;
            default -> 0;
        };
    }

    private void ipv4(byte[] b, int p, int end, boolean cut) {
        int avail = end - p;
        if (avail < 20) {
            skip(cut ? SkipReasons.CUT_IP : SkipReasons.SHORT_IPV4);
            return;
        }
        if ((b[p] & 0xF0) != 0x40) {
            skip(SkipReasons.BAD_IPV4_VERSION);
            return;
        }
        int ihl = (b[p] & 0x0F) << 2;
        if (ihl < 20) {
            skip(SkipReasons.BAD_IPV4_HEADER_LENGTH);
            return;
        }
        if (avail < ihl) {
            skip(cut ? SkipReasons.CUT_IP : SkipReasons.BAD_IPV4_HEADER_LENGTH);
            return;
        }
        int total = u16(b, p + 2);
        int wireEnd; // where the datagram ends on the wire; beyond 'end' when the capture holds less
        if (total == 0) { // TCP segmentation offload on the capturing host: the NIC fills the length in
            wireEnd = cut ? UNKNOWN_END : end;
        } else if (total < ihl) {
            skip(SkipReasons.BAD_IPV4_TOTAL_LENGTH);
            return;
        } else {
            wireEnd = p + total;
        }
        int protocol = b[p + 9] & 0xFF;
        if (protocol != PROTO_TCP) {
            skip(SkipReasons.notTcp(protocol));
            return;
        }
        int limit = Math.min(end, wireEnd);
        InetAddress src = addresses.ipv4(b, p + 12);
        InetAddress dst = addresses.ipv4(b, p + 16);
        int frag = u16(b, p + 6);
        if ((frag & 0x3FFF) == 0) {
            tcp(src, dst, b, p + ihl, limit, wireEnd);
            return;
        }
        if (wireEnd == UNKNOWN_END) {
            skip(SkipReasons.FRAGMENT_LENGTH_UNKNOWN);
            return;
        }
        FragmentReassembler.Key key = new FragmentReassembler.Key(false, u32(b, p + 12), 0, u32(b, p + 16), 0,
                u16(b, p + 4));
        FragmentReassembler.Datagram d = fragments.add(key, src, dst, protocol, number, timestamp,
                (frag & 0x1FFF) << 3, (frag & 0x2000) != 0, b, p + ihl, limit - p - ihl, wireEnd - p - ihl, listener);
        if (d != null) {
            tcp(d.src, d.dst, d.data, 0, d.usableLength(), d.total);
        }
    }

    private void ipv6(byte[] b, int p, int end, boolean cut) {
        int avail = end - p;
        if (avail < 40) {
            skip(cut ? SkipReasons.CUT_IP : SkipReasons.SHORT_IPV6);
            return;
        }
        if ((b[p] & 0xF0) != 0x60) {
            skip(SkipReasons.BAD_IPV6_VERSION);
            return;
        }
        int payloadLength = u16(b, p + 4);
        int wireEnd;
        if (payloadLength == 0) { // a jumbogram, or segmentation offload: the frame says how long
            wireEnd = cut ? UNKNOWN_END : end;
        } else {
            wireEnd = p + 40 + payloadLength;
        }
        InetAddress src = addresses.ipv6(b, p + 8);
        InetAddress dst = addresses.ipv6(b, p + 24);
        ipv6Headers(src, dst, b, p, b[p + 6] & 0xFF, p + 40, Math.min(end, wireEnd), wireEnd);
    }

    /**
     * Walks IPv6 extension headers from {@code q} (of type {@code next}) to TCP. {@code limit} is
     * the end of the captured bytes, {@code wireEnd} the end on the wire; {@code ip} the offset of
     * the IPv6 header in {@code b}, or -1 for a reassembled datagram (which may not be fragmented again).
     */
    private void ipv6Headers(InetAddress src, InetAddress dst, byte[] b, int ip, int next, int q, int limit,
            int wireEnd) {
        boolean truncated = wireEnd > limit;
        while (true) {
            switch (next) {
                case PROTO_TCP -> {
                    tcp(src, dst, b, q, limit, wireEnd);
                    return;
                }
                case 0, 43, 60, 51, 135, 139, 140 -> { // hop-by-hop, routing, destination options, AH, mobility, HIP, shim6
                    if (limit - q < 2) {
                        skip(truncated ? SkipReasons.CUT_IP : SkipReasons.BAD_IPV6_EXTENSION);
                        return;
                    }
                    int length = next == 51 ? ((b[q + 1] & 0xFF) + 2) << 2 : ((b[q + 1] & 0xFF) + 1) << 3;
                    if (limit - q < length) {
                        skip(truncated ? SkipReasons.CUT_IP : SkipReasons.BAD_IPV6_EXTENSION);
                        return;
                    }
                    next = b[q] & 0xFF;
                    q += length;
                }
                case 44 -> {
                    if (limit - q < 8) {
                        skip(truncated ? SkipReasons.CUT_IP : SkipReasons.BAD_IPV6_EXTENSION);
                        return;
                    }
                    int fragmentNext = b[q] & 0xFF;
                    int offsetAndMore = u16(b, q + 2);
                    int id = i32(b, q + 4);
                    q += 8;
                    if (offsetAndMore == 0) { // an atomic fragment (RFC 6946): the whole datagram
                        next = fragmentNext;
                        continue;
                    }
                    if (ip < 0) {
                        skip(SkipReasons.NESTED_FRAGMENT);
                        return;
                    }
                    if (wireEnd == UNKNOWN_END) {
                        skip(SkipReasons.FRAGMENT_LENGTH_UNKNOWN);
                        return;
                    }
                    if (fragmentNext == 44) {
                        skip(SkipReasons.NESTED_FRAGMENT);
                        return;
                    }
                    if (fragmentNext != PROTO_TCP && !isExtension(fragmentNext)) {
                        skip(fragmentNext == 59 ? SkipReasons.NO_NEXT_HEADER : SkipReasons.notTcp(fragmentNext));
                        return;
                    }
                    FragmentReassembler.Key key = new FragmentReassembler.Key(true, i64(b, ip + 8), i64(b, ip + 16),
                            i64(b, ip + 24), i64(b, ip + 32), id);
                    FragmentReassembler.Datagram d = fragments.add(key, src, dst, fragmentNext, number, timestamp,
                            offsetAndMore & 0xFFF8, (offsetAndMore & 1) != 0, b, q, limit - q, wireEnd - q, listener);
                    if (d != null) {
                        ipv6Headers(d.src, d.dst, d.data, -1, d.nextHeader, 0, d.usableLength(), d.total);
                    }
                    return;
                }
                case 59 -> {
                    skip(SkipReasons.NO_NEXT_HEADER);
                    return;
                }
                default -> {
                    skip(SkipReasons.notTcp(next));
                    return;
                }
            }
        }
    }

    private static boolean isExtension(int next) {
        return switch (next) {
            case 0, 43, 60, 51, 135, 139, 140 -> true;
            default -> false;
        };
    }

    /**
     * The TCP segment at {@code q}: captured up to {@code limit}, ending at {@code wireEnd} on the
     * wire ({@link #UNKNOWN_END} if the IP header did not say and the frame is cut). A segment cut
     * inside its options is still delivered (with an empty payload): its flags and numbers are there.
     */
    private void tcp(InetAddress src, InetAddress dst, byte[] b, int q, int limit, int wireEnd) {
        boolean cut = wireEnd > limit;
        if (limit - q < 20) {
            skip(cut ? SkipReasons.CUT_TCP : SkipReasons.SHORT_TCP);
            return;
        }
        int headerLength = (b[q + 12] >> 2) & 0x3C;
        if (headerLength < 20 || wireEnd - q < headerLength) {
            skip(SkipReasons.BAD_TCP_HEADER_LENGTH);
            return;
        }
        int payload = q + headerLength;
        int from = Math.min(payload, limit);
        int flags = ((b[q + 12] & 1) << 8) | (b[q + 13] & 0xFF);
        // truncated: payload bytes were sent that the capture does not hold
        listener.segment(new TcpSegment(number, timestamp, src, u16(b, q), dst, u16(b, q + 2), u32(b, q + 4),
                u32(b, q + 8), flags, u16(b, q + 14), view(b, from, limit), wireEnd > Math.max(limit, payload)));
    }

    private ByteBuf view(byte[] b, int from, int to) {
        if (b != viewArray) {
            viewArray = b;
            // writable on purpose: a read-only view hides the array (hasArray() false), and the TLS
            // decryptor would then copy every payload byte before decrypting it in place
            view = Unpooled.wrappedBuffer(b);
        }
        view.setIndex(from, to);
        return view;
    }

    private void skip(String reason) {
        listener.skipped(number, reason);
    }

    /** Reports the fragments of datagrams still incomplete; called once at the end of the capture. */
    void finish(CaptureListener l) {
        fragments.finish(l);
    }

    /** Datagrams waiting for fragments (for tests). */
    int pendingFragments() {
        return fragments.pendingCount();
    }
}
