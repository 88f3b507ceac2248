package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus again, with the TCP stream bytes handed over in other pieces: one byte at a time
 * (every record and handshake message then spans calls), and random pieces as direct buffers and
 * as heap slices at an offset (the decrypt-in-place path). Plaintext must not depend on the split.
 */
class TlsSplitTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.plainsight.offline.tls.TlsCorpusTest#cases")
    void oneByteAtATime(String name, String fixture, TlsCorpusTest.KeySetup setup) throws IOException {
        StreamsTsv expected = StreamsTsv.load(name);
        TlsCorpusTest.assertMatches(name, expected, TlsCorpusTest.run(Segments.load(fixture), expected, setup, b -> {
            List<ByteBuf> pieces = new ArrayList<>(b.length);
            for (int i = 0; i < b.length; i++) {
                pieces.add(Unpooled.wrappedBuffer(b, i, 1));
            }
            return pieces;
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.plainsight.offline.tls.TlsCorpusTest#cases")
    void randomPiecesDirectAndSliced(String name, String fixture, TlsCorpusTest.KeySetup setup) throws IOException {
        StreamsTsv expected = StreamsTsv.load(name);
        Random random = new Random(name.hashCode());
        TlsCorpusTest.assertMatches(name, expected, TlsCorpusTest.run(Segments.load(fixture), expected, setup, b -> {
            List<ByteBuf> pieces = new ArrayList<>();
            int pos = 0;
            while (pos < b.length) {
                int n = Math.min(b.length - pos, 1 + random.nextInt(random.nextBoolean() ? 40 : 40_000));
                if (random.nextBoolean()) {
                    ByteBuf direct = Unpooled.directBuffer(n);
                    direct.writeBytes(b, pos, n);
                    pieces.add(direct);
                } else {
                    byte[] padded = new byte[n + 7];
                    System.arraycopy(b, pos, padded, 3, n);
                    pieces.add(Unpooled.wrappedBuffer(padded).slice(3, n));
                }
                pos += n;
            }
            return pieces;
        }));
    }

    /**
     * The handshake records before the first ChangeCipherSpec of one direction, re-cut into records
     * of 7 bytes: messages then span records, and records hold the end of one message and the start
     * of the next. Returns the new direction bytes, where the record holding the end of the first
     * message ends, and where the re-cut records end.
     */
    static Object[] refragment(byte[] direction) {
        java.io.ByteArrayOutputStream handshake = new java.io.ByteArrayOutputStream();
        int p = 0;
        int version = 0;
        while (direction[p] == 22) {
            int len = ((direction[p + 3] & 0xff) << 8) | (direction[p + 4] & 0xff);
            version = ((direction[p + 1] & 0xff) << 8) | (direction[p + 2] & 0xff);
            handshake.write(direction, p + 5, len);
            p += 5 + len;
        }
        byte[] hs = handshake.toByteArray();
        int firstMessageEnd = 4 + (((hs[1] & 0xff) << 16) | ((hs[2] & 0xff) << 8) | (hs[3] & 0xff));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int firstRecordsEnd = -1;
        for (int q = 0; q < hs.length; q += 7) {
            int n = Math.min(7, hs.length - q);
            out.write(22);
            out.write(version >> 8);
            out.write(version);
            out.write(0);
            out.write(n);
            out.write(hs, q, n);
            if (firstRecordsEnd < 0 && q + n >= firstMessageEnd) {
                firstRecordsEnd = out.size();
            }
        }
        int handshakeEnd = out.size();
        out.write(direction, p, direction.length - p);
        return new Object[] {out.toByteArray(), firstRecordsEnd, handshakeEnd};
    }

    @org.junit.jupiter.api.Test
    void handshakeMessagesSplitAcrossRecords() throws IOException {
        for (String name : new String[] {"rsa-p-lt-q", "tls12-dsb", "dmgr"}) {
            org.junit.jupiter.params.provider.Arguments a = TlsCorpusTest.cases().filter(c -> c.get()[0].equals(name))
                    .findFirst().orElseThrow();
            List<Segments.Chunk> chunks = Streams.stream(name, 0);
            byte[] c2s = Streams.direction(chunks, true);
            byte[] s2c = Streams.direction(chunks, false);
            Object[] client = refragment(c2s);
            Object[] serverParts = refragment(s2c);
            byte[] server = (byte[]) serverParts[0];
            int serverFlightEnd = (Integer) serverParts[2];
            byte[] newClient = (byte[]) client[0];
            int helloEnd = (Integer) client[1];
            DecryptionKeys keys = new DecryptionKeys();
            ((TlsCorpusTest.KeySetup) a.get()[2]).before(0, keys);
            keys.addKeyLog("dsb 2", new java.io.StringReader(new String(TlsSplitTest.class.getResourceAsStream(
                    "/offline/tls/keys/tls12-dsb-2.keys").readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)));
            Recorder r = new Recorder();
            TlsStreamDecryptor d = new TlsStreamDecryptor(0, keys, r);
            // in protocol order: ClientHello, the server's flight, the client's, the server's CCS and the rest
            d.data(true, 1, Unpooled.wrappedBuffer(newClient, 0, helloEnd));
            d.data(false, 2, Unpooled.wrappedBuffer(server, 0, serverFlightEnd));
            d.data(true, 3, Unpooled.wrappedBuffer(newClient, helloEnd, newClient.length - helloEnd));
            d.data(false, 4, Unpooled.wrappedBuffer(server, serverFlightEnd, server.length - serverFlightEnd));
            d.end(5);
            StreamsTsv.Row row = StreamsTsv.load(name).rows().get(0);
            assertThat(r.failures).as(name + ": " + r.events).isEmpty();
            assertThat(r.c2s.sha256()).as(name).isEqualTo(row.c2sSha256());
            assertThat(r.s2c.sha256()).as(name).isEqualTo(row.s2cSha256());
            assertThat(r.handshakes).as(name).hasSize(1);
        }
    }
}
