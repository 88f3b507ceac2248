package io.plainsight.sink.console;

import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Direction;
import io.plainsight.event.TlsEstablished;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formats console lines. Pure functions, so the layout is tested byte for byte. */
public final class ConsoleFormat {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    private ConsoleFormat() {}

    /**
     * {@code 14:02:11.532 #7 reverse 127.0.0.1:50412 -> 127.0.0.1:8443 sni=api.test
     * client=TLSv1.3/TLS_AES_128_GCM_SHA256 upstream=TLSv1.3/TLS_AES_256_GCM_SHA384 alpn=h2
     * up=512B down=1.0MiB 12ms FIN(client)}
     */
    public static String connection(ConnectionOpened o, TlsEstablished client, TlsEstablished upstream, ConnectionClosed c) {
        StringBuilder sb = new StringBuilder(200);
        sb.append(TIME.format(Instant.ofEpochSecond(0, o.timestampMicros() * 1000)));
        sb.append(" #").append(o.connectionId()).append(' ').append(o.mode().label()).append(' ');
        sb.append(address(o.client())).append(" -> ").append(address(o.server()));
        String sni = o.sni() != null ? o.sni() : upstream != null ? upstream.sni() : null;
        if (sni != null) {
            sb.append(" sni=").append(sni);
        }
        if (!o.interception().captured()) {
            sb.append(' ').append(o.interception().label());
        }
        if (client != null) {
            sb.append(" client=").append(client.protocol()).append('/').append(client.cipher());
        }
        if (upstream != null) {
            sb.append(" upstream=").append(upstream.protocol()).append('/').append(upstream.cipher());
        }
        String alpn = client != null && client.alpn() != null ? client.alpn()
                : upstream != null ? upstream.alpn() : null;
        if (alpn != null) {
            sb.append(" alpn=").append(alpn);
        }
        sb.append(" up=").append(bytes(c.bytesClientToServer()));
        sb.append(" down=").append(bytes(c.bytesServerToClient()));
        sb.append(' ').append(duration(c.timestampMicros() - o.timestampMicros()));
        sb.append(' ').append(c.how());
        if (c.closedBy() != null && c.how() != CloseKind.ERROR) {
            sb.append(c.closedBy() == Direction.CLIENT_TO_SERVER ? "(client)" : "(server)");
        }
        if (c.error() != null) {
            sb.append(" error=\"").append(c.error().replace("\"", "'")).append('"');
        }
        return sb.toString();
    }

    public static String address(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** 512B, 1.5KiB, 10.0MiB, 2.3GiB. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
    }

    /** 850us, 12ms, 3.2s, 5m03s. */
    public static String duration(long micros) {
        if (micros < 1000) {
            return Math.max(micros, 0) + "us";
        }
        if (micros < 1_000_000) {
            return micros / 1000 + "ms";
        }
        if (micros < 60_000_000) {
            return String.format(Locale.ROOT, "%.1fs", micros / 1e6);
        }
        long s = micros / 1_000_000;
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
