package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Prints the reassembler's throughput on one thread (so per core) and its memory per open
 * connection. A measurement, not a test: run it by hand with the test classpath, e.g.
 * {@code mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt; java -Xmx2g
 * -cp target/test-classes:target/classes:$(cat cp.txt) io.plainsight.offline.tcp.TcpReassemblerThroughput}.
 *
 * <p>Traffic: 256 connections at once, each a download of 1448-byte segments (and an ACK from the
 * client every second segment, as delayed ACKs do, acknowledging what it has without a hole), the
 * connections' packets interleaved; 16 MiB of payload in all. In order, shuffled within each 8
 * segments, or with the first segment last. "capture
 * MB/s" counts what a pcap file holds for these packets: payload plus 82 bytes per packet (16 of
 * record header, 14 Ethernet, 20 IPv4, 32 TCP with timestamps). Payloads are prepared beforehand;
 * the listener only sums what it gets. Rates are per second of the thread's CPU time (this
 * machine is shared: wall time mostly measures the others), the wall-clock rate is printed too.
 */
public final class TcpReassemblerThroughput {
    static final int CONNECTIONS = 256;
    static final int OVERHEAD = 16 + 14 + 20 + 32;

    enum Order {
        IN_ORDER,
        /** A random permutation of each 8 consecutive segments: most arrive out of order, holes close quickly. */
        SHUFFLED_BY_8,
        /** The first data segment comes after all the others: everything is held until the end. */
        FIRST_LAST
    }

    record Packet(InetAddress src, int srcPort, InetAddress dst, int dstPort, long seq, long ack, int flags, ByteBuf payload) {}

    static final class Sum implements StreamListener {
        long bytes;
        long gaps;

        @Override
        public void opened(TcpConnection c, long p, long t) {}

        @Override
        public void data(TcpConnection c, boolean fromClient, long p, long t, ByteBuf b, long o) {
            bytes += b.readableBytes();
        }

        @Override
        public void gap(TcpConnection c, boolean fromClient, long p, long t, long o, long m) {
            gaps++;
        }

        @Override
        public void closed(TcpConnection c, long t, CloseReason r) {}
    }

    public static void main(String[] args) throws Exception {
        List<Packet> inOrder = traffic(1448, Order.IN_ORDER, 0);
        List<Packet> shuffled = traffic(1448, Order.SHUFFLED_BY_8, 1);
        List<Packet> firstLast = traffic(1448, Order.FIRST_LAST, 2);
        List<Packet> small = traffic(100, Order.IN_ORDER, 3);
        String only = args.length > 0 ? args[0] : ""; // "in-order", "reordered", "small" or "memory" for one of them
        for (int round = 0; round < 6 && !only.equals("memory"); round++) { // the first rounds warm the JIT up
            System.out.println("round " + round);
            if (only.isEmpty() || only.equals("in-order")) {
                report("in order, 1448-byte segments", inOrder, 8);
            }
            if (only.isEmpty() || only.equals("reordered")) {
                report("shuffled within each 8 segments", shuffled, 8);
                report("first segment last (all held till the end)", firstLast, 8);
            }
            if (only.isEmpty() || only.equals("small")) {
                report("in order, 100-byte segments", small, 8);
            }
        }
        if (only.isEmpty() || only.equals("memory")) {
            memory(200_000);
        }
    }

