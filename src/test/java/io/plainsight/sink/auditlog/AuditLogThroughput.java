package io.plainsight.sink.auditlog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import io.plainsight.http.DecodeOptions;
import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.ExchangeSink;
import io.plainsight.sink.exchange.HttpDecoders;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints what the exchange sink thread spends per exchange of the reverse benchmark's traffic
 * (wrk's GET of a 1 KiB file, nginx's response; one data event per message, keep-alive, each a slice
 * of a pooled direct buffer as the proxy taps them): the events alone (no decoder: what making them
 * here costs), HTTP/1 decoding (bodies kept, as for HAR), and decoding plus the audit log (default
 * parts ABCFHZ, serial, so response bodies are only counted) written to a file.
 * A measurement, not a test: run it by hand with the test classpath, e.g.
 * {@code java -Xmx64m -XX:+UseParallelGC -cp target/test-classes:target/classes:$(cat cp.txt)
 * io.plainsight.sink.auditlog.AuditLogThroughput [rounds]}.
 */
public final class AuditLogThroughput {
    private static final int CONNECTIONS = 64;
    private static final int PER_CONNECTION = 2_000;

    private AuditLogThroughput() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        byte[] request = ascii("GET /1k HTTP/1.1\r\nHost: 127.0.0.1:18445\r\n\r\n");
        byte[] body = new byte[1024];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 131 + 7);
        }
        byte[] head = ascii("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 21 Nov 2026 22:01:25 GMT\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 1024\r\n"
                + "Last-Modified: Fri, 21 Nov 2026 22:00:52 GMT\r\nConnection: keep-alive\r\n"
                + "ETag: \"6920e0d4-400\"\r\nAccept-Ranges: bytes\r\n\r\n");
        byte[] response = new byte[head.length + body.length];
        System.arraycopy(head, 0, response, 0, head.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        Path dir = Files.createTempDirectory("audit-throughput");
        Path log = dir.resolve("modsec_audit.log");
        try {
            for (int round = 0; round < rounds; round++) {
                run("events only (no decoder)", new ExchangeSink((c, d, first, l) -> null, List.of(new Counting()),
                        (c, x) -> true), request, response);
                run("decode only", new ExchangeSink(new HttpDecoders(DecodeOptions.defaults()), List.of(new Counting()),
                        (c, x) -> true), request, response);
                run("decode + audit log ABCFHZ", new ExchangeSink(new HttpDecoders(DecodeOptions.defaults()),
                        List.of(AuditLogOutput.open(AuditLogSettings.defaults(), log.toString(), DecodeOptions.DEFAULT_MAX_BODY)),
                        (c, x) -> true), request, response);
                Files.deleteIfExists(log);
            }
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(dir);
        }
    }

    private static void run(String what, ExchangeSink sink, byte[] request, byte[] response) throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long alloc0 = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long gc0 = gcMillis();
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", 18445);
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", 18441);
        long now = System.currentTimeMillis() * 1000;
        for (int c = 0; c < CONNECTIONS; c++) {
            sink.accept(new ConnectionOpened(c, now, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 40000 + c), backend,
                    listener, null, true));
        }
        long last = System.nanoTime();
        for (int i = 0; i < PER_CONNECTION; i++) {
            for (int c = 0; c < CONNECTIONS; c++) {
                now += 3;
                feed(sink, c, now, Direction.CLIENT_TO_SERVER, request);
                feed(sink, c, now + 1, Direction.SERVER_TO_CLIENT, response);
            }
            if (System.nanoTime() - last > 200_000_000L) { // the bus flushes about this often
                sink.flush();
                last = System.nanoTime();
            }
        }
        for (int c = 0; c < CONNECTIONS; c++) {
            sink.accept(new ConnectionClosed(c, now, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 0, 0));
        }
        sink.close();
        long n = (long) CONNECTIONS * PER_CONNECTION;
        double cpuNs = (threads.getCurrentThreadCpuTime() - cpu0) / (double) n;
        double wallNs = (System.nanoTime() - t0) / (double) n;
        double allocated = (threads.getCurrentThreadAllocatedBytes() - alloc0) / (double) n;
        System.out.printf("%-26s %6.0f ns CPU / exchange (%6.0f ns wall), %6.0f bytes allocated / exchange, GC %4d ms"
                + " for %d exchanges%n", what, cpuNs, wallNs, allocated, gcMillis() - gc0, n);
    }

    private static void feed(ExchangeSink sink, long connection, long micros, Direction d, byte[] bytes) {
        // as the proxy taps them: a slice of a pooled direct buffer
        ByteBuf read = ByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        read.writeBytes(bytes);
        ByteBuf slice = read.retainedSlice();
        read.release();
        try {
            sink.accept(new DataChunk(connection, micros, d, slice));
        } finally {
            slice.release();
        }
    }

    private static long gcMillis() {
        long t = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += gc.getCollectionTime();
        }
        return t;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** An output that only counts (to time the decoders alone). */
    private static final class Counting implements ExchangeOutput {
        final List<Object> sink = new ArrayList<>(1);
        long n;

        @Override
        public void exchange(ConnectionMeta connection, Exchange exchange) {
            n++;
        }

        @Override
        public void webSocket(ConnectionMeta connection, WebSocketMessage message) {}

        @Override
        public void connectionClosed(ConnectionMeta connection, String undecodable) {}

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
