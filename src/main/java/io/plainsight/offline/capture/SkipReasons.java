package io.plainsight.offline.capture;

/**
 * The reasons given to {@link CaptureListener#skipped}: constant strings, so that skipping the
 * non-TCP packets of a busy capture allocates nothing.
 */
final class SkipReasons {
    private SkipReasons() {}

    static final String UNSUPPORTED_LINK = "unsupported link type";
    static final String SHORT_LINK = "frame shorter than its link-layer header";
    static final String CUT_LINK = "cut short (snaplen or end of file) inside the link-layer header";
    static final String TOO_MANY_VLAN_TAGS = "more than 8 VLAN tags";
    static final String LLC = "IEEE 802.3 LLC frame (not IP)";
    static final String NOT_IP_FAMILY = "loopback address family is not IPv4 or IPv6";
    static final String NOT_IP_VERSION = "raw IP packet of neither version 4 nor 6";

    static final String CUT_IP = "cut short (snaplen or end of file) inside the IP headers";
    static final String SHORT_IPV4 = "IPv4 header shorter than 20 bytes";
    static final String BAD_IPV4_VERSION = "IPv4 packet whose version is not 4";
    static final String BAD_IPV4_HEADER_LENGTH = "bad IPv4 header length";
    static final String BAD_IPV4_TOTAL_LENGTH = "IPv4 total length shorter than its header";
    static final String SHORT_IPV6 = "IPv6 header shorter than 40 bytes";
    static final String BAD_IPV6_VERSION = "IPv6 packet whose version is not 6";
    static final String BAD_IPV6_EXTENSION = "IPv6 extension header longer than the packet";
    static final String NO_NEXT_HEADER = "IPv6 with no next header (59)";
    static final String NESTED_FRAGMENT = "IPv6 fragment header inside a fragmented datagram";

    static final String FRAGMENT_LENGTH_UNKNOWN = "IP fragment of unknown length (IP length 0 in a frame cut short)";
    static final String FRAGMENT_TOO_LONG = "IP fragment beyond 65535 bytes: ignored";
    static final String FRAGMENT_NOT_MULTIPLE_OF_8 = "IP fragment (not the last) whose length is not a multiple of 8: ignored";

    static final String CUT_TCP = "cut short (snaplen or end of file) inside the TCP header";
    static final String SHORT_TCP = "TCP header shorter than 20 bytes";
    static final String BAD_TCP_HEADER_LENGTH = "bad TCP header length (data offset)";

    private static final String[] NOT_TCP = new String[256];
    private static final String[] ETHERTYPES = new String[65536];

    static {
        for (int p = 0; p < 256; p++) {
            String name = protocolName(p);
            NOT_TCP[p] = name.isEmpty() ? "not TCP: IP protocol " + p : "not TCP: " + name + " (IP protocol " + p + ")";
        }
    }

    /** "not TCP: UDP (IP protocol 17)". */
    static String notTcp(int protocol) {
        return NOT_TCP[protocol & 0xFF];
    }

    /** "not IP: ARP (ethertype 0x0806)", made once per ethertype. */
    static String notIp(int etherType) {
        String s = ETHERTYPES[etherType];
        if (s == null) {
            String name = etherTypeName(etherType);
            String hex = String.format("0x%04x", etherType);
            s = name.isEmpty() ? "not IP: ethertype " + hex : "not IP: " + name + " (ethertype " + hex + ")";
            ETHERTYPES[etherType] = s;
        }
        return s;
    }

    private static String protocolName(int p) {
        return switch (p) {
            case 1 -> "ICMP";
            case 2 -> "IGMP";
            case 4 -> "IPv4 in IP";
            case 17 -> "UDP";
            case 41 -> "IPv6 in IP";
            case 47 -> "GRE";
            case 50 -> "ESP";
            case 58 -> "ICMPv6";
            case 89 -> "OSPF";
            case 103 -> "PIM";
            case 112 -> "VRRP";
            case 132 -> "SCTP";
            default -> "";
        };
    }

    private static String etherTypeName(int t) {
        return switch (t) {
            case 0x0806 -> "ARP";
            case 0x8035 -> "RARP";
            case 0x8847, 0x8848 -> "MPLS";
            case 0x8863, 0x8864 -> "PPPoE";
            case 0x888E -> "EAPOL";
            case 0x88CC -> "LLDP";
            case 0x88F7 -> "PTP";
            case 0x8809 -> "slow protocols (LACP)";
            default -> "";
        };
    }
}