    /** SYN, SYN-ACK, ACK, a request, then the download; packets of all connections interleaved; FIN both ways. */
    static List<Packet> traffic(int segmentSize, Order order, long seed) throws UnknownHostException {
        Random rnd = new Random(seed);
        byte[] data = new byte[1 << 20];
        rnd.nextBytes(data);
        int segments = (16 << 20) / CONNECTIONS / segmentSize; // 16 MiB of payload in all
        InetAddress server = InetAddress.getByName("10.200.0.1");
        List<List<Packet>> perConnection = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            InetAddress client = InetAddress.getByAddress(new byte[] {10, 100, (byte) (i >> 8), (byte) i});
            int cp = 40000 + i;
            long c = rnd.nextInt() & 0xFFFF_FFFFL;
            long s = rnd.nextInt() & 0xFFFF_FFFFL;
            List<Packet> p = new ArrayList<>();
            p.add(new Packet(client, cp, server, 443, c, 0, TcpFlags.SYN, null));
            p.add(new Packet(server, 443, client, cp, s, c + 1, TcpFlags.SYN | TcpFlags.ACK, null));
            p.add(new Packet(client, cp, server, 443, c + 1, s + 1, TcpFlags.ACK, null));
            ByteBuf request = Unpooled.wrappedBuffer(data, 0, 200);
            p.add(new Packet(client, cp, server, 443, c + 1, s + 1, TcpFlags.ACK | TcpFlags.PSH, request));
            List<Packet> down = new ArrayList<>();
            for (int k = 0; k < segments; k++) {
                int at = rnd.nextInt(data.length - segmentSize);
                down.add(new Packet(server, 443, client, cp, (s + 1 + (long) k * segmentSize) & 0xFFFF_FFFFL, c + 201,
                        TcpFlags.ACK, Unpooled.wrappedBuffer(data, at, segmentSize)));
            }
            if (order == Order.SHUFFLED_BY_8) {
                for (int from = 0; from < down.size(); from += 8) {
                    java.util.Collections.shuffle(down.subList(from, Math.min(down.size(), from + 8)), rnd);
                }
            } else if (order == Order.FIRST_LAST) {
                down.add(down.remove(0));
            }
            boolean[] got = new boolean[down.size()];
            int contiguous = 0; // what the client has received without a hole: what it acknowledges
            for (int k = 0; k < down.size(); k++) {
                Packet d = down.get(k);
                p.add(d);
                got[(int) (((d.seq() - s - 1) & 0xFFFF_FFFFL) / segmentSize)] = true;
                while (contiguous < got.length && got[contiguous]) {
                    contiguous++;
                }
                if (k % 2 == 1) {
                    long acked = s + 1 + (long) contiguous * segmentSize;
                    p.add(new Packet(client, cp, server, 443, c + 201, acked & 0xFFFF_FFFFL, TcpFlags.ACK, null));
                }
            }
            long end = s + 1 + (long) segments * segmentSize;
            p.add(new Packet(server, 443, client, cp, end & 0xFFFF_FFFFL, c + 201, TcpFlags.FIN | TcpFlags.ACK, null));
            p.add(new Packet(client, cp, server, 443, c + 201, (end + 1) & 0xFFFF_FFFFL, TcpFlags.FIN | TcpFlags.ACK, null));
            perConnection.add(p);
        }
        List<Packet> all = new ArrayList<>();
        for (int k = 0; ; k++) {
            boolean any = false;
            for (List<Packet> p : perConnection) {
                if (k < p.size()) {
                    all.add(p.get(k));
                    any = true;
                }
            }
            if (!any) {
                return all;
            }
        }
    }

    static void report(String what, List<Packet> packets, int repeats) {
        long payload = 0;
        long count = 0;
        Sum sum = new Sum();
        long held = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
            TcpReassembler reassembler = new TcpReassembler(sum);
            long n = 0;
            for (Packet p : packets) {
                reassembler.segment(++n, n, p.src(), p.srcPort(), p.dst(), p.dstPort(), p.seq(), p.ack(), p.flags(), p.payload());
                if (p.payload() != null) {
                    payload += p.payload().readableBytes();
                }
            }
            reassembler.finish(n + 1);
            count += n;
            held += reassembler.counters().outOfOrderSegments();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double seconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        if (sum.bytes != payload || sum.gaps != 0) {
            throw new AssertionError("delivered " + sum.bytes + " of " + payload + ", gaps " + sum.gaps);
        }
        System.out.printf("  %-46s %7.0f MiB/s payload %7.0f MB/s capture %6.2f M packets/s per CPU-second"
                        + " (wall: %5.0f MB/s capture; %d%% of data segments held)%n",
                what, payload / seconds / (1 << 20), (payload + count * OVERHEAD) / seconds / 1e6, count / seconds / 1e6,
                (payload + count * OVERHEAD) / wall / 1e6,
                Math.round(100.0 * held / packets.stream().filter(p -> p.payload() != null).count() / repeats));
    }

    /** Heap bytes per open connection that holds nothing: each had a handshake and some in-order data. */
    static void memory(int connections) throws Exception {
        Sum sum = new Sum();
        InetAddress server = InetAddress.getByName("10.200.0.1");
        ByteBuf data = Unpooled.wrappedBuffer(new byte[100]);
        InetAddress[] clients = new InetAddress[connections];
        for (int i = 0; i < connections; i++) {
            clients[i] = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
        }
        long before = used();
        TcpReassembler r = new TcpReassembler(sum);
        long n = 0;
        for (int i = 0; i < connections; i++) {
            InetAddress c = clients[i];
            r.segment(++n, n, c, 50000, server, 443, 1000, 0, TcpFlags.SYN, null);
            r.segment(++n, n, server, 443, c, 50000, 5000, 1001, TcpFlags.SYN | TcpFlags.ACK, null);
            r.segment(++n, n, c, 50000, server, 443, 1001, 5001, TcpFlags.ACK | TcpFlags.PSH, data);
            r.segment(++n, n, server, 443, c, 50000, 5001, 1101, TcpFlags.ACK | TcpFlags.PSH, data);
        }
        long after = used();
        System.out.printf("memory: %d open connections, %.0f bytes each (the client addresses' own objects excluded: they were made beforehand)%n",
                r.openConnections(), (after - before) / (double) connections);
        if (r.openConnections() != connections) {
            throw new AssertionError();
        }
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }
}
