package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.plainsight.proxy.DefaultProxyTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key log lines from BoringSSL through tcnative's callback, on plainsight's own server (client
 * leg) and client (upstream leg) contexts, in a handshake between the two in memory.
 */
class TlsKeyLogTest {
    @TempDir
    Path home;

    /** Moves bytes between the two channels until both handshakes are over. */
    static void handshake(EmbeddedChannel client, EmbeddedChannel server, SslHandler c, SslHandler s) {
        for (int i = 0; i < 100 && !(c.handshakeFuture().isDone() && s.handshakeFuture().isDone()); i++) {
            ByteBuf b;
            while ((b = client.readOutbound()) != null) {
                server.writeInbound(b);
            }
            while ((b = server.readOutbound()) != null) {
                client.writeInbound(b);
            }
        }
        assertThat(c.handshakeFuture().isSuccess()).as("client handshake: %s", c.handshakeFuture().cause()).isTrue();
        assertThat(s.handshakeFuture().isSuccess()).as("server handshake: %s", s.handshakeFuture().cause()).isTrue();
    }

    @Test
    void bothEndsOfAHandshakeReportTheSameFiveTls13SecretsAndAreForgottenAfterIt() {
        DefaultProxyTls tls = DefaultProxyTls.forReverse(home, List.of(), true, Map.of());
        TlsKeyLog keyLog = tls.enableKeyLog();
        assertThat(keyLog).isNotNull();
        assertThat(tls.enableKeyLog()).isSameAs(keyLog);
        SslHandler server = tls.clientLeg(ByteBufAllocator.DEFAULT, "a.test", List.of(), null);
        SslHandler client = tls.upstreamLeg(ByteBufAllocator.DEFAULT, "a.test", "a.test", 443, List.of());
        List<String> serverLines = new ArrayList<>();
        List<String> clientLines = new ArrayList<>();
        keyLog.watch(server, serverLines::add);
        keyLog.watch(client, clientLines::add);
        assertThat(keyLog.watched()).isEqualTo(2);

        EmbeddedChannel s = new EmbeddedChannel(server);
        EmbeddedChannel c = new EmbeddedChannel(client);
        handshake(c, s, client, server);
        tls.clientLegDone(server);

        assertThat(serverLines).extracting(l -> l.split(" ")[0]).containsExactlyInAnyOrder(
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
                "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET");
        assertThat(clientLines).containsExactlyInAnyOrderElementsOf(serverLines);
        assertThat(keyLog.watched()).isZero();
        c.finishAndReleaseAll();
        s.finishAndReleaseAll();
    }

    @Test
    void aHandshakeNobodyWatchesGoesNowhereAndAJdkContextIsRefusedWithoutThrowing() throws Exception {
        DefaultProxyTls tls = DefaultProxyTls.forReverse(home, List.of(), true, Map.of());
        TlsKeyLog keyLog = tls.enableKeyLog();
        SslHandler server = tls.clientLeg(ByteBufAllocator.DEFAULT, "b.test", List.of(), null);
        SslHandler client = tls.upstreamLeg(ByteBufAllocator.DEFAULT, "b.test", "b.test", 443, List.of());
        EmbeddedChannel s = new EmbeddedChannel(server);
        EmbeddedChannel c = new EmbeddedChannel(client);
        handshake(c, s, client, server);
        tls.clientLegDone(server);
        assertThat(keyLog.watched()).isZero();
        c.finishAndReleaseAll();
        s.finishAndReleaseAll();

        assertThat(keyLog.install(SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build())).isFalse();
    }
}
