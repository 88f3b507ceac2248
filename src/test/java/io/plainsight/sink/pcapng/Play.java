package io.plainsight.sink.pcapng;

import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Feeds events to a sink the way the capture bus does: one thread, buffers released after {@code accept}. */
final class Play {
    final Sink sink;

    Play(Sink sink) {
        this.sink = sink;
    }

    static InetSocketAddress addr(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    void send(CaptureEvent e) {
        try {
            sink.accept(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } finally {
            if (e instanceof DataChunk d) {
                d.data().release();
            } else if (e instanceof WireChunk w) {
                w.data().release();
            }
        }
    }

    void open(long id, long ts, Mode mode, InetSocketAddress client, InetSocketAddress server, InetSocketAddress listener,
            String sni, InetSocketAddress upstreamLocal) {
        send(new ConnectionOpened(id, ts, mode, client, server, listener, sni, true, Interception.DECRYPTED, upstreamLocal));
    }

    void data(long id, long ts, Direction d, byte[] bytes) {
        send(new DataChunk(id, ts, d, Unpooled.wrappedBuffer(bytes)));
    }

    void data(long id, long ts, Direction d, String text) {
        data(id, ts, d, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void wire(long id, long ts, Leg leg, Direction d, byte[] bytes) {
        send(new WireChunk(id, ts, leg, d, Unpooled.wrappedBuffer(bytes)));
    }

    void secrets(long id, long ts, Leg leg, String lines) {
        send(new TlsSecrets(id, ts, leg, lines));
    }

    void close(long id, long ts) {
        send(new ConnectionClosed(id, ts, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 0, 0));
    }
}
