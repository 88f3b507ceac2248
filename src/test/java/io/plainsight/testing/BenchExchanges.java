package io.plainsight.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.WireChunk;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The traffic of {@code bench/reverse.sh}'s 1 KiB keep-alive run as capture events, for the hand-run
 * harnesses that time one sink's thread per exchange ({@code AuditLogThroughput},
 * {@code FrameSinksThroughput}): {@link #CONNECTIONS} reverse-proxy connections, each carrying
 * {@link #PER_CONNECTION} times wrk's {@code GET /1k} and nginx's 1,024-byte response, one data event
 * per message, each a slice of a pooled direct buffer as the proxy taps them.
 */
public final class BenchExchanges {
    public static final int CONNECTIONS = 64;
    public static final int PER_CONNECTION = 2_000;
    public static final byte[] REQUEST = ascii("GET /1k HTTP/1.1\r\nHost: 127.0.0.1:18445\r\n\r\n");
    public static final byte[] RESPONSE = response();

    private BenchExchanges() {}

    /** Exchanges {@link #replay} feeds. */
    public static long exchanges() {
        return (long) CONNECTIONS * PER_CONNECTION;
    }

    /**
     * Feeds {@code sink} the opening of every connection, its exchanges (with {@code wire}, also each
     * message's TLS record on both legs, as {@code --pcapng-encrypted} gets them), a flush about as
     * often as the bus flushes, the closes and a last flush; the caller closes the sink.
     */
    public static void replay(Sink sink, boolean wire) throws IOException {
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", 18445);
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", 18441);
        long now = System.currentTimeMillis() * 1000;
        for (int c = 0; c < CONNECTIONS; c++) {
            sink.accept(new ConnectionOpened(c, now, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 40000 + c), backend,
                    listener, null, true, Interception.DECRYPTED, new InetSocketAddress("127.0.0.1", 50000 + c)));
        }
        long last = System.nanoTime();
        byte[] wireRequest = record(REQUEST.length);
        byte[] wireResponse = record(RESPONSE.length);
        for (int i = 0; i < PER_CONNECTION; i++) {
            for (int c = 0; c < CONNECTIONS; c++) {
                now += 3;
                if (wire) {
                    wire(sink, c, now, Leg.CLIENT, Direction.CLIENT_TO_SERVER, wireRequest);
                }
                data(sink, c, now, Direction.CLIENT_TO_SERVER, REQUEST);
                if (wire) {
                    wire(sink, c, now, Leg.UPSTREAM, Direction.CLIENT_TO_SERVER, wireRequest);
                    wire(sink, c, now + 1, Leg.UPSTREAM, Direction.SERVER_TO_CLIENT, wireResponse);
                }
                data(sink, c, now + 1, Direction.SERVER_TO_CLIENT, RESPONSE);
                if (wire) {
                    wire(sink, c, now + 1, Leg.CLIENT, Direction.SERVER_TO_CLIENT, wireResponse);
                }
            }
            if (System.nanoTime() - last > 200_000_000L) { // the bus flushes about this often
                sink.flush();
                last = System.nanoTime();
            }
        }
        for (int c = 0; c < CONNECTIONS; c++) {
            sink.accept(new ConnectionClosed(c, now, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 0, 0));
        }
        sink.flush();
    }

    private static void data(Sink sink, long connection, long micros, Direction d, byte[] bytes) throws IOException {
        ByteBuf slice = tapped(bytes);
        try {
            sink.accept(new DataChunk(connection, micros, d, slice));
        } finally {
            slice.release();
        }
    }

    private static void wire(Sink sink, long connection, long micros, Leg leg, Direction d, byte[] bytes)
            throws IOException {
        ByteBuf slice = tapped(bytes);
        try {
            sink.accept(new WireChunk(connection, micros, leg, d, slice));
        } finally {
            slice.release();
        }
    }

    /** As the proxy taps them: a slice of a pooled direct buffer. */
    private static ByteBuf tapped(byte[] bytes) {
        ByteBuf read = ByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        read.writeBytes(bytes);
        ByteBuf slice = read.retainedSlice();
        read.release();
        return slice;
    }

    /** An application data record of {@code plain} bytes (TLS 1.3: type, tag, header). */
    private static byte[] record(int plain) {
        byte[] r = new byte[5 + plain + 17];
        r[0] = 0x17;
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) ((plain + 17) >> 8);
        r[4] = (byte) (plain + 17);
        for (int i = 5; i < r.length; i++) {
            r[i] = (byte) (i * 37);
        }
        return r;
    }

    private static byte[] response() {
        byte[] head = ascii("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 21 Nov 2026 22:01:25 GMT\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 1024\r\n"
                + "Last-Modified: Fri, 21 Nov 2026 22:00:52 GMT\r\nConnection: keep-alive\r\n"
                + "ETag: \"6920e0d4-400\"\r\nAccept-Ranges: bytes\r\n\r\n");
        byte[] response = new byte[head.length + 1024];
        System.arraycopy(head, 0, response, 0, head.length);
        for (int i = 0; i < 1024; i++) {
            response[head.length + i] = (byte) (i * 131 + 7);
        }
        return response;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
