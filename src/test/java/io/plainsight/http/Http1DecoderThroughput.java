package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.event.Direction;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints the decoder's throughput on one thread (so per core), in MiB/s of captured bytes: a
 * 1 MiB chunked response body (8 KiB chunks, 16 KiB data events), and many small keep-alive
 * exchanges (one event per message). A measurement, not a test: run it by hand with the test
 * classpath, e.g. {@code java -cp target/test-classes:target/classes:$(cat cp.txt)
 * io.plainsight.http.Http1DecoderThroughput}.
 */
public final class Http1DecoderThroughput {
    private Http1DecoderThroughput() {}

    public static void main(String[] args) {
        List<ByteBuf> big = chunkedMiB();
        List<ByteBuf> small = keepAlive(20_000);
        for (int round = 0; round < 8; round++) { // the first rounds warm the JIT up
            report("1 MiB chunked body, default limits (body kept)", big, 60, DecodeOptions.defaults());
            report("1 MiB chunked body, bodies not kept (maxBody 0)", big, 60, new DecodeOptions(0, 65536));
            report("small keep-alive exchanges (20,000 per connection)", small, 10, DecodeOptions.defaults());
        }
    }

    private static void report(String what, List<ByteBuf> events, int repeats, DecodeOptions options) {
        long bytes = 0;
        int[] exchanges = {0};
        DecodeListener count = new DecodeListener() {
            @Override
            public void exchange(Exchange exchange) {
                exchanges[0]++;
            }

            @Override
            public void webSocket(WebSocketMessage message) {}

            @Override
            public void undecodable(long connectionId, Direction direction, long offset, String reason) {
                throw new AssertionError(reason);
            }
        };
        long start = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
            Http1Decoder d = new Http1Decoder(r, count, options, "https", UpgradeHandler.NONE);
            long t = 0;
            for (ByteBuf e : events) {
                Direction dir = e.getByte(e.readerIndex()) == 'G' && e.getByte(e.readerIndex() + 1) == 'E'
                        ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
                d.data(dir, t++, e);
                bytes += e.readableBytes();
            }
            d.end(t);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-55s %8.1f MiB/s  %10.0f exchanges/s%n", what, bytes / seconds / (1 << 20), exchanges[0] / seconds);
    }

    /** A GET, then a response with a 1 MiB body in 8 KiB chunks, cut into 16 KiB events. */
    private static List<ByteBuf> chunkedMiB() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"));
        byte[] chunk = new byte[8192];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        for (int i = 0; i < 128; i++) {
            out.writeBytes(ascii("2000\r\n"));
            out.writeBytes(chunk);
            out.writeBytes(ascii("\r\n"));
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        byte[] response = out.toByteArray();
        List<ByteBuf> events = new ArrayList<>();
        events.add(Unpooled.wrappedBuffer(ascii("GET /1m.bin HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n")));
        for (int at = 0; at < response.length; at += 16384) {
            events.add(Unpooled.wrappedBuffer(response, at, Math.min(16384, response.length - at)));
        }
        return events;
    }

    /** {@code n} request/response pairs like curl's and nginx's (84 and 158 bytes). */
    private static List<ByteBuf> keepAlive(int n) {
        ByteBuf request = Unpooled.wrappedBuffer(ascii("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:18482\r\n"
                + "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"));
        ByteBuf response = Unpooled.wrappedBuffer(ascii("HTTP/1.1 200 OK\r\nServer: nginx\r\n"
                + "Date: Sat, 21 Nov 2026 17:13:26 GMT\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n"
                + "Connection: keep-alive\r\n\r\nhello from nginx\n"));
        List<ByteBuf> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            events.add(request);
            events.add(response);
        }
        return events;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
