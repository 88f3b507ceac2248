import io.netty.buffer.ByteBuf;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.DataChunk;
import io.plainsight.offline.ConnectionPrefilter;
import io.plainsight.offline.DecryptionReport;
import io.plainsight.offline.OfflineDecryption;
import io.plainsight.offline.capture.CaptureReader;
import io.plainsight.offline.tls.DecryptionKeys;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The offline decryption pipeline of {@code plainsight decrypt} alone, in one JVM, round after
 * round on the same capture: capture reader, TCP reassembly, TLS decryption, and the plaintext
 * put into events as for an output that wants data ({@code copy}, the default: since 2026-11-22
 * each record is decrypted into an array of its own that the event takes, no longer copied) or
 * not ({@code nocopy}, as with {@code --no-pcap} and no other output). No capture bus, no sinks.
 *
 * <p>Prints, per round, MB of capture per second of this thread's CPU time; the first rounds
 * include the JIT's warm-up (which runs on other threads: compare the process's CPU time), the
 * later ones show what the pipeline does once compiled. The median is over the rounds after the
 * first {@code WARMUP}.
 *
 * <pre>
 * java -cp target/plainsight.jar bench/DecryptThroughputBench.java CAPTURE KEYLOG [ROUNDS [copy|nocopy]]
 * </pre>
 *
 * Needs JDK 21+ and the launcher's JVM options ({@code --sun-misc-unsafe-memory-access=allow} on
 * JDK 24+).
 */
public class DecryptThroughputBench {
    static final int WARMUP = 2;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DecryptThroughputBench CAPTURE KEYLOG [ROUNDS [copy|nocopy]]");
            System.exit(2);
        }
        Path capture = Path.of(args[0]);
        String keylog = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        boolean copy = args.length <= 3 || !args[3].equals("nocopy");
        long size = Files.size(capture);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long process0 = processCpu();
            long wall0 = System.nanoTime();
            DecryptionKeys keys = new DecryptionKeys();
            try (Reader in = new java.io.StringReader(keylog)) {
                keys.addKeyLog("keylog", in);
            }
            long[] plaintext = {0};
            OfflineDecryption d = new OfflineDecryption(keys, (CaptureEvent e) -> {
                if (e instanceof DataChunk dc) {
                    ByteBuf b = dc.data();
                    plaintext[0] += b.readableBytes();
                    b.release();
                }
            }, copy, ConnectionPrefilter.ALL, w -> { }, new DecryptionReport());
            try (CaptureReader reader = CaptureReader.open(capture)) {
                d.read(reader, () -> { });
            }
            DecryptionReport report = d.finish();
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long process = processCpu() - process0;
            long wall = System.nanoTime() - wall0;
            rates[r] = size / 1e6 / (cpu / 1e9);
            System.out.printf("round %d: %.0f MB/s per core of this thread (%.2f s CPU), process CPU %.2f s (%.0f MB/s per core), "
                    + "wall %.2f s; %d connections, %d decrypted, %,d plaintext bytes%s%n", r + 1, rates[r], cpu / 1e9,
                    process / 1e9, size / 1e6 / (process / 1e9), wall / 1e9, report.connections(),
                    report.count(io.plainsight.offline.ConnectionOutcome.Status.DECRYPTED), report.plaintextBytes,
                    copy ? " (copied: " + plaintext[0] + ")" : "");
        }
        if (rounds > WARMUP) {
            double[] warm = Arrays.copyOfRange(rates, WARMUP, rounds);
            Arrays.sort(warm);
            System.out.printf("median of rounds %d-%d: %.0f MB/s per core%n", WARMUP + 1, rounds, warm[warm.length / 2]);
        }
    }

    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
