package io.plainsight.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections a transparent listener opened to servers. A redirected client whose address is
 * the local address of one of them is plainsight's own connection sent back to it by a redirect
 * rule that does not exclude plainsight's traffic: followed, it would loop until the file
 * descriptors run out.
 *
 * <p>A channel is added as soon as its connect is under way: its local address exists once the
 * kernel sent the SYN, before the looped connection can be accepted. Channels are indexed by
 * local address lazily, so a lookup costs one hash probe plus a look at the few channels whose
 * connect has just started.
 */
final class OwnConnections {
    private final Set<Channel> unindexed = ConcurrentHashMap.newKeySet();
    private final Map<InetSocketAddress, Channel> byLocal = new ConcurrentHashMap<>();

    /** Remembers an upstream channel (connecting or connected) until it closes. */
    void add(Channel upstream) {
        if (upstream == null || !upstream.isOpen() || !unindexed.add(upstream)) {
            return;
        }
        upstream.closeFuture().addListener(f -> {
            unindexed.remove(upstream);
            if (upstream.localAddress() instanceof InetSocketAddress local) {
                byLocal.remove(local, upstream);
            }
        });
    }

    /** Whether {@code client} (an accepted connection's remote address) is one of ours. */
    boolean isOurs(SocketAddress client) {
        if (!(client instanceof InetSocketAddress isa)) {
            return false;
        }
        for (Channel ch : unindexed) {
            if (ch.localAddress() instanceof InetSocketAddress local) {
                unindexed.remove(ch);
                byLocal.put(local, ch);
                if (!ch.isOpen()) { // closed meanwhile: its close listener may have run already
                    byLocal.remove(local, ch);
                }
            }
        }
        Channel ours = byLocal.get(isa);
        return ours != null && ours.isOpen();
    }

    /** Why a conversation that is plainsight's own connection (to {@code target}, if known) was ended. */
    static String loop(HostPort target) {
        return "loop: this is plainsight's own connection" + (target != null ? " to " + target : "")
                + ", sent back to plainsight; the redirect rule must exclude plainsight's traffic"
                + " (e.g. iptables -m owner ! --uid-owner USER, nft meta skuid != USER; see the README)";
    }
}
