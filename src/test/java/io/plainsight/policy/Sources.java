package io.plainsight.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Field sources for the filter tests. */
final class Sources {
    private Sources() {}

    /** An address from a literal (never a name lookup). */
    static InetAddress ip(String literal) {
        if (IpNetwork.parse(literal) == null) {
            throw new IllegalArgumentException("not an address literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A connection from {@code src:srcPort} to {@code dst:dstPort}. */
    static MapFieldSource connection(String src, long srcPort, String dst, long dstPort) {
        return new MapFieldSource()
                .put("ip.src", ip(src))
                .put("ip.dst", ip(dst))
                .put("tcp.srcport", srcPort)
                .put("tcp.dstport", dstPort)
                .put("tcp.stream", 7L);
    }

    static boolean matches(String expression, FieldSource source) throws FilterSyntaxException {
        return FilterExpression.parse(expression).matches(source);
    }
}
