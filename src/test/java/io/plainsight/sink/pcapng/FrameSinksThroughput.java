package io.plainsight.sink.pcapng;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import io.plainsight.http.DecodeOptions;
import io.plainsight.sink.exchange.ExchangeSink;
import io.plainsight.sink.exchange.HttpDecoders;
import io.plainsight.sink.metrics.HttpMetricsOutput;
import io.plainsight.sink.pcap.PcapDirSink;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.Rotation;
import io.plainsight.sink.pcapoverip.PcapOverIpSettings;
import io.plainsight.sink.pcapoverip.PcapOverIpSink;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Prints what each sink thread of {@code VARIANT=outputs} spends per exchange of the reverse
 * benchmark's traffic (wrk's GET of a 1 KiB file, nginx's response; keep-alive; data and wire
 * events as slices of pooled direct buffers): the PCAP directory sink, PCAPNG with and without
 * the encrypted legs, PCAP-over-IP (no reader) and the HTTP metrics' exchange sink. A measurement,
 * not a test: run it by hand with the test classpath, e.g. {@code java -Xmx64m -XX:+UseParallelGC
 * -cp target/test-classes:target/classes:$(cat cp.txt) io.plainsight.sink.pcapng.FrameSinksThroughput [rounds] [only]}.
 */
public final class FrameSinksThroughput {
    private static final int CONNECTIONS = 64;
    private static final int PER_CONNECTION = 2_000;

    private FrameSinksThroughput() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        String only = args.length > 1 ? args[1] : "";
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
        Path dir = Files.createTempDirectory("frame-sinks-throughput");
        PcapOptions options = PcapOptions.defaults();
        try {
            for (int round = 0; round < rounds; round++) {
                if (only.isEmpty() || only.equals("pcap")) {
                    run("pcap dir", () -> new PcapDirSink(dir.resolve("pcap"), Rotation.HOURLY, options), false, request, response);
                }
                if (only.isEmpty() || only.equals("pcapng")) {
                    run("pcapng decrypted", () -> PcapngSink.open(dir.resolve("a.pcapng").toString(), null, false, options, "t"),
                            false, request, response);
                }
                if (only.isEmpty() || only.equals("pcapng-encrypted")) {
                    run("pcapng + encrypted", () -> PcapngSink.open(dir.resolve("b.pcapng").toString(), null, true, options, "t"),
                            true, request, response);
                }
                if (only.isEmpty() || only.equals("pcap-over-ip")) {
                    run("pcap-over-ip", () -> PcapOverIpSink.start(PcapOverIpSettings.of(new InetSocketAddress("127.0.0.1", 0),
                            List.of(), false), options, "--pcap-over-ip"), false, request, response);
                }
                if (only.isEmpty() || only.equals("metrics")) {
                    run("metrics-http", () -> new ExchangeSink(new HttpDecoders(new DecodeOptions(0, DecodeOptions.defaults().maxHead())),
                            List.of(new HttpMetricsOutput(new SimpleMeterRegistry())), (c, e) -> true), false, request, response);
                }
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String what, Supplier<Sink> make, boolean wire, byte[] request, byte[] response)
            throws IOException {
        Sink sink = make.get();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long alloc0 = threads.getCurrentThreadAllocatedBytes();
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", 18445);
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", 18441);
        long now = System.currentTimeMillis() * 1000;
        for (int c = 0; c < CONNECTIONS; c++) {
            sink.accept(new ConnectionOpened(c, now, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 40000 + c), backend,
                    listener, null, true, Interception.DECRYPTED, new InetSocketAddress("127.0.0.1", 50000 + c)));
        }
        long last = System.nanoTime();
        byte[] wireRequest = record(request.length);
        byte[] wireResponse = record(response.length);
        for (int i = 0; i < PER_CONNECTION; i++) {
            for (int c = 0; c < CONNECTIONS; c++) {
                now += 3;
                if (wire) {
                    feedWire(sink, c, now, Leg.CLIENT, Direction.CLIENT_TO_SERVER, wireRequest);
                }
                feed(sink, c, now, Direction.CLIENT_TO_SERVER, request);
                if (wire) {
                    feedWire(sink, c, now, Leg.UPSTREAM, Direction.CLIENT_TO_SERVER, wireRequest);
                    feedWire(sink, c, now + 1, Leg.UPSTREAM, Direction.SERVER_TO_CLIENT, wireResponse);
                }
                feed(sink, c, now + 1, Direction.SERVER_TO_CLIENT, response);
                if (wire) {
                    feedWire(sink, c, now + 1, Leg.CLIENT, Direction.SERVER_TO_CLIENT, wireResponse);
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
        long n = (long) CONNECTIONS * PER_CONNECTION;
        double cpuNs = (threads.getCurrentThreadCpuTime() - cpu0) / (double) n;
        double allocated = (threads.getCurrentThreadAllocatedBytes() - alloc0) / (double) n;
        try {
            sink.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.out.printf("%-20s %6.0f ns CPU / exchange, %6.0f bytes allocated / exchange%n", what, cpuNs, allocated);
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

    private static void feed(Sink sink, long connection, long micros, Direction d, byte[] bytes) throws IOException {
        ByteBuf slice = slice(bytes);
        try {
            sink.accept(new DataChunk(connection, micros, d, slice));
        } finally {
            slice.release();
        }
    }

    private static void feedWire(Sink sink, long connection, long micros, Leg leg, Direction d, byte[] bytes)
            throws IOException {
        ByteBuf slice = slice(bytes);
        try {
            sink.accept(new WireChunk(connection, micros, leg, d, slice));
        } finally {
            slice.release();
        }
    }

    /** As the proxy taps them: a slice of a pooled direct buffer. */
    private static ByteBuf slice(byte[] bytes) {
        ByteBuf read = ByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        read.writeBytes(bytes);
        ByteBuf slice = read.retainedSlice();
        read.release();
        return slice;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
