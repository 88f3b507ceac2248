import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.DataChunk;
import io.plainsight.offline.ConnectionPrefilter;
import io.plainsight.offline.DecryptionReport;
import io.plainsight.offline.OfflineDecryption;
import io.plainsight.offline.capture.CaptureReader;
import io.plainsight.offline.tls.DecryptionKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Reader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory that {@code plainsight decrypt} holds per open connection: takes a capture of many short
 * TLS connections made one after the other (bench/decrypt.sh's {@code mem.pcap}: each fetches
 * /1k, then /64k, keep-alive), reorders its packets so that N connections are open at once — every
 * connection's packets up to a cut point first, then the rest of each — and feeds that to an
 * {@link OfflineDecryption} (the classes {@code plainsight decrypt} runs: capture reader, TCP
 * reassembly, TLS decryption, plaintext copied into events as with an output that wants data).
 * After the first part it measures the live heap (full GC) and Netty's direct memory, against the
 * same before the first packet; then it reads the rest and checks that every connection was
 * decrypted.
 *
 * <p>Two cut points per connection, read off the TLS record headers of the ciphertext:
 * <ul>
 *   <li>{@code idle}: just before the first server segment of 16 KiB or more (the /64k body):
 *       handshake done, first response delivered, both directions between records;
 *   <li>{@code mid-record}: the same plus all but the last byte of that segment's first record
 *       (a full-size record of 16 KiB of plaintext; the segment is split in two valid segments,
 *       as loopback segments end between records): the decryptor holds the largest partial
 *       record there is, in the direction that carries bulk data;
 *   <li>{@code idle after bulk}: after the /64k response, before the first FIN: between records
 *       again, once full-size records went through (what a keep-alive connection between two
 *       large responses holds).
 * </ul>
 * The figure per connection is the slope between the smallest and the largest N (fixed costs,
 * such as the reader's buffer, cancel out); (heap - baseline) / N is printed too.
 *
 * <pre>
 * java -cp target/plainsight.jar bench/DecryptMemoryBench.java MEM.pcap KEYLOG [N ...]
 * </pre>
 *
 * Needs JDK 21+; pass the launcher's JVM options ({@code --sun-misc-unsafe-memory-access=allow}
 * on JDK 24+), and a heap large enough for the capture (it is read into memory). With
 * {@code MEM_HISTO=1} in the environment it also prints, for the largest N, the live heap by class
 * per open connection (a class histogram before and after; the first histogram stays reachable
 * meanwhile, which adds under 1 KB to that run's slope). With {@code MEM_WRITE=FILE} it only writes
 * the reordered capture of its connections (the first N if given; cut "idle after bulk") to FILE, e.g. to run
 * {@code plainsight decrypt} on it with its own heap limit.
 */
public class DecryptMemoryBench {
    record Packet(byte[] header, byte[] data, int clientPort, boolean fromServer, int payload, int payloadOffset,
            boolean syn) {}

    /** One connection's packets and its two cut points (index of the last packet of the first part). */
    static final class Conn {
        final List<Packet> packets = new ArrayList<>();
        int idleCut = -1;
        int midCut = -1;
        int afterCut = -1;
        boolean idleAtBoundary;
        boolean midInRecord;

        int cut(int kind) {
            return kind == IDLE ? idleCut : kind == MID ? midCut : afterCut;
        }
    }

    static final int IDLE = 0;
    static final int MID = 1;
    static final int AFTER = 2;
    static final String[] KINDS = {"idle (between records, before any full-size record)",
        "mid-record (a 16 KiB record less one byte held)", "idle after bulk (between records, after full-size ones)"};
    static final String[] SHORT = {"idle", "mid-record", "idle after bulk"};

    static byte[] globalHeader;
    static boolean warming;
    static ByteOrder order;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DecryptMemoryBench MEM.pcap KEYLOG [N ...]");
            System.exit(2);
        }
        List<Conn> all = read(Path.of(args[0]));
        String keylog = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        all.removeIf(c -> c.idleCut < 0 || c.midCut < 0 || c.afterCut <= c.midCut);
        // a client port used by two connections one after the other (the capture's connections are
        // sequential) mixes both under one port: the reassembler rightly closes the first as reused
        Map<Integer, Long> perPort = all.stream().collect(java.util.stream.Collectors.groupingBy(
                c -> c.packets.get(0).clientPort(), java.util.stream.Collectors.counting()));
        all.removeIf(c -> perPort.get(c.packets.get(0).clientPort()) > 1);
        int m = all.size();
        if (m < 2) {
            throw new IllegalStateException("only " + m + " usable connections in " + args[0]);
        }
        List<Integer> ns = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            ns.add(Math.min(m, Integer.parseInt(args[i])));
        }
        if (ns.isEmpty()) {
            for (int n : new int[] {1, 10, 100, m}) {
                if (n <= m && !ns.contains(n)) {
                    ns.add(n);
                }
            }
        }
        if (System.getenv("MEM_WRITE") != null) { // the reordered capture, all connections open at once after their bulk
            List<Conn> use = args.length > 2 ? all.subList(0, Math.min(m, Integer.parseInt(args[2]))) : all;
            byte[][] p = parts(use, AFTER);
            try (java.io.OutputStream out = Files.newOutputStream(Path.of(System.getenv("MEM_WRITE")))) {
                out.write(p[0]);
                out.write(p[1], 24, p[1].length - 24);
            }
            System.out.printf("wrote %s: %d connections, all open at once between packet %d and the rest%n",
                    System.getenv("MEM_WRITE"), use.size(), use.stream().mapToInt(c -> c.afterCut + 1).sum());
            return;
        }
        long boundary = all.stream().filter(c -> c.idleAtBoundary).count();
        long inRecord = all.stream().filter(c -> c.midInRecord).count();
        System.out.printf("capture: %d connections usable; idle cut between records in both directions: %d; "
                + "mid-record cut inside a server record: %d%n", m, boundary, inRecord);

        // warm-up: JIT, class loading, per-thread scratch buffers
        warming = true;
        for (int i = 0; i < 3; i++) {
            measure(all, m, IDLE, keylog);
        }
        warming = false;
        for (int kind = IDLE; kind <= AFTER; kind++) {
            StringBuilder line = new StringBuilder(KINDS[kind] + ":");
            long[] heap = new long[ns.size()];
            for (int i = 0; i < ns.size(); i++) {
                long[] r = measure(all, ns.get(i), kind, keylog);
                heap[i] = r[0];
                line.append(String.format(" N=%d: %,d B heap (%,d/conn), %,d B direct;", ns.get(i), r[0], r[0] / ns.get(i), r[1]));
            }
            int a = 0;
            int b = ns.size() - 1;
            long slope = ns.get(b).equals(ns.get(a)) ? heap[b] / ns.get(b) : (heap[b] - heap[a]) / (ns.get(b) - ns.get(a));
            System.out.println(line);
            System.out.printf("  => %s: %,d bytes of heap per open connection (slope N=%d..%d)%n",
                    SHORT[kind], slope, ns.get(a), ns.get(b));
        }
    }

    /** Returns {heap delta, direct delta} with n connections open at the cut. */
    static long[] measure(List<Conn> all, int n, int kind, String keylog) throws Exception {
        byte[][] parts = parts(all.subList(0, n), kind); // built elsewhere: no builder stays reachable from here
        byte[] part1 = parts[0];
        byte[] part2 = parts[1];
        parts = null;
        DecryptionKeys keys = new DecryptionKeys();
        try (Reader r = new java.io.StringReader(keylog)) {
            keys.addKeyLog("keylog", r);
        }
        long[] plaintext = {0};
        DecryptionReport report = new DecryptionReport();
        OfflineDecryption d = new OfflineDecryption(keys, (CaptureEvent e) -> {
            if (e instanceof DataChunk dc) {
                ByteBuf b = dc.data();
                plaintext[0] += b.readableBytes();
                b.release();
            }
        }, true, ConnectionPrefilter.ALL, w -> { }, report);
        long heap0 = heapAfterGc();
        long direct0 = direct();
        boolean histo = System.getenv("MEM_HISTO") != null && n == all.size() && !warming;
        Map<String, long[]> histo0 = histo ? histogram() : null;
        CaptureReader r1 = CaptureReader.open(new ByteArrayInputStream(part1), "first part");
        d.read(r1, () -> { });
        r1.close();
        if (d.openConnections() != n) {
            throw new IllegalStateException("expected " + n + " open connections, got " + d.openConnections() + "; closed: "
                    + report.rows.stream().limit(3).map(o -> o.client() + " " + o.ended()).toList());
        }
        long heap1 = heapAfterGc();
        long direct1 = direct();
        if (histo) {
            printHistogramDelta(histo0, histogram(), n, kind);
        }
        CaptureReader r2 = CaptureReader.open(new ByteArrayInputStream(part2), "rest");
        d.read(r2, () -> { });
        r2.close();
        DecryptionReport done = d.finish();
        if (done.connections() != n || done.exitCode() != 0) {
            throw new IllegalStateException("not every connection decrypted: " + done.connections() + " of " + n
                    + ", exit code " + done.exitCode() + ", warnings " + done.warnings);
        }
        if (System.getenv("MEM_DEBUG") != null) {
            System.err.printf("n=%d kind=%d heap0=%,d heap1=%,d%n", n, kind, heap0, heap1);
        }
        return new long[] {heap1 - heap0, direct1 - direct0};
    }

    /** The capture's packets reordered: every connection up to its cut, then the rest of each. */
    static byte[][] parts(List<Conn> use, int kind) {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        first.writeBytes(globalHeader);
        rest.writeBytes(globalHeader);
        long[] clock = {1_700_000_000_000_000L};
        for (Conn c : use) {
            int cut = c.cut(kind);
            for (int i = 0; i <= cut; i++) {
                write(first, c.packets.get(i), clock);
            }
        }
        for (Conn c : use) {
            int cut = c.cut(kind);
            for (int i = cut + 1; i < c.packets.size(); i++) {
                write(rest, c.packets.get(i), clock);
            }
        }
        return new byte[][] {first.toByteArray(), rest.toByteArray()};
    }

    static void write(ByteArrayOutputStream out, Packet p, long[] clock) {
        ByteBuffer h = ByteBuffer.wrap(p.header.clone()).order(order);
        long t = clock[0]++;
        h.putInt(0, (int) (t / 1_000_000));
        h.putInt(4, (int) (t % 1_000_000));
        out.writeBytes(h.array());
        out.writeBytes(p.data);
    }

    /** class -> {instances, bytes} of the live heap (GC.class_histogram). */
    static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return m;
    }

    /** MEM_HISTO=1: what the open connections hold, by class, per connection. */
    static void printHistogramDelta(Map<String, long[]> before, Map<String, long[]> after, int n, int kind) {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            rows.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
        }
        rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        System.out.printf("  heap by class, %s, per open connection (N=%d):%n", SHORT[kind], n);
        for (int i = 0; i < Math.min(15, rows.size()); i++) {
            long[] v = rows.get(i).getValue();
            System.out.printf("    %,8.0f B  %6.1f objects  %s%n", (double) v[1] / n, (double) v[0] / n, rows.get(i).getKey());
        }
    }

    static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static long direct() {
        long nio = 0;
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                nio = p.getMemoryUsed();
            }
        }
        return nio + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    /** Reads a classic pcap (Ethernet, IPv4, TCP) into its connections, in order. */
    static List<Conn> read(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all);
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        order = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        b.order(order);
        if (b.getInt(20) != 1) {
            throw new IllegalStateException("expected an Ethernet capture (tcpdump -i lo)");
        }
        globalHeader = java.util.Arrays.copyOf(all, 24);
        int serverPort = -1;
        List<Packet> packets = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= all.length) {
            int incl = b.getInt(pos + 8);
            byte[] header = java.util.Arrays.copyOfRange(all, pos, pos + 16);
            byte[] data = java.util.Arrays.copyOfRange(all, pos + 16, pos + 16 + incl);
            pos += 16 + incl;
            ByteBuffer d = ByteBuffer.wrap(data); // network order
            if (d.getShort(12) != 0x0800) {
                continue;
            }
            int ihl = (data[14] & 0x0f) * 4;
            int ipLen = d.getShort(16) & 0xffff; // not 0: tcpdump -i lo sees segments as sent (TSO: <= 64 KiB)
            int tcp = 14 + ihl;
            int src = d.getShort(tcp) & 0xffff;
            int dst = d.getShort(tcp + 2) & 0xffff;
            int off = ((data[tcp + 12] & 0xf0) >> 4) * 4;
            int flags = data[tcp + 13] & 0xff;
            boolean syn = (flags & 0x02) != 0 && (flags & 0x10) == 0;
            if (syn && serverPort < 0) {
                serverPort = dst;
            }
            int payload = ipLen - ihl - off;
            // both ports for now (in clientPort); sorted out below, once the server port is known
            packets.add(new Packet(header, data, src * 65536 + dst, false, payload, tcp + off, syn));
        }
        Map<Integer, Conn> open = new LinkedHashMap<>();   // by client port; a client's SYN on a used port starts a new one
        List<Conn> conns = new ArrayList<>();
        for (Packet p : packets) {
            int src = p.clientPort >>> 16;
            int dst = p.clientPort & 0xffff;
            boolean fromServer = src == serverPort;
            int client = fromServer ? dst : src;
            Conn c = open.get(client);
            if (c == null || (p.syn && !fromServer && !c.packets.isEmpty() && !c.packets.get(c.packets.size() - 1).syn)) {
                c = new Conn();
                open.put(client, c);
                conns.add(c);
            }
            c.packets.add(new Packet(p.header, p.data, client, fromServer, p.payload, p.payloadOffset, p.syn));
        }
        for (Conn c : conns) {
            cuts(c);
        }
        return conns;
    }

    /**
     * Finds the cut points from the TLS record headers of both directions. The idle cut is just
     * before the first server segment of 16 KiB or more; for the mid-record cut that segment is
     * split in two valid TCP segments, the first carrying all but the last byte of the segment's
     * first record (the segment starts with a record when the idle cut is between records), and
     * the cut falls after the first of them.
     */
    static void cuts(Conn c) {
        Records server = new Records();
        Records client = new Records();
        for (int i = 0; i < c.packets.size(); i++) {
            Packet p = c.packets.get(i);
            if (p.payload == 0) {
                continue;
            }
            if (p.fromServer && p.payload >= 16384 && i > 0) {
                c.idleCut = i - 1;
                c.idleAtBoundary = server.atBoundary() && client.atBoundary();
                int firstRecord = ((p.data[p.payloadOffset + 3] & 0xff) << 8 | (p.data[p.payloadOffset + 4] & 0xff)) + 5;
                Packet[] halves = split(p, Math.min(firstRecord, p.payload) - 1);
                c.packets.set(i, halves[0]);
                c.packets.add(i + 1, halves[1]);
                c.midCut = i;
                c.midInRecord = c.idleAtBoundary && firstRecord > 16384; // the segment starts with a full-size record
                break;
            }
            (p.fromServer ? server : client).add(p.data, p.payloadOffset, p.payload);
        }
        for (int i = 0; i < c.packets.size(); i++) { // the last packet before the first FIN or RST
            Packet p = c.packets.get(i);
            int tcpOff = 14 + (p.data[14] & 0x0f) * 4;
            if ((p.data[tcpOff + 13] & 0x05) != 0) {
                c.afterCut = i - 1;
                break;
            }
        }
    }

    /** Two TCP segments carrying the first n bytes of p's payload and the rest (IP length and TCP sequence adjusted). */
    static Packet[] split(Packet p, int n) {
        int ipOff = 14;
        int ihl = (p.data[ipOff] & 0x0f) * 4;
        int tcpOff = ipOff + ihl;
        byte[] a = java.util.Arrays.copyOf(p.data, p.payloadOffset + n);
        byte[] b = new byte[p.data.length - n];
        System.arraycopy(p.data, 0, b, 0, p.payloadOffset);
        System.arraycopy(p.data, p.payloadOffset + n, b, p.payloadOffset, p.payload - n);
        ByteBuffer.wrap(a).putShort(ipOff + 2, (short) (a.length - ipOff));
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putShort(ipOff + 2, (short) (b.length - ipOff));
        bb.putInt(tcpOff + 4, bb.getInt(tcpOff + 4) + n);
        return new Packet[] {
            new Packet(recordHeader(p.header, a.length), a, p.clientPort, p.fromServer, n, p.payloadOffset, false),
            new Packet(recordHeader(p.header, b.length), b, p.clientPort, p.fromServer, p.payload - n, p.payloadOffset, false)};
    }

    static byte[] recordHeader(byte[] header, int length) {
        ByteBuffer h = ByteBuffer.wrap(header.clone()).order(order);
        h.putInt(8, length);
        h.putInt(12, length);
        return h.array();
    }

    /** Where the TLS records of one direction end: enough of a parser to tell "between records". */
    static final class Records {
        long bytes;
        long nextRecord;
        final byte[] header = new byte[5];
        int headerHave;

        void add(byte[] a, int off, int len) {
            long start = bytes;
            bytes += len;
            while (true) {
                if (nextRecord + headerHave >= bytes) {
                    return;
                }
                int idx = (int) (nextRecord + headerHave - start);
                while (headerHave < 5 && idx < len) {
                    header[headerHave++] = a[off + idx++];
                }
                if (headerHave < 5) {
                    return;
                }
                int recLen = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                nextRecord += 5 + recLen;
                headerHave = 0;
                if (nextRecord > bytes) {
                    return;
                }
            }
        }

        boolean atBoundary() {
            return headerHave == 0 && nextRecord == bytes;
        }
    }
}
