package io.plainsight.sink.metrics;

import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.http.DecodeOptions;
import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.ExchangeSink;
import io.plainsight.sink.exchange.HttpDecoders;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * CPU time the metrics add on the capture side, per HTTP exchange (1 KiB responses on keep-alive
 * connections of 100 exchanges) and per connection, on one thread, against the exchange decoding
 * that HAR, flow log, audit log and console already pay ({@code -Ddirect=true}: bytes in direct
 * buffers, as the proxy taps them). Prints; asserts nothing. Run after
 * {@code mvn test-compile}:
 *
 * <pre>
 * java -cp "target/classes:target/test-classes:$(mvn -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)" \
 *     io.plainsight.sink.metrics.MetricsCostBench
 * </pre>
 */
public final class MetricsCostBench {
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 443);
    static final byte[] REQUEST = ("GET /bench/1k.bin HTTP/1.1\r\nHost: backend.test:8443\r\nUser-Agent: wrk\r\n"
            + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE;

    static {
        byte[] head = ("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: 1024\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        RESPONSE = new byte[head.length + 1024];
        System.arraycopy(head, 0, RESPONSE, 0, head.length);
    }

    /** An output that does nothing: the decoding alone. */
    static final class Nothing implements ExchangeOutput {
        long seen;

        @Override
        public void exchange(ConnectionMeta connection, Exchange exchange) {
            seen++;
        }

        @Override
        public void webSocket(ConnectionMeta connection, WebSocketMessage message) {
        }

        @Override
        public void connectionClosed(ConnectionMeta connection, String undecodable) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.getInteger("connections", 2000);
        int perConnection = 100;
        try (Metrics metrics = new Metrics()) {
            DecodeOptions full = DecodeOptions.defaults();
            DecodeOptions heads = new DecodeOptions(0, full.maxHead());
            Sink connectionSink = metrics.sink(Mode.REVERSE);
            for (int round = 0; round < 3; round++) {
                double decode = nanosPerExchange(new ExchangeSink(new HttpDecoders(full), List.of(new Nothing()), (c, e) -> true),
                        connections, perConnection);
                double decodeAndMetrics = nanosPerExchange(new ExchangeSink(new HttpDecoders(full),
                        List.of(new Nothing(), metrics.exchangeOutput()), (c, e) -> true), connections, perConnection);
                double metricsOnly = nanosPerExchange(new ExchangeSink(new HttpDecoders(heads),
                        List.of(metrics.exchangeOutput()), (c, e) -> true), connections, perConnection);
                double connection = nanosPerExchange(connectionSink, connections * 20, 0);
                System.out.printf("round %d: decoding %.0f ns/exchange, decoding + metrics %.0f (metrics +%.0f), "
                        + "metrics alone (heads-only decoding) %.0f; connection sink %.0f ns/connection%n",
                        round, decode, decodeAndMetrics, decodeAndMetrics - decode, metricsOnly, connection);
            }
        }
    }

    /** CPU ns per exchange (per connection when {@code perConnection} is 0) of feeding {@code sink}. */
    static double nanosPerExchange(Sink sink, int connections, int perConnection) throws Exception {
        var bean = ManagementFactory.getThreadMXBean();
        long start = bean.getCurrentThreadCpuTime();
        long t = 1_700_000_000_000_000L;
        for (long id = 1; id <= connections; id++) {
            sink.accept(new ConnectionOpened(id, t, Mode.REVERSE, CLIENT, SERVER, SERVER, "backend.test", true));
            sink.accept(new TlsEstablished(id, t, Leg.CLIENT, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "http/1.1", "backend.test",
                    null));
            for (int i = 0; i < perConnection; i++) {
                feed(sink, id, t += 100, Direction.CLIENT_TO_SERVER, REQUEST);
                feed(sink, id, t += 300, Direction.SERVER_TO_CLIENT, RESPONSE);
            }
            sink.accept(new ConnectionClosed(id, t, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null,
                    (long) REQUEST.length * perConnection, (long) RESPONSE.length * perConnection));
        }
        long cpu = bean.getCurrentThreadCpuTime() - start;
        return (double) cpu / ((long) connections * Math.max(1, perConnection));
    }

    /** {@code -Ddirect=true}: the bytes come in direct buffers, as the proxy's capture taps give them. */
    static final boolean DIRECT = Boolean.getBoolean("direct");
    static final io.netty.buffer.ByteBuf REQUEST_DIRECT = Unpooled.directBuffer(REQUEST.length).writeBytes(REQUEST);
    static final io.netty.buffer.ByteBuf RESPONSE_DIRECT = Unpooled.directBuffer(RESPONSE.length).writeBytes(RESPONSE);

    private static void feed(Sink sink, long id, long t, Direction d, byte[] bytes) throws Exception {
        var buf = DIRECT ? (bytes == REQUEST ? REQUEST_DIRECT : RESPONSE_DIRECT).retainedDuplicate() : Unpooled.wrappedBuffer(bytes);
        try {
            sink.accept(new DataChunk(id, t, d, buf));
        } finally {
            buf.release();
        }
    }
}
