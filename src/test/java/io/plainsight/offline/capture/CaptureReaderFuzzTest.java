package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Randomized, fixed-seed robustness test of the reader (its coverage-guided counterpart is
 * {@link CaptureReaderJazzerTest}, which reuses {@link Sane} and {@link #drain}): valid captures
 * mutated by bit flips, interesting 32-bit values written over fields, inserted, deleted and
 * duplicated ranges, truncation and splicing, some gzip-compressed. For every input the reader must
 *
 * <ul>
 *   <li>throw nothing but an {@link IOException} whose message starts with the input's name (in
 *       practice only {@link CaptureFormatException} from {@code open});
 *   <li>advance on every {@code next} that returns true (so it cannot loop), and end;
 *   <li>hand out sane segments: ports and numbers in range, a payload view within its buffer,
 *       packet numbers in file order and not beyond the packets read;
 *   <li>name the input in every warning.
 * </ul>
 *
 * A failing input is written to target/fuzz-failures/ for replay.
 */
class CaptureReaderFuzzTest {
    static final long SEED = 0x5EED_CAFEL;
    static final int ITERATIONS = 6000;
    static final int[] INTERESTING = {0, 1, -1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF, 0x1_0000, 12, 16, 20, 28, 32, 255,
            262_144, 262_145, 0x0A0D0D0A, 0x1A2B3C4D, 0x4D3C2B1A, 0xA1B2C3D4, 0xD4C3B2A1, 6, 10, 4, 8};

    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : FixturesAgreeWithTsharkTest.fixtures()) {
            seeds.add(TestCaptures.resource("fixtures/" + f));
        }
        for (String f : List.of("tls12-dsb.pcapng", "dmgr.pcapng", "rsa-p-lt-q.pcap", "http2-brotli.pcapng")) {
            seeds.add(Files.readAllBytes(WiresharkCorpusTest.capture(f)));
        }
        return seeds;
    }

    @Test
    @Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a loop inside next() would hang here
    void mutatedCapturesNeverBreakTheReader() throws IOException {
        List<byte[]> seeds = seeds();
        Random random = new Random(SEED);
        int formatErrors = 0;
        int withWarnings = 0;
        long segments = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(random, seeds);
            if (random.nextInt(10) == 0) {
                input = TestCaptures.gzip(input);
                if (random.nextBoolean()) {
                    input = BadInputTest.cut(input, random.nextInt(input.length + 1));
                }
            }
            Outcome o = run(input, "fuzz-" + i);
            formatErrors += o.formatError ? 1 : 0;
            withWarnings += o.warnings > 0 ? 1 : 0;
            segments += o.segments;
        }
        // the mutations reach past the file headers: most inputs open, many have warnings, segments come out
        System.out.printf("fuzz: %d inputs, %d not captures, %d with warnings, %d segments%n", ITERATIONS, formatErrors,
                withWarnings, segments);
        assertThat(formatErrors).isLessThan(ITERATIONS / 4);
        assertThat(withWarnings).isGreaterThan(ITERATIONS / 4);
        assertThat(segments).isGreaterThan(ITERATIONS * 5L);
    }

    record Outcome(boolean formatError, int warnings, long segments) {}

    static Outcome run(byte[] input, String name) {
        Sane listener = new Sane(name);
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(input), name, 64)) {
            drain(reader, listener);
            return new Outcome(false, listener.warnings, listener.segments);
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith(name + ": ")) {
                fail(input, name, "IOException without the input's name: " + e);
            }
            if (!(e instanceof CaptureFormatException)) {
                fail(input, name, "an IOException other than CaptureFormatException from a byte array: " + e);
            }
            return new Outcome(true, listener.warnings, listener.segments);
        } catch (RuntimeException | Error e) {
            if (e instanceof AssertionError a && String.valueOf(a.getMessage()).startsWith(name + " (seed")) {
                throw a; // from fail()
            }
            fail(input, name, "threw " + e);
            throw e;
        }
    }

    /**
     * Reads {@code reader} to its end, checking that every {@code next} that returns true has
     * consumed input (so reading cannot loop) and that the end stays the end; throws an
     * {@link AssertionError} otherwise. Also used by {@link CaptureReaderJazzerTest}.
     */
    static void drain(CaptureReader reader, Sane listener) throws IOException {
        long last = reader.position();
        int calls = 0;
        while (reader.next(listener)) {
            long now = reader.position();
            if (now <= last) {
                throw new AssertionError("next() returned true without consuming a byte at " + now);
            }
            last = now;
            if (reader.packets() < listener.lastPacket) {
                throw new AssertionError("segment of packet " + listener.lastPacket + " but only " + reader.packets()
                        + " packets read");
            }
            if (++calls > 50_000_000) {
                throw new AssertionError("too many records");
            }
        }
        if (reader.next(listener)) {
            throw new AssertionError("next() true after the end");
        }
    }

    /** Checks what the reader hands out (also used by {@link CaptureReaderJazzerTest}). */
    static class Sane implements CaptureListener {
        final String name;
        int warnings;
        long segments;
        /** The packet number of the last segment: they come in file order. */
        long lastPacket;

        Sane(String name) {
            this.name = name;
        }

        @Override
        public void segment(TcpSegment s) {
            segments++;
            if (s.srcPort() < 0 || s.srcPort() > 65535 || s.dstPort() < 0 || s.dstPort() > 65535 || s.seq() < 0
                    || s.seq() > 0xFFFF_FFFFL || s.ack() < 0 || s.ack() > 0xFFFF_FFFFL || s.flags() < 0 || s.flags() > 0x1FF
                    || s.window() < 0 || s.window() > 65535 || s.packetNumber() < 1 || s.src() == null || s.dst() == null
                    || s.src().getClass() != s.dst().getClass()) {
                throw new AssertionError("insane segment " + s);
            }
            if (s.packetNumber() < lastPacket) {
                throw new AssertionError("segment of packet " + s.packetNumber() + " after one of packet " + lastPacket);
            }
            lastPacket = s.packetNumber();
            int n = s.payload().readableBytes();
            byte[] copy = new byte[n];
            s.payload().getBytes(s.payload().readerIndex(), copy); // within bounds, or this throws
        }

        @Override
        public void secrets(int secretsType, byte[] data, long position) {
            if (data == null || position < 0) {
                throw new AssertionError("insane secrets at " + position);
            }
        }

        @Override
        public void skipped(long packetNumber, String reason) {
            if (reason == null || reason.isEmpty()) {
                throw new AssertionError("no reason for packet " + packetNumber);
            }
        }

        @Override
        public void warning(String message) {
            warnings++;
            if (!message.startsWith(name + ": ")) {
                throw new AssertionError("warning without the input's name: " + message);
            }
        }
    }

    static byte[] mutate(Random random, List<byte[]> seeds) {
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(8)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> {
                    int v = INTERESTING[random.nextInt(INTERESTING.length)];
                    at = at & ~3;
                    for (int k = 0; k < 4 && at + k < b.length; k++) {
                        b[at + k] = (byte) (random.nextBoolean() ? v >>> (8 * k) : v >>> (24 - 8 * k));
                    }
                }
                case 2 -> { // insert random bytes
                    byte[] ins = new byte[1 + random.nextInt(64)];
                    random.nextBytes(ins);
                    b = splice(b, at, at, ins);
                }
                case 3 -> b = splice(b, at, Math.min(b.length, at + 1 + random.nextInt(256)), new byte[0]);
                case 4 -> b = Arrays.copyOf(b, at);
                case 5 -> { // duplicate a range
                    int end = Math.min(b.length, at + 1 + random.nextInt(512));
                    b = splice(b, at, at, Arrays.copyOfRange(b, at, end));
                }
                case 6 -> { // splice another capture's tail in
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    b = splice(b, at, b.length, Arrays.copyOfRange(other, random.nextInt(other.length), other.length));
                }
                default -> { // a run of one byte value
                    int end = Math.min(b.length, at + 1 + random.nextInt(32));
                    Arrays.fill(b, at, end, (byte) (random.nextBoolean() ? 0 : 0xFF));
                }
            }
        }
        return b;
    }

    static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    static void fail(byte[] input, String name, String what) {
        try {
            Path dir = Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".cap"), input);
        } catch (IOException e) {
            // the assertion below says what went wrong anyway
        }
        throw new AssertionError(name + " (seed " + Long.toHexString(SEED) + ", kept in target/fuzz-failures): " + what);
    }
}
