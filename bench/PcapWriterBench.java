import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.plainsight.event.Clock;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import io.plainsight.sink.pcap.PcapFileSink;
import io.plainsight.sink.pcap.PcapOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The pcap writer alone, on one thread, no network: feeds a {@link PcapFileSink} 16 KiB data chunks
 * (200 connections of 1 MiB responses per round, as in the 1 MiB benchmark) and prints the MiB of
 * payload written per second of this thread's CPU time (user + system, so the kernel's cost of the
 * writes counts), per round and the median of the rounds after the first three (JIT warm-up).
 *
 * <pre>
 * java -cp target/plainsight.jar bench/PcapWriterBench.java OUTFILE [ROUNDS]
 * </pre>
 *
 * OUTFILE may be /dev/null (Java side only), a file on disk, or one on tmpfs. Needs JDK 21+.
 */
public class PcapWriterBench {
    static final int CHUNK = 16_384;
    static final int CONNECTIONS = 200;
    static final int CHUNKS_PER_RESPONSE = 64;
    static final int WARMUP_ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PcapWriterBench OUTFILE [ROUNDS]");
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 13;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            data.writeByte(i * 31);
        }
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", 443);
        double[] rates = new double[rounds];
        try (PcapFileSink sink = new PcapFileSink(args[0], PcapOptions.defaults())) {
            for (int round = 0; round < rounds; round++) {
                long wall0 = System.nanoTime();
                long cpu0 = threads.getCurrentThreadCpuTime();
                long bytes = 0;
                for (int conn = 0; conn < CONNECTIONS; conn++) {
                    long id = round * 1_000L + conn;
                    sink.accept(new ConnectionOpened(id, Clock.nowMicros(), Mode.REVERSE, client, server, server, "x", true));
                    sink.accept(new DataChunk(id, Clock.nowMicros(), Direction.CLIENT_TO_SERVER, data.slice(0, 100)));
                    for (int k = 0; k < CHUNKS_PER_RESPONSE; k++) {
                        sink.accept(new DataChunk(id, Clock.nowMicros(), Direction.SERVER_TO_CLIENT, data.slice()));
                        bytes += CHUNK;
                    }
                    sink.accept(new ConnectionClosed(id, Clock.nowMicros(), CloseKind.FIN, Direction.CLIENT_TO_SERVER, null,
                            100, (long) CHUNKS_PER_RESPONSE * CHUNK));
                }
                sink.flush();
                double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                double wall = (System.nanoTime() - wall0) / 1e9;
                rates[round] = bytes / 1048576.0 / cpu;
                System.out.printf("round %2d: %d MiB, %4.0f ms wall, %4.0f ms cpu -> %5.0f MiB/s per core%n",
                        round + 1, bytes >> 20, wall * 1e3, cpu * 1e3, rates[round]);
            }
        }
        if (rounds > WARMUP_ROUNDS) {
            double[] measured = Arrays.copyOfRange(rates, WARMUP_ROUNDS, rounds);
            Arrays.sort(measured);
            System.out.printf("median of rounds %d-%d: %.0f MiB/s per core%n", WARMUP_ROUNDS + 1, rounds,
                    measured[measured.length / 2]);
        }
        data.release();
    }
}
