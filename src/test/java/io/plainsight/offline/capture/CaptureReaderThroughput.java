package io.plainsight.offline.capture;

import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Prints the reader's throughput on one thread (so per core), in MB/s (10^6 bytes) of capture, and
 * the bytes it allocates per packet. A measurement, not a test (nothing is asserted): run it by
 * hand with the test classpath, e.g.
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.plainsight.offline.capture.CaptureReaderThroughput [DIR] [MB]}.
 *
 * <p>It writes synthetic captures of MB (default 1000) megabytes into DIR (default the temp dir):
 * Ethernet/IPv4/TCP with timestamp options, 64 connections round robin, each a TLS-download-like
 * mix of two 1448-byte segments per ACK (bulk, about 1 KB per packet) or 100-byte exchanges
 * (small), with random (incompressible, like TLS) payloads, as pcap, as pcapng, and gzip-compressed
 * (MB/4 decompressed); then reads each a few times from the page cache, next to a plain read of the
 * same file into a 1 MiB buffer (the I/O floor) and a plain gunzip of the gzip file (the gzip
 * floor). {@code -DgzipOnly=true} writes and measures only the gzip file, of MB decompressed
 * megabytes, {@code -Drounds=N} times. Each line gives the CPU time of the reading thread and of the
 * whole process (JIT and GC included) per wall second, in percent of one core, and for gzip the
 * compressed megabytes per second. Gzip is read both ways, inflated on the reading thread and on
 * the inflate thread ({@link ReadAhead}, the default), and plain pcap files also through a
 * read-ahead thread (what {@code plainsight decrypt} does for files since 2026-11-22: alone it was
 * slower here, but with decryption on the reading thread it takes ~0.3 s per GB off that thread). {@code -Dconsumer=aes} adds
 * AES-128-GCM over every payload byte on the reading thread (like TLS decryption; {@code
 * -Dpasses=N} N times, for a heavier consumer). The files are deleted at the end, unless
 * {@code -Dkeep=true} (which also uses files already there).
 *
 * <p>On a shared machine, compare the two gzip lines of one round, and the CPU milliseconds per
 * MB (CPU percent divided by MB/s) rather than the MB/s of different runs.
 */
