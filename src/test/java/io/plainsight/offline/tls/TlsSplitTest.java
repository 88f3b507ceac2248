package io.plainsight.offline.tls;

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
}
