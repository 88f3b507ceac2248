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
import io.plainsight.event.TlsEstablished;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcapoverip.PcapOverIpSettings;
import io.plainsight.sink.pcapoverip.PcapOverIpSink;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PCAP-over-IP sink alone, no proxy: one thread (the sink thread) feeds it the events of the
 * reverse-proxy benchmark while READERS Java threads read the stream from loopback sockets and
 * throw it away. Lossless, so that every reader gets every byte (lossy, a reader is dropped as soon
 * as it falls 8 MiB behind this thread, which synthesizes packets at memory speed). Per round it
 * prints the payload rate of the wall clock, and the CPU time of the sink thread, of the sink's
 * event loop (the socket writes) and of the readers, per unit of work.
 *
 * <ul>
 *   <li>{@code mib} (default): 200 connections per round, a 100-byte request and a 1 MiB response
 *       in 16 KiB chunks each: MiB of payload.
 *   <li>{@code conn}: 20,000 connections per round (open, two TLS legs, 100-byte request, 1 KiB
 *       response, close): connections.
 * </ul>
 *
 * <pre>
 * java --sun-misc-unsafe-memory-access=allow -cp target/plainsight.jar bench/PcapOverIpBench.java [ROUNDS [mib|conn [READERS]]]
 * </pre>
 */
public class PcapOverIpBench {
    static final int CHUNK = 16_384;
    static final int WARMUP_ROUNDS = 3;
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 443);

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 13;
        boolean perConnection = args.length > 1 && args[1].equals("conn");
        int readerCount = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String unit = perConnection ? "conn" : "MiB";
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            data.writeByte(i * 31);
        }
        PcapOverIpSettings settings = PcapOverIpSettings.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(), true);
        double[] wallRates = new double[rounds];
        double[] sinkRates = new double[rounds];
        double[] loopRates = new double[rounds];
        double[] readerRates = new double[rounds];
        try (PcapOverIpSink sink = PcapOverIpSink.start(settings, PcapOptions.defaults(), "--pcap-over-ip")) {
            List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < readerCount; i++) {
                readers.add(new Reader(sink.serverAddress()));
            }
            while (sink.readers() < readerCount) {
                Thread.sleep(10);
            }
            long loopThread = eventLoopThreadId();
            long sinkBytes = 0;
            for (int round = 0; round < rounds; round++) {
                long wall0 = System.nanoTime();
                long cpu0 = threads.getCurrentThreadCpuTime();
                long loop0 = threads.getThreadCpuTime(loopThread);
                long readers0 = readers.stream().mapToLong(r -> threads.getThreadCpuTime(r.thread.threadId())).sum();
                long bytesBefore = readers.stream().mapToLong(r -> r.bytes.get()).sum();
                double amount = perConnection ? connections(sink, data, round) : mebibytes(sink, data, round);
                sink.flush();
                long sinkCpu = threads.getCurrentThreadCpuTime() - cpu0;
                // wait until every reader has what was published
                long target = bytesBefore + (long) readerCount * (sink.bytes() - sinkBytes);
                sinkBytes = sink.bytes();
                while (readers.stream().mapToLong(r -> r.bytes.get()).sum() < target) {
                    Thread.onSpinWait();
                }
                double wall = (System.nanoTime() - wall0) / 1e9;
                double loopCpu = (threads.getThreadCpuTime(loopThread) - loop0) / 1e9;
                double readerCpu = (readers.stream().mapToLong(r -> threads.getThreadCpuTime(r.thread.threadId())).sum() - readers0) / 1e9;
                wallRates[round] = amount / wall;
                sinkRates[round] = amount / (sinkCpu / 1e9);
                loopRates[round] = loopCpu > 0 ? amount / loopCpu : Double.NaN;
                readerRates[round] = readerCpu > 0 ? amount / readerCpu : Double.NaN;
                System.out.printf("round %2d: %5.0f ms wall -> %8.0f %s/s; per CPU second: sink thread %8.0f, event loop %8.0f, readers %8.0f%n",
                        round + 1, wall * 1e3, wallRates[round], unit, sinkRates[round], loopRates[round], readerRates[round]);
            }
            for (Reader r : readers) {
                r.socket.close();
            }
            System.out.printf("packets %d, waited for readers %d ms, readers dropped %d%n", sink.packets(), sink.waitedMillis(),
                    sink.droppedReaders());
        }
        if (rounds > WARMUP_ROUNDS) {
            System.out.printf("median of rounds %d-%d (%s per second): wall %.0f; per CPU second: sink thread %.0f, event loop %.0f, readers %.0f%n",
                    WARMUP_ROUNDS + 1, rounds, unit, median(wallRates), median(sinkRates), median(loopRates), median(readerRates));
        }
        data.release();
    }

    /** 200 connections with a 1 MiB response each; returns the MiB of payload. */
    static double mebibytes(PcapOverIpSink sink, ByteBuf data, int round) {
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
    static double connections(PcapOverIpSink sink, ByteBuf data, int round) {
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

    static double median(double[] rates) {
        double[] measured = Arrays.copyOfRange(rates, WARMUP_ROUNDS, rates.length);
        Arrays.sort(measured);
        return measured[measured.length / 2];
    }

    static long eventLoopThreadId() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("pcap-over-ip")) {
                return t.threadId();
            }
        }
        throw new IllegalStateException("no pcap-over-ip thread");
    }

    static final class Reader {
        final Socket socket;
        final AtomicLong bytes = new AtomicLong();
        final Thread thread;

        Reader(InetSocketAddress at) throws Exception {
            socket = new Socket(at.getAddress(), at.getPort());
            thread = new Thread(() -> {
                byte[] buf = new byte[256 << 10];
                try (InputStream in = socket.getInputStream()) {
                    in.readNBytes(24);
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        bytes.addAndGet(n);
                    }
                } catch (Exception e) {
                    // closed at the end
                }
            }, "reader");
            thread.setDaemon(true);
            thread.start();
        }
    }
}
