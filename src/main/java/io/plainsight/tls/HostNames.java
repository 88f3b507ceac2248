package io.plainsight.tls;

import io.netty.util.NetUtil;

/** Tells IP literals from DNS names without ever resolving anything. */
public final class HostNames {
    private HostNames() {
    }

    /** {@code host} without the brackets of a bracketed IPv6 literal ("[::1]" gives "::1"). */
    public static String unbracket(String host) {
        if (host.length() > 1 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']') {
            return host.substring(1, host.length() - 1);
        }
        return host;
    }

    /** True when {@code host} is an IPv4 or IPv6 literal (optionally bracketed). */
    public static boolean isIpLiteral(String host) {
        String h = unbracket(host);
        return NetUtil.isValidIpV4Address(h) || NetUtil.isValidIpV6Address(h);
    }

    /** The address bytes of an IP literal (4 or 16 bytes), or null when {@code host} is not one. */
    public static byte[] ipBytes(String host) {
        String h = unbracket(host);
        if (!isIpLiteral(h)) {
            return null;
        }
        return NetUtil.createByteArrayFromIpAddressString(h);
    }
}
