package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input never throws out of the decryptor: every corpus stream with bytes flipped, cut,
 * inserted or dropped (with and without {@code gap}), and random bytes. Each connection reports
 * at most one failure.
 */
class TlsMutationTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.plainsight.offline.tls.TlsCorpusTest#cases")
    void mutatedStreams(String name, String fixture, TlsCorpusTest.KeySetup setup) throws IOException {
        List<Segments.Chunk> chunks = Segments.load(fixture).chunks();
        long total = chunks.stream().mapToLong(c -> c.bytes().length).sum();
        int iterations = total > 100_000 ? 4 : 40;
        Random random = new Random(name.hashCode());
        for (int i = 0; i < iterations; i++) {
            List<Segments.Chunk> mutated = new ArrayList<>(chunks);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(mutated.size());
                Segments.Chunk c = mutated.get(at);
                if (c.bytes() == null || c.bytes().length == 0) {
                    continue;
                }
                byte[] b = c.bytes().clone();
                switch (random.nextInt(4)) {
                    case 0 -> {
                        for (int k = 0; k < 1 + random.nextInt(8); k++) {
                            b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                        }
                    }
                    case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
                    case 2 -> {
                        byte[] junk = new byte[1 + random.nextInt(40)];
                        random.nextBytes(junk);
                        b = SyntheticTls.concat(java.util.Arrays.copyOf(b, b.length / 2), junk,
                                java.util.Arrays.copyOfRange(b, b.length / 2, b.length));
                    }
                    default -> b = null; // dropped
                }
                if (b == null) {
                    mutated.set(at, new Segments.Chunk(c.frame(), c.timestampMicros(), c.stream(), c.fromClient(), null));
                } else {
                    mutated.set(at, new Segments.Chunk(c.frame(), c.timestampMicros(), c.stream(), c.fromClient(), b));
                }
            }
            boolean announceGaps = random.nextBoolean();
            DecryptionKeys keys = new DecryptionKeys();
            setup.before(0, keys);
            Map<Integer, TlsStreamDecryptor> decryptors = new HashMap<>();
            Map<Integer, Recorder> recorders = new HashMap<>();
            for (Segments.Chunk c : mutated) {
                TlsStreamDecryptor d = decryptors.computeIfAbsent(c.stream(), s -> {
                    Recorder r = new Recorder();
                    recorders.put(s, r);
                    return new TlsStreamDecryptor(s, keys, r);
                });
                if (c.bytes() == null) {
                    if (announceGaps) {
                        d.gap(c.fromClient(), 100);
                    }
                    continue;
                }
                int pos = 0;
                while (pos < c.bytes().length) {
                    int n = Math.min(c.bytes().length - pos, 1 + random.nextInt(3000));
                    d.data(c.fromClient(), c.timestampMicros(), Unpooled.wrappedBuffer(c.bytes(), pos, n));
                    pos += n;
                }
            }
            decryptors.values().forEach(d -> d.end(0));
            for (Recorder r : recorders.values()) {
                assertThat(r.failures).as("%s iteration %d", name, i).hasSizeLessThanOrEqualTo(1);
                assertThat(r.failures).noneMatch(f -> f.startsWith("internal error"));
            }
        }
    }

    @Test
    void randomBytes() throws IOException {
        Random random = new Random(42);
        DecryptionKeys keys = new DecryptionKeys();
        Streams.keyLog(keys, "keys/tls13-rfc8446.keys");
        byte[] hello = Streams.direction(Streams.stream("tls13-rfc8446", 0), true);
        for (int i = 0; i < 500; i++) {
            Recorder r = new Recorder();
            TlsStreamDecryptor d = new TlsStreamDecryptor(i, keys, r);
            if (i % 2 == 0) { // a real ClientHello first, then noise
                d.data(true, 0, Unpooled.wrappedBuffer(hello, 0, 5 + (((hello[3] & 0xff) << 8) | (hello[4] & 0xff))));
            }
            for (int k = 0; k < 20; k++) {
                byte[] junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
                if (random.nextInt(3) == 0 && junk.length > 5) { // plausible record headers
                    junk[0] = (byte) (20 + random.nextInt(5));
                    junk[1] = 3;
                    junk[2] = (byte) random.nextInt(5);
                }
                d.data(random.nextBoolean(), k, Unpooled.wrappedBuffer(junk));
            }
            d.end(99);
            assertThat(r.failures).hasSizeLessThanOrEqualTo(1).noneMatch(f -> f.startsWith("internal error"));
        }
    }

    @Test
    void aListenerThatThrowsStopsTheDecryptor() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> Streams.keyLog(k, "keys/http2-data-reassembly.keys"));
        int[] calls = {0};
        TlsListener throwing = new TlsListener() {
            @Override
            public void handshake(TlsHandshakeInfo info) {}

            @Override
            public void plaintext(boolean fromClient, long timestampMicros, ByteBuf data) {
                calls[0]++;
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void failed(String reason) {
                throw new AssertionError(reason);
            }
        };
        TlsStreamDecryptor d = new TlsStreamDecryptor(1, keys, throwing);
        List<Segments.Chunk> chunks = Streams.stream("http2-data-reassembly", 0);
        boolean thrown = false;
        for (Segments.Chunk c : chunks) {
            if (!thrown) {
                try {
                    d.data(c.fromClient(), 0, Unpooled.wrappedBuffer(c.bytes()));
                } catch (IllegalStateException e) {
                    assertThat(e).hasMessage("listener bug");
                    thrown = true;
                }
            } else {
                d.data(c.fromClient(), 0, Unpooled.wrappedBuffer(c.bytes())); // ignored
            }
        }
        d.end(1);
        assertThat(thrown).isTrue();
        assertThat(calls[0]).isEqualTo(1);
    }
}
