package io.plainsight.sink.auditlog;

import io.plainsight.http.DecodeOptions;
import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.ExchangeSink;
import io.plainsight.sink.exchange.HttpDecoders;
import io.plainsight.testing.BenchExchanges;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
    private AuditLogThroughput() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Path dir = Files.createTempDirectory("audit-throughput");
        Path log = dir.resolve("modsec_audit.log");
        try {
            for (int round = 0; round < rounds; round++) {
                run("events only (no decoder)", new ExchangeSink((c, d, first, l) -> null, List.of(new Counting()),
                        (c, x) -> true));
                run("decode only", new ExchangeSink(new HttpDecoders(DecodeOptions.defaults()), List.of(new Counting()),
                        (c, x) -> true));
                run("decode + audit log ABCFHZ", new ExchangeSink(new HttpDecoders(DecodeOptions.defaults()),
                        List.of(AuditLogOutput.open(AuditLogSettings.defaults(), log.toString(), DecodeOptions.DEFAULT_MAX_BODY)),
                        (c, x) -> true));
                Files.deleteIfExists(log);
            }
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(dir);
        }
    }

    private static void run(String what, ExchangeSink sink) throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long alloc0 = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long gc0 = gcMillis();
        BenchExchanges.replay(sink, false);
        sink.close();
        long n = BenchExchanges.exchanges();
        double cpuNs = (threads.getCurrentThreadCpuTime() - cpu0) / (double) n;
        double wallNs = (System.nanoTime() - t0) / (double) n;
        double allocated = (threads.getCurrentThreadAllocatedBytes() - alloc0) / (double) n;
        System.out.printf("%-26s %6.0f ns CPU / exchange (%6.0f ns wall), %6.0f bytes allocated / exchange, GC %4d ms"
                + " for %d exchanges%n", what, cpuNs, wallNs, allocated, gcMillis() - gc0, n);
    }

    private static long gcMillis() {
        long t = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += gc.getCollectionTime();
        }
        return t;
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
