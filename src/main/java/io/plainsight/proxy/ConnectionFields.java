package io.plainsight.proxy;

import io.plainsight.event.Mode;
import io.plainsight.policy.FieldSource;
import io.plainsight.tls.Ja3;
import io.plainsight.tls.Ja4;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** The filter fields known when a connection opens (for capture rules' capture/decrypt decisions). */
final class ConnectionFields {
    private ConnectionFields() {}

    static FieldSource of(Mode mode, SocketAddress client, SocketAddress server, String sni, HostPort target) {
        return of(mode, client, server, sni, target, null);
    }

    /**
     * With the client's ClientHello (null when there is none, or it is not known yet): its JA3 and
     * JA4 are then the values of {@code tls.ja3} and {@code tls.ja4}, computed only when a rule
     * asks for them.
     */
    static FieldSource of(Mode mode, SocketAddress client, SocketAddress server, String sni, HostPort target,
            ClientHello hello) {
        InetSocketAddress c = client instanceof InetSocketAddress a ? a : null;
        InetSocketAddress s = server instanceof InetSocketAddress a ? a : null;
        return key -> switch (key) {
            case "ip.src" -> c == null || c.getAddress() == null ? List.of() : List.of(c.getAddress());
            case "ip.dst" -> s == null || s.getAddress() == null ? List.of() : List.of(s.getAddress());
            case "tcp.srcport" -> c == null ? List.of() : List.of((long) c.getPort());
            case "tcp.dstport" -> s != null ? List.of((long) s.getPort()) : target != null ? List.of((long) target.port()) : List.of();
            case "tls.sni" -> sni == null ? List.of() : List.of(sni);
            case "tls.ja3" -> hello == null ? List.of() : List.of(Ja3.of(hello).md5());
            case "tls.ja4" -> hello == null ? List.of() : List.of(Ja4.of(hello));
            case "plainsight.mode" -> List.of(mode.label());
            default -> List.of();
        };
    }
}
