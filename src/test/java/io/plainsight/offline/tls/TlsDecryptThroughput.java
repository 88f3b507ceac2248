package io.plainsight.offline.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Prints the decryptor's throughput on one thread (so per core), in MB/s (10^6 bytes) of TLS
 * ciphertext: a synthetic TLS 1.2 connection carrying 64 MiB server->client in full 16 KiB
 * records, per cipher, delivered in 64 KiB pieces (large reassembled segments) and in 1448-byte
 * pieces (one Ethernet segment each: every record then spans calls and is copied once). A
 * measurement, not a test: run it by hand with the test classpath (arguments: MiB per connection,
 * rounds, and optionally the suites' hex code points, comma-separated), e.g.
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.plainsight.offline.tls.TlsDecryptThroughput}
 * (cp.txt from {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class TlsDecryptThroughput {
    private TlsDecryptThroughput() {}

    public static void main(String[] args) throws IOException {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] suites = {0xc02f, 0xcca8, 0x002f, 0xc030};
        if (args.length > 2) { // only these suites (hex code points)
            suites = java.util.Arrays.stream(args[2].split(",")).mapToInt(x -> Integer.parseInt(x, 16)).toArray();
        }
        List<Case> cases = new ArrayList<>();
        for (int s : suites) {
            cases.add(new Case(s, mib));
        }
        java.util.Map<String, Double> best = new java.util.LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) { // the first rounds warm the JIT up
            for (Case c : cases) {
                for (int piece : new int[] {65536, 1448}) {
                    best.merge(String.format("%-42s %6d-byte pieces", c.tls.suite.name(), piece), c.measure(piece, round),
                            Math::max);
                }
            }
        }
        System.out.println("best of " + rounds + " rounds (the machine may be shared: the best round is the least disturbed):");
        best.forEach((k, v) -> System.out.printf("  %s: %8.1f MB/s of ciphertext per core%n", k, v));
    }

    private static final class Case {
        final SyntheticTls tls;
        final byte[] client;
        final byte[] server;
        final DecryptionKeys keys = new DecryptionKeys();

        Case(int suite, int mib) throws IOException {
            tls = new SyntheticTls(suite, suite);
            tls.applicationData(true, "GET /big HTTP/1.1\r\n\r\n".getBytes());
            byte[] record = new byte[16384];
            new Random(1).nextBytes(record);
            for (int i = 0; i < mib * 64; i++) {
                tls.applicationData(false, record);
            }
            client = tls.client.toByteArray();
            server = tls.server.toByteArray();
            keys.addKeyLog("synthetic", new StringReader(tls.keyLogLine()));
        }

        double measure(int piece, int round) {
            long[] plain = {0};
            TlsListener count = new TlsListener() {
                @Override
                public void handshake(TlsHandshakeInfo info) {}

                @Override
                public void plaintext(boolean fromClient, long timestampMicros, ByteBuf data) {
                    plain[0] += data.readableBytes();
                }

                @Override
                public void failed(String reason) {
                    throw new AssertionError(reason);
                }
            };
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                    .getThreadMXBean();
            long allocatedBefore = mx.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            TlsStreamDecryptor d = new TlsStreamDecryptor(1, keys, count);
            ByteBuf c = Unpooled.wrappedBuffer(client);
            d.data(true, 0, c);
            ByteBuf view = Unpooled.wrappedBuffer(server);
            for (int off = 0; off < server.length; off += piece) {
                d.data(false, 1, view.slice(off, Math.min(piece, server.length - off)));
            }
            d.end(2);
            double seconds = (System.nanoTime() - start) / 1e9;
            long allocated = mx.getCurrentThreadAllocatedBytes() - allocatedBefore;
            double mb = (client.length + server.length) / 1e6;
            long records = plain[0] / 16384;
            System.out.printf("round %d  %-42s %6d-byte pieces: %8.1f MB/s of ciphertext, %5.0f bytes allocated per record "
                    + "(%d MB plaintext)%n", round, tls.suite.name(), piece, mb / seconds, (double) allocated / records,
                    plain[0] / 1_000_000);
            return mb / seconds;
        }
    }
}
