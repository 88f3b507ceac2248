package io.plainsight.sink.pcapoverip;

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
import io.plainsight.sink.pcap.ConversationTracker;
import io.plainsight.sink.pcap.PcapBufferWriter;
import io.plainsight.sink.pcap.PcapOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP conversations as capture events, fed to a sink the way the capture bus does (buffers
 * released after accept), and the pcap bytes the pure writer ({@link PcapBufferWriter}) makes of
 * the same events: the oracle a stream is compared with.
 */
final class Conversations {
    static final long T0 = 1_700_000_000_123_456L;

    private Conversations() {}

    static InetSocketAddress addr(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One connection: a GET of {@code path}, a response of {@code bodyBytes} in 16 KiB chunks, FIN. */
    static List<CaptureEvent> http(long id, String path, int bodyBytes) {
        return http(id, path, bodyBytes, 16_384);
    }

    /** {@link #http(long, String, int)} with the response body in chunks of {@code chunkBytes}. */
    static List<CaptureEvent> http(long id, String path, int bodyBytes, int chunkBytes) {
        long ts = T0 + id * 1_000_000L;
        List<CaptureEvent> events = new ArrayList<>();
        events.add(new ConnectionOpened(id, ts, Mode.REVERSE, addr("192.0.2.10", (int) (40000 + id % 20000)),
                addr("198.51.100.20", 8443), addr("127.0.0.1", 8443), null, true));
        events.add(data(id, ts + 100, Direction.CLIENT_TO_SERVER,
                ("GET " + path + " HTTP/1.1\r\nHost: example.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + bodyBytes + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        events.add(data(id, ts + 200, Direction.SERVER_TO_CLIENT, head));
        for (int off = 0; off < bodyBytes; off += chunkBytes) {
            byte[] chunk = new byte[Math.min(chunkBytes, bodyBytes - off)];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) ('a' + (off + i) % 26);
            }
            events.add(data(id, ts + 300 + off / chunkBytes, Direction.SERVER_TO_CLIENT, chunk));
        }
        events.add(new ConnectionClosed(id, ts + 900_000, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 0, 0));
        return events;
    }

    private static DataChunk data(long id, long ts, Direction dir, byte[] bytes) {
        return new DataChunk(id, ts, dir, Unpooled.wrappedBuffer(bytes));
    }

    /** Feeds {@code events} to {@code sink}, releasing data buffers after each accept. */
    static void feed(Sink sink, List<CaptureEvent> events) {
        for (CaptureEvent e : events) {
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
    }

    /** The pcap records (no global header; with it when {@code header}) the pure writer makes of {@code events}. */
    static byte[] records(boolean header, List<List<CaptureEvent>> conversations) {
        return records(PcapOptions.defaults(), header, conversations);
    }

    /** {@link #records(boolean, List)} with other pcap options. */
    static byte[] records(PcapOptions options, boolean header, List<List<CaptureEvent>> conversations) {
        ByteBuf out = Unpooled.buffer();
        PcapBufferWriter writer = new PcapBufferWriter(out, header);
        ConversationTracker tracker = new ConversationTracker(options);
        for (List<CaptureEvent> events : conversations) {
            for (CaptureEvent e : events) {
                tracker.accept(e, writer);
                if (e instanceof DataChunk d) {
                    d.data().release();
                }
            }
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }
}
