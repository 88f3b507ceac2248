package io.plainsight.sink.pcapng;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plainsight.event.Sink;
import io.plainsight.http.DecodeOptions;
import io.plainsight.sink.exchange.ExchangeSink;
import io.plainsight.sink.exchange.HttpDecoders;
import io.plainsight.sink.metrics.HttpMetricsOutput;
import io.plainsight.sink.pcap.PcapDirSink;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.Rotation;
import io.plainsight.sink.pcapoverip.PcapOverIpSettings;
import io.plainsight.sink.pcapoverip.PcapOverIpSink;
import io.plainsight.testing.BenchExchanges;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
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
    private FrameSinksThroughput() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        String only = args.length > 1 ? args[1] : "";
        Path dir = Files.createTempDirectory("frame-sinks-throughput");
        PcapOptions options = PcapOptions.defaults();
        try {
            for (int round = 0; round < rounds; round++) {
                if (only.isEmpty() || only.equals("pcap")) {
                    run("pcap dir", () -> new PcapDirSink(dir.resolve("pcap"), Rotation.HOURLY, options), false);
                }
                if (only.isEmpty() || only.equals("pcapng")) {
                    run("pcapng decrypted", () -> PcapngSink.open(dir.resolve("a.pcapng").toString(), null, false, options, "t"), false);
                }
                if (only.isEmpty() || only.equals("pcapng-encrypted")) {
                    run("pcapng + encrypted", () -> PcapngSink.open(dir.resolve("b.pcapng").toString(), null, true, options, "t"),
                            true);
                }
                if (only.isEmpty() || only.equals("pcap-over-ip")) {
                    run("pcap-over-ip", () -> PcapOverIpSink.start(PcapOverIpSettings.of(new InetSocketAddress("127.0.0.1", 0),
                            List.of(), false), options, "--pcap-over-ip"), false);
                }
                if (only.isEmpty() || only.equals("metrics")) {
                    run("metrics-http", () -> new ExchangeSink(new HttpDecoders(new DecodeOptions(0, DecodeOptions.defaults().maxHead())),
                            List.of(new HttpMetricsOutput(new SimpleMeterRegistry())), (c, e) -> true), false);
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

    private static void run(String what, Supplier<Sink> make, boolean wire) throws IOException {
        Sink sink = make.get();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long alloc0 = threads.getCurrentThreadAllocatedBytes();
        BenchExchanges.replay(sink, wire);
        long n = BenchExchanges.exchanges();
        double cpuNs = (threads.getCurrentThreadCpuTime() - cpu0) / (double) n;
        double allocated = (threads.getCurrentThreadAllocatedBytes() - alloc0) / (double) n;
        try {
            sink.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.out.printf("%-20s %6.0f ns CPU / exchange, %6.0f bytes allocated / exchange%n", what, cpuNs, allocated);
    }
}
