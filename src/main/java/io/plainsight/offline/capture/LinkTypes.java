package io.plainsight.offline.capture;

import io.plainsight.sink.pcap.PcapFormat;

/** The link-layer header types (tcpdump.org LINKTYPE_ values) the reader decodes, and their names. */
final class LinkTypes {
    private LinkTypes() {}

    /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
    static final int NULL = 0;
    static final int ETHERNET = PcapFormat.LINKTYPE_ETHERNET;
    /** DLT_RAW as some writers store it in files (12, or 14 on OpenBSD) instead of 101. */
    static final int RAW_DLT12 = 12;
    static final int RAW_DLT14 = 14;
    static final int RAW = 101;
    /** OpenBSD loopback: like {@link #NULL}, with the family in network byte order. */
    static final int LOOP = 108;
    static final int LINUX_SLL = 113;
    static final int IPV4 = 228;
    static final int IPV6 = 229;
    static final int LINUX_SLL2 = 276;

    static boolean supported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW_DLT12, RAW_DLT14, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "BSD loopback (NULL)";
            case ETHERNET -> "Ethernet";
            case RAW_DLT12, RAW_DLT14, RAW -> "raw IP";
            case LOOP -> "OpenBSD loopback (LOOP)";
            case LINUX_SLL -> "Linux cooked (SLL)";
            case IPV4 -> "raw IPv4";
            case IPV6 -> "raw IPv6";
            case LINUX_SLL2 -> "Linux cooked v2 (SLL2)";
            default -> "link type " + linkType;
        };
    }

    /** The message for a link type the reader does not decode. */
    static String unsupported(int linkType) {
        return "link type " + linkType + " is not supported (supported: Ethernet 1, Linux SLL 113 and SLL2 276,"
                + " raw IP 101/228/229, BSD loopback 0 and 108); its packets are skipped";
    }
}
