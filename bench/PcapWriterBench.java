import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.plainsight.event.Clock;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.sink.pcap.PcapFileSink;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcapng.PcapngSink;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The pcap writer alone, on one thread, no network: feeds a {@link PcapFileSink} the events of the
 * reverse-proxy benchmark and prints what one core does per second of this thread's CPU time
 * (user + system, so the kernel's cost of the writes counts), per round and the median of the
 * rounds after the first three (JIT warm-up).
 *
 * <ul>
 *   <li>{@code mib} (default): 200 connections per round, each a 100-byte request and a 1 MiB
 *       response in 16 KiB chunks, as in the 1 MiB keep-alive runs: MiB of payload per second.
 *   <li>{@code conn}: 20,000 connections per round, each opened, two TLS legs established, a
 *       100-byte request, a 1 KiB response and a close, as in the new-connections runs:
 *       connections per second.
 * </ul>
 *
 * <pre>
 * java -cp target/plainsight.jar bench/PcapWriterBench.java OUTFILE [ROUNDS [mib|conn]]
 * </pre>
 *
 * OUTFILE may be /dev/null (Java side only), a file on disk, or one on tmpfs. A name ending in
 * {@code .pcapng} measures the PCAPNG sink ({@code --pcapng}, decrypted streams) instead. Run it with the
 * launcher's JVM options ({@code --sun-misc-unsafe-memory-access=allow} on JDK 24+: without it
 * Netty does not use Unsafe and the Java side is several times slower). Needs JDK 21+.
 */
public class PcapWriterBench {
    static final int CHUNK = 16_384;
    static final int WARMUP_ROUNDS = 3;
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 443);

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PcapWriterBench OUTFILE [ROUNDS [mib|conn]]");
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 13;
        boolean perConnection = args.length > 2 && args[2].equals("conn");
        String unit = perConnection ? "conn/s" : "MiB/s";
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            data.writeByte(i * 31);
        }
        double[] rates = new double[rounds];
        try (Sink sink = args[0].endsWith(".pcapng")
                ? PcapngSink.open(args[0], null, false, PcapOptions.defaults(), "plainsight bench")
                : new PcapFileSink(args[0], PcapOptions.defaults())) {
            for (int round = 0; round < rounds; round++) {
                long wall0 = System.nanoTime();
                long cpu0 = threads.getCurrentThreadCpuTime();
                double amount = perConnection ? connections(sink, data, round) : mebibytes(sink, data, round);
                sink.flush();
                double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                double wall = (System.nanoTime() - wall0) / 1e9;
                rates[round] = amount / cpu;
                System.out.printf("round %2d: %4.0f ms wall, %4.0f ms cpu -> %6.0f %s per core%n",
                        round + 1, wall * 1e3, cpu * 1e3, rates[round], unit);
            }
        }
        if (rounds > WARMUP_ROUNDS) {
            double[] measured = Arrays.copyOfRange(rates, WARMUP_ROUNDS, rounds);
            Arrays.sort(measured);
            System.out.printf("median of rounds %d-%d: %.0f %s per core%n", WARMUP_ROUNDS + 1, rounds,
                    measured[measured.length / 2], unit);
        }
        data.release();
    }

    /** 200 connections with a 1 MiB response each; returns the MiB of payload. */
    static double mebibytes(Sink sink, ByteBuf data, int round) throws Exception {
        int chunks = 64;
        for (int conn = 0; conn < 200; conn++) {
            long id = round * 1_000_000L + conn;
            sink.accept(new ConnectionOpened(id, Clock.nowMicros(), Mode.REVERSE, CLIENT, SERVER, SERVER, "x", true));
            sink.accept(new DataChunk(id, Clock.nowMicros(), Direction.CLIENT_TO_SERVER, data.slice(0, 100)));
            for (int k = 0; k < chunks; k++) {
                sink.accept(new DataChunk(id, Clock.nowMicros(), Direction.SERVER_TO_CLIENT, data.slice()));
            }
            sink.accept(new ConnectionClosed(id, Clock.nowMicros(), CloseKind.FIN, Direction.CLIENT_TO_SERVER, null,
                    100, (long) chunks * CHUNK));
        }
        return 200.0 * chunks * CHUNK / 1048576.0;
    }

    /** 20,000 short TLS connections; returns their number. */
    static double connections(Sink sink, ByteBuf data, int round) throws Exception {
        int n = 20_000;
        for (int conn = 0; conn < n; conn++) {
            long id = round * 1_000_000L + conn;
            InetSocketAddress client = new InetSocketAddress(CLIENT.getAddress(), 1024 + conn % 60_000);
            sink.accept(new ConnectionOpened(id, Clock.nowMicros(), Mode.REVERSE, client, SERVER, SERVER, "x", true));
            sink.accept(new TlsEstablished(id, Clock.nowMicros(), Leg.CLIENT, "TLSv1.3", "TLS_AES_256_GCM_SHA384", "http/1.1", "x", null));
            sink.accept(new TlsEstablished(id, Clock.nowMicros(), Leg.UPSTREAM, "TLSv1.3", "TLS_AES_256_GCM_SHA384", "http/1.1", "x", null));
            sink.accept(new DataChunk(id, Clock.nowMicros(), Direction.CLIENT_TO_SERVER, data.slice(0, 100)));
            sink.accept(new DataChunk(id, Clock.nowMicros(), Direction.SERVER_TO_CLIENT, data.slice(0, 1024)));
            sink.accept(new ConnectionClosed(id, Clock.nowMicros(), CloseKind.FIN, Direction.SERVER_TO_CLIENT, null, 100, 1024));
        }
        return n;
    }
}
