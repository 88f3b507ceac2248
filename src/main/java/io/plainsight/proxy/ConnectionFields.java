package io.plainsight.proxy;

import io.plainsight.event.Mode;
import io.plainsight.policy.FieldSource;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** The filter fields known when a connection opens (for capture rules' capture/decrypt decisions). */
final class ConnectionFields {
    private ConnectionFields() {}

    static FieldSource of(Mode mode, SocketAddress client, SocketAddress server, String sni, HostPort target) {
        InetSocketAddress c = client instanceof InetSocketAddress a ? a : null;
        InetSocketAddress s = server instanceof InetSocketAddress a ? a : null;
        return key -> switch (key) {
            case "ip.src" -> c == null || c.getAddress() == null ? List.of() : List.of(c.getAddress());
            case "ip.dst" -> s == null || s.getAddress() == null ? List.of() : List.of(s.getAddress());
            case "tcp.srcport" -> c == null ? List.of() : List.of((long) c.getPort());
            case "tcp.dstport" -> s != null ? List.of((long) s.getPort()) : target != null ? List.of((long) target.port()) : List.of();
            case "tls.sni" -> sni == null ? List.of() : List.of(sni);
            case "plainsight.mode" -> List.of(mode.label());
            default -> List.of();
        };
    }
}
