package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Feeds events to a sink the way the capture bus does (buffers released after accept). */
final class TestEvents {
    static final Direction C2S = Direction.CLIENT_TO_SERVER;
    static final Direction S2C = Direction.SERVER_TO_CLIENT;

    private final Sink sink;

    TestEvents(Sink sink) {
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
            }
        }
    }

    void open(long id, long ts, InetSocketAddress client, InetSocketAddress server, boolean tls) {
        send(new ConnectionOpened(id, ts, Mode.REVERSE, client, server, addr("127.0.0.1", 8443), null, tls));
    }

    void data(long id, long ts, Direction dir, byte[] bytes) {
        send(new DataChunk(id, ts, dir, Unpooled.wrappedBuffer(bytes)));
    }

    void data(long id, long ts, Direction dir, String text) {
        data(id, ts, dir, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a direct buffer (like Netty's pooled I/O buffers) in chunks of {@code chunk} bytes. */
    void dataDirect(long id, long ts, Direction dir, byte[] bytes, int chunk) {
        for (int off = 0; off < bytes.length; off += chunk) {
            int n = Math.min(chunk, bytes.length - off);
            ByteBuf b = Unpooled.directBuffer(n);
            b.writeBytes(bytes, off, n);
            send(new DataChunk(id, ts, dir, b));
        }
    }

    void close(long id, long ts, CloseKind how, Direction closedBy) {
        send(new ConnectionClosed(id, ts, how, closedBy, null, 0, 0));
    }
}
