package io.plainsight.offline;

import io.plainsight.event.Mode;
import io.plainsight.offline.tcp.TcpConnection;
import io.plainsight.offline.tls.TlsHandshakeInfo;
import io.plainsight.policy.CaptureRules;
import io.plainsight.policy.Field;
import io.plainsight.policy.FilterExpression;
import io.plainsight.policy.MapFieldSource;
import io.plainsight.policy.Rule;
import io.plainsight.proxy.ClientHello;
import io.plainsight.tls.HelloFingerprints;
import io.plainsight.tls.Ja3;
import java.util.List;

/**
 * The part of a {@code --filter} that can be decided per connection before its bytes reach any
 * output, so that a capture can be cut down to the conversations asked for (in every output,
 * the PCAP included) and the rest is not even decrypted. An expression that names only
 * connection fields ({@code ip.*}, {@code tcp.*}) is decided when the connection opens; one that
 * also names TLS fields ({@code tls.sni}, {@code tls.ja3}, ...) once the handshake is known. An
 * expression that names HTTP or WebSocket fields is decided per exchange by the exchange outputs
 * and keeps every connection here.
 */
public final class ConnectionPrefilter {
    /** Keeps everything. */
    public static final ConnectionPrefilter ALL = new ConnectionPrefilter(null, false, List.of());

    private final FilterExpression expression;
    private final boolean needsTls;
    /** The {@code capture:} rules of {@code --rules}, in file order. */
    private final List<Rule> captureRules;
    /** Whether a capture rule names a TLS field: the rules are then decided after the ClientHello. */
    private final boolean rulesNeedTls;

    private ConnectionPrefilter(FilterExpression expression, boolean needsTls, List<Rule> captureRules) {
        this.expression = expression;
        this.needsTls = needsTls;
        this.captureRules = captureRules;
        this.rulesNeedTls = captureRules.stream().anyMatch(r -> r.match().uses(Field.Layer.TLS));
    }

    /**
     * This filter and the connection rules of {@code rules} ({@code capture: off} leaves a
     * connection out of every output, as in the live modes; {@code decrypt:} rules do not apply
     * to a capture). Fields as live: ip.src, ip.dst, tcp.srcport, tcp.dstport, tls.sni, tls.ja3,
     * tls.ja4, plainsight.mode ("offline"); decided when the connection opens, or after its
     * ClientHello when a rule names a TLS field.
     */
    public ConnectionPrefilter withRules(CaptureRules rules) {
        List<Rule> capture = rules == null ? List.of()
                : rules.connectionRules().stream().filter(r -> r.actions().capture() != null).toList();
        return new ConnectionPrefilter(expression, needsTls, capture);
    }

    /** Whether connections are decided only once their ClientHello is known (capture rules on TLS fields). */
    boolean rulesNeedTls() {
        return rulesNeedTls;
    }

    /**
     * The {@code capture: off} rule that leaves a connection out, on the fields known: its
     * addresses, and {@code sni} and the ClientHello {@code message} (type, length, body) when
     * known (null: none). The first matching capture rule decides, as live; null when it keeps it.
     */
    Rule captureOff(TcpConnection c, String sni, byte[] message) {
        if (captureRules.isEmpty()) {
            return null;
        }
        MapFieldSource f = fields(c, null);
        if (sni != null) {
            f.put("tls.sni", sni);
        }
        if (message != null) {
            Ja3 ja3 = HelloFingerprints.ja3(message);
            if (ja3 != null) {
                f.put("tls.ja3", ja3.md5());
            }
            String ja4 = HelloFingerprints.ja4(message);
            if (ja4 != null) {
                f.put("tls.ja4", ja4);
            }
        }
        for (Rule r : captureRules) {
            if (r.match().matches(f)) {
                return r.actions().capture() ? null : r;
            }
        }
        return null;
    }

    /** The connection-level filter of {@code expression} (null: none). */
    public static ConnectionPrefilter of(FilterExpression expression) {
        if (expression == null || expression.uses(Field.Layer.HTTP) || expression.uses(Field.Layer.WEBSOCKET)) {
            return ALL;
        }
        return new ConnectionPrefilter(expression, expression.uses(Field.Layer.TLS), List.of());
    }

    /** Whether this filter leaves connections out (false: it keeps all, or works per exchange). */
    public boolean active() {
        return expression != null;
    }

    /** Whether connections are decided only once their TLS handshake is known. */
    boolean needsTls() {
        return expression != null && needsTls;
    }

    boolean atOpen(TcpConnection c) {
        return expression == null || needsTls || expression.matches(fields(c, null));
    }

    boolean afterHandshake(TcpConnection c, TlsHandshakeInfo h) {
        return expression == null || !needsTls || expression.matches(fields(c, h));
    }

    /**
     * Decides on what a ClientHello offers when the handshake is not known (0-RTT early data that
     * did not wait for it, a handshake cut short): the SNI, the highest version offered, JA3 and JA4.
     */
    boolean afterClientHello(TcpConnection c, ClientHello hello, byte[] message) {
        if (expression == null || !needsTls) {
            return true;
        }
        MapFieldSource f = fields(c, null);
        int version = hello.legacyVersion();
        for (int v : hello.supportedVersions()) {
            if ((v & 0x0f0f) != 0x0a0a && v > version) { // not GREASE
                version = v;
            }
        }
        f.put("tls.version", OfflineConnection.protocolName(version));
        if (hello.sni() != null) {
            f.put("tls.sni", hello.sni());
        }
        if (message != null) {
            Ja3 ja3 = HelloFingerprints.ja3(message);
            if (ja3 != null) {
                f.put("tls.ja3", ja3.md5());
            }
            String ja4 = HelloFingerprints.ja4(message);
            if (ja4 != null) {
                f.put("tls.ja4", ja4);
            }
        }
        return expression.matches(f);
    }

    static MapFieldSource fields(TcpConnection c, TlsHandshakeInfo h) {
        MapFieldSource f = new MapFieldSource()
                .put("ip.src", c.clientAddress())
                .put("ip.dst", c.serverAddress())
                .put("tcp.srcport", (long) c.clientPort())
                .put("tcp.dstport", (long) c.serverPort())
                .put("tcp.stream", c.id())
                .put("plainsight.mode", Mode.OFFLINE.label());
        if (h != null) {
            f.put("tls.version", OfflineConnection.protocolName(h.versionCode()));
            f.put("tls.cipher", h.cipherSuite());
            if (h.sni() != null) {
                f.put("tls.sni", h.sni());
            }
            if (h.alpn() != null) {
                f.put("tls.alpn", h.alpn());
            }
            Ja3 ja3 = HelloFingerprints.ja3(h.clientHello());
            if (ja3 != null) {
                f.put("tls.ja3", ja3.md5());
            }
            String ja4 = HelloFingerprints.ja4(h.clientHello());
            if (ja4 != null) {
                f.put("tls.ja4", ja4);
            }
        }
        return f;
    }
}
