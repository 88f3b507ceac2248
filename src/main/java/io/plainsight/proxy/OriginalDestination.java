package io.plainsight.proxy;

import io.netty.channel.Channel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where a transparently redirected client meant to go: with iptables/nftables REDIRECT or DNAT the
 * kernel keeps it for {@code getsockopt(SO_ORIGINAL_DST)}; with TPROXY the accepted socket's own
 * local address is the original destination.
 */
final class OriginalDestination {
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    private static final int SO_ORIGINAL_DST = 80; // also IP6T_SO_ORIGINAL_DST
    private static final RawUnixChannelOption IPV4 = new RawUnixChannelOption("SO_ORIGINAL_DST", SOL_IP, SO_ORIGINAL_DST, 16);
    private static final RawUnixChannelOption IPV6 = new RawUnixChannelOption("IP6T_SO_ORIGINAL_DST", SOL_IPV6, SO_ORIGINAL_DST, 28);

    private OriginalDestination() {}

    /**
     * The original destination of an accepted connection, or null when it was not redirected (a
     * client that connected to the listener itself) or the transport cannot tell (not epoll).
     *
     * @param tproxy whether the listener accepts TPROXY-diverted connections: then a local address
     *     other than the listener's own is where the client meant to go
     */
    static InetSocketAddress of(Channel ch, boolean tproxy) {
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        InetSocketAddress nat = natDestination(ch, local);
        if (nat != null && !nat.equals(local)) {
            return nat;
        }
        // TPROXY: the socket was accepted on the original destination's address itself. Compared
        // with the listening socket's address (the accepted socket's own local address is the same
        // as the listener's for a client that connected to it directly)
        InetSocketAddress listener = ch.parent() != null ? (InetSocketAddress) ch.parent().localAddress() : null;
        if (local == null || listener == null) {
            return null;
        }
        if (!sameEndpoint(local, listener)) {
            return local;
        }
        // a diverted connection whose destination port is the listening port: its address is not
        // one of this host's own
        if (tproxy && !isOwnAddress(local.getAddress())) {
            return local;
        }
        return null;
    }

    private static boolean isOwnAddress(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (java.net.SocketException e) {
            return true; // cannot tell: treat it as a direct connection
        }
    }

    private static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress listener) {
        if (a.getPort() != listener.getPort()) {
            return false;
        }
        return listener.getAddress() == null || listener.getAddress().isAnyLocalAddress() || a.getAddress().equals(listener.getAddress());
    }

    private static InetSocketAddress natDestination(Channel ch, InetSocketAddress local) {
        if (!Transport.isEpoll(ch)) {
            return null;
        }
        boolean v6 = local != null && local.getAddress() instanceof java.net.Inet6Address
                && !isMappedV4(local.getAddress());
        try {
            ByteBuffer b = ch.config().getOption(v6 ? IPV6 : IPV4);
            return b == null ? null : parse(b);
        } catch (RuntimeException e) {
            return null; // ENOENT: no NAT entry, the connection was not redirected
        }
    }

    private static boolean isMappedV4(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    /** Parses a {@code sockaddr_in} or {@code sockaddr_in6} (family in host order, port in network order). */
    static InetSocketAddress parse(ByteBuffer b) {
        ByteBuffer bb = b.duplicate();
        int family = bb.order(ByteOrder.nativeOrder()).getShort(bb.position()) & 0xFFFF;
        int port = bb.order(ByteOrder.BIG_ENDIAN).getShort(bb.position() + 2) & 0xFFFF;
        byte[] addr;
        if (family == 2) { // AF_INET
            addr = new byte[4];
            bb.get(bb.position() + 4, addr);
        } else if (family == 10) { // AF_INET6
            addr = new byte[16];
            bb.get(bb.position() + 8, addr);
        } else {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(addr), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