public final class CaptureReaderThroughput {
    private CaptureReaderThroughput() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 1000) * 1_000_000L;
        Path bulk = dir.resolve("plainsight-throughput-bulk.pcap");
        Path bulkNg = dir.resolve("plainsight-throughput-bulk.pcapng");
        Path small = dir.resolve("plainsight-throughput-small.pcap");
        Path gz = dir.resolve("plainsight-throughput-bulk.pcap.gz");
        try {
            int rounds = Integer.getInteger("rounds", 3);
            if (Boolean.getBoolean("gzipOnly")) {
                write(gz, size, false, false, true);
                for (int round = 1; round <= rounds; round++) {
                    System.out.println("round " + round);
                    gunzipFloor(gz, 8 << 10);
                    gunzipFloor(gz, 1 << 20);
                    measure("pcap.gz, inflated inline", gz, Mode.GZIP_INLINE);
                    measure("pcap.gz, inflate thread", gz, Mode.DEFAULT);
                }
                return;
            }
            write(bulk, size, false, false, false);
            write(bulkNg, size, false, true, false);
            write(small, size, true, false, false);
            write(gz, size / 4, false, false, true);
            for (int round = 1; round <= rounds; round++) { // the first round warms the JIT up
                System.out.println("round " + round);
                floor(bulk);
                measure("pcap, bulk (~1 KB/packet)", bulk, Mode.DEFAULT);
                measure("pcap, bulk, read-ahead thread", bulk, Mode.PLAIN_READ_AHEAD);
                measure("pcapng, bulk", bulkNg, Mode.DEFAULT);
                measure("pcap, small (~150 B/packet)", small, Mode.DEFAULT);
                measure("pcap, small, read-ahead thread", small, Mode.PLAIN_READ_AHEAD);
                gunzipFloor(gz, 8 << 10);
                measure("pcap.gz (MB of decompressed capture), inline", gz, Mode.GZIP_INLINE);
                measure("pcap.gz, inflate thread", gz, Mode.DEFAULT);
            }
        } finally {
            for (Path p : new Path[] {bulk, bulkNg, small, gz}) {
                if (!KEEP) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Reading the file alone, no parsing: what the reader cannot beat. */
    private static void floor(Path file) throws IOException {
        byte[] buf = new byte[1 << 20];
        long bytes = 0;
        Cpu cpu = new Cpu();
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                bytes += n;
            }
        }
        report("read only (I/O floor)", bytes, 0, cpu.stop(), 0, 0, 0);
    }

    /** Decompressing the gzip file alone, {@code step} bytes per read (the reader asks for 8 KiB): the gzip floor. */
    private static void gunzipFloor(Path file, int step) throws IOException {
        byte[] buf = new byte[1 << 20];
        long bytes = 0;
        Cpu cpu = new Cpu();
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int n; (n = in.read(buf, 0, step)) > 0; ) {
                bytes += n;
            }
        }
        report("gunzip only, " + step / 1024 + " KiB reads (gzip floor)", bytes, Files.size(file), cpu.stop(), 0, 0, 0);
    }

    /** How the file is opened: as {@code plainsight} does, gzip inflated on the reading thread, a plain file read ahead on a thread. */
    enum Mode { DEFAULT, GZIP_INLINE, PLAIN_READ_AHEAD }

    private static CaptureReader open(Path file, Mode mode) throws IOException {
        return switch (mode) {
            case DEFAULT -> CaptureReader.open(file);
            case GZIP_INLINE -> CaptureReader.open(Files.newInputStream(file), file.toString(), CaptureInput.DEFAULT_BUFFER,
                    false);
            case PLAIN_READ_AHEAD -> CaptureReader.open(ReadAhead.start(Files.newInputStream(file), in -> in, ReadAhead.CHUNK,
                    "read-ahead " + file), file.toString());
        };
    }

    private static void measure(String what, Path file, Mode mode) throws IOException {
        Counting listener = "aes".equals(System.getProperty("consumer")) ? new Decrypting() : new Counting();
        what += listener instanceof Decrypting ? ", +AES x" + Decrypting.PASSES : "";
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        Cpu cpu = new Cpu();
        long bytes;
        long packets;
        boolean gzip;
        try (CaptureReader reader = open(file, mode)) {
            packets = reader.readAll(listener);
            bytes = reader.position();
            gzip = reader.format().endsWith("gzip-compressed");
        }
        Cpu.Figures figures = cpu.stop();
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        if (listener.segments != packets || listener.skipped + listener.warnings != 0) {
            throw new AssertionError(what + ": " + listener.segments + " segments of " + packets + " packets, "
                    + listener.skipped + " skipped, " + listener.warnings + " warnings");
        }
        report(what, bytes, gzip ? Files.size(file) : 0, figures, packets, allocated, listener.payloadBytes);
    }

    /**
     * One line: decompressed (or plain) MB/s, compressed MB/s when {@code compressed} is not 0, then
     * the reading thread's and the process's CPU in percent of one core.
     */
    private static void report(String what, long bytes, long compressed, Cpu.Figures cpu, long packets, long allocated,
            long payload) {
        double seconds = cpu.wallNanos() / 1e9;
        System.out.printf("  %-45s %8.0f MB/s %s %6.2f Mpackets/s  cpu: thread %3.0f%%, process %3.0f%%  %6.1f bytes"
                + " allocated/packet  (%,d bytes, %,d packets, %,d payload bytes, %.2f s)%n", what, bytes / 1e6 / seconds,
                compressed == 0 ? "" : String.format("(%5.0f MB/s compressed)", compressed / 1e6 / seconds),
                packets / 1e6 / seconds, 100.0 * cpu.threadNanos() / cpu.wallNanos(),
                100.0 * cpu.processNanos() / cpu.wallNanos(), packets == 0 ? 0.0 : (double) allocated / packets, bytes,
                packets, payload, seconds);
    }

    /** Wall time, the current thread's CPU time and the process's CPU time from construction to {@link #stop}. */
    static final class Cpu {
        record Figures(long wallNanos, long threadNanos, long processNanos) {}

        private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long wall = System.nanoTime();
        private final long thread = THREADS.getCurrentThreadCpuTime();
        private final long process = OS.getProcessCpuTime();

        Figures stop() {
            return new Figures(System.nanoTime() - wall, THREADS.getCurrentThreadCpuTime() - thread,
                    OS.getProcessCpuTime() - process);
        }
    }

    /**
     * {@link Counting}, then AES-128-GCM over every payload byte: a stand-in for the TLS decryption
     * that {@code plainsight decrypt} does on the reading thread ({@code -Dconsumer=aes}). Encrypted
     * as 16 KiB "records", each with its own IV and tag, like TLS records.
     */
    static final class Decrypting extends Counting {
        /** {@code -Dpasses=N}: N times over every payload byte, for a heavier consumer. */
        static final int PASSES = Integer.getInteger("passes", 1);
        private static final int RECORD = 16 << 10;
        private final javax.crypto.Cipher aes;
        private final javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(new byte[16], "AES");
        private final byte[] iv = new byte[12];
        private final byte[] out = new byte[1 << 16];
        private final byte[] in = new byte[1 << 16];
        private long records;
        private int inRecord;

        Decrypting() {
            try {
                aes = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
                nextRecord();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private void nextRecord() throws java.security.GeneralSecurityException {
            if (records > 0) {
                aes.doFinal(out, 0);
            }
            ByteBuffer.wrap(iv).putLong(4, ++records);
            aes.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
            inRecord = 0;
        }

        @Override
        public void segment(TcpSegment s) {
            super.segment(s);
            ByteBuf p = s.payload();
            int n = p.readableBytes();
            if (n > 0) {
                p.getBytes(p.readerIndex(), in, 0, n);
                try {
                    for (int i = 0; i < PASSES; i++) {
                        if (inRecord >= RECORD) {
                            nextRecord();
                        }
                        inRecord += aes.update(in, 0, n, out, 0);
                    }
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
                checksum += out[0];
            }
        }
    }

    /** Touches what a consumer would: the 4-tuple, the numbers and every payload byte count. */
    static class Counting implements CaptureListener {
        long segments;
        long skipped;
        long warnings;
        long payloadBytes;
        long checksum;

        @Override
        public void segment(TcpSegment s) {
            segments++;
            ByteBuf p = s.payload();
            payloadBytes += p.readableBytes();
            checksum += s.seq() + s.srcPort() + s.src().hashCode() + (p.readableBytes() > 0 ? p.getByte(p.readerIndex()) : 0);
        }

        @Override
        public void secrets(int secretsType, byte[] data, long position) {}

        @Override
        public void skipped(long packetNumber, String reason) {
            skipped++;
        }

        @Override
        public void warning(String message) {
            warnings++;
        }
    }

    // ---------------------------------------------------------------- the synthetic captures

    private static final int FLOWS = 64;

    /** {@code -Dkeep=true}: files already there are used as they are, and kept at the end. */
    private static final boolean KEEP = Boolean.getBoolean("keep");

    private static void write(Path file, long size, boolean small, boolean pcapng, boolean gzip) throws IOException {
        if (KEEP && Files.exists(file)) {
            System.out.printf("using %s: %,d bytes%n", file, Files.size(file));
            return;
        }
        long start = System.nanoTime();
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
                OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            if (pcapng) {
                b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1)
                        .putInt(28);
                b.putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(0).putInt(20);
            } else {
                b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
            }
            out.write(b.array(), 0, b.position());
            long written = b.position();
            long[] seq = new long[FLOWS];
            long ts = 1_700_000_000_000_000L;
            // payloads like TLS records: incompressible (so gzip compresses the headers only, as with real captures)
            byte[] payload = new byte[1 << 16];
            new java.util.Random(1).nextBytes(payload);
            for (long n = 0; written < size; n++) {
                int flow = (int) (n % FLOWS);
                int kind = (int) (n / FLOWS % 3);
                boolean fromServer = kind < 2;
                int len = small ? (kind == 2 ? 0 : 100) : (kind == 2 ? 0 : 1448);
                b.clear();
                int frame = 14 + 20 + 32 + len;
                if (pcapng) {
                    int block = 32 + ((frame + 3) & ~3);
                    b.putInt(6).putInt(block).putInt(0).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(frame).putInt(frame);
                } else {
                    b.putInt((int) (ts / 1_000_000)).putInt((int) (ts % 1_000_000)).putInt(frame).putInt(frame);
                }
                b.order(ByteOrder.BIG_ENDIAN);
                b.putInt(0x02000000).putShort((short) 2).putInt(0x02000000).putShort((short) 1).putShort((short) 0x0800);
                b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 32 + len)).putShort((short) n).putShort((short) 0x4000)
                        .put((byte) 64).put((byte) 6).putShort((short) 0);
                int client = 0x0A000000 | flow;
                int server = 0xC0A80001;
                b.putInt(fromServer ? server : client).putInt(fromServer ? client : server);
                b.putShort((short) (fromServer ? 443 : 40000 + flow)).putShort((short) (fromServer ? 40000 + flow : 443));
                b.putInt((int) (fromServer ? seq[flow] : n)).putInt((int) (fromServer ? n : seq[flow]));
                b.put((byte) 0x80).put((byte) (fromServer ? 0x18 : 0x10)).putShort((short) 501).putInt(0);
                b.putInt(0x0101080A).putInt((int) n).putInt((int) n - 1); // NOP NOP timestamps
                b.put(payload, (int) (n * 1031 % (payload.length - 1448)), len);
                if (fromServer) {
                    seq[flow] += len;
                }
                b.order(ByteOrder.LITTLE_ENDIAN);
                if (pcapng) {
                    while ((b.position() & 3) != 0) {
                        b.put((byte) 0);
                    }
                    b.putInt(32 + ((frame + 3) & ~3));
                }
                out.write(b.array(), 0, b.position());
                written += b.position();
                ts += 10;
            }
        }
        System.out.printf("wrote %s: %,d bytes in %.1f s%n", file, Files.size(file), (System.nanoTime() - start) / 1e9);
    }
}
