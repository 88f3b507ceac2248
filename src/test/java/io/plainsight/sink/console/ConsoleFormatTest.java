package io.plainsight.sink.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import java.net.InetSocketAddress;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ConsoleFormatTest {
    static final long T0 = LocalDateTime.of(2026, 11, 21, 14, 2, 11, 532_000_000)
            .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() * 1000;

    @Test
    void fullLine() {
        var o = new ConnectionOpened(7, T0, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 50412),
                new InetSocketAddress("::1", 8443), new InetSocketAddress("127.0.0.1", 443), "api.test", true);
        var c = new TlsEstablished(7, T0, Leg.CLIENT, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "h2", "api.test", null);
        var u = new TlsEstablished(7, T0, Leg.UPSTREAM, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "h2", "api.test", null);
        var x = new ConnectionClosed(7, T0 + 12_345, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 512, 1_100_000);
        assertThat(ConsoleFormat.connection(o, c, u, x)).isEqualTo("14:02:11.532 #7 reverse 127.0.0.1:50412 -> [0:0:0:0:0:0:0:1]:8443"
                + " sni=api.test client=TLSv1.3/TLS_AES_128_GCM_SHA256 upstream=TLSv1.2/TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
                + " alpn=h2 up=512B down=1.0MiB 12ms FIN(client)");
    }

    @Test
    void errorLine() {
        var o = new ConnectionOpened(8, T0, Mode.ORIGINATE, new InetSocketAddress("127.0.0.1", 1),
                InetSocketAddress.createUnresolved("backend.test", 443), null, null, true);
        var x = new ConnectionClosed(8, T0 + 2_500_000, CloseKind.ERROR, null, "cannot connect to backend backend.test:443: connection refused", 0, 0);
        assertThat(ConsoleFormat.connection(o, null, null, x)).isEqualTo("14:02:11.532 #8 originate 127.0.0.1:1 -> backend.test:443"
                + " up=0B down=0B 2.5s ERROR error=\"cannot connect to backend backend.test:443: connection refused\"");
    }

    @Test
    void units() {
        assertThat(ConsoleFormat.bytes(1023)).isEqualTo("1023B");
        assertThat(ConsoleFormat.bytes(1536)).isEqualTo("1.5KiB");
        assertThat(ConsoleFormat.bytes(10L << 30)).isEqualTo("10.0GiB");
        assertThat(ConsoleFormat.duration(999)).isEqualTo("999us");
        assertThat(ConsoleFormat.duration(303_000_000)).isEqualTo("5m03s");
    }
}
