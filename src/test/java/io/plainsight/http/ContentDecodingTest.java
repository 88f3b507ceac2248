package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.http.ContentDecoding.Decoded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentDecodingTest {
    private static final int MAX = 1024 * 1024;

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ContentDecodingTest.class.getResourceAsStream("/content-encoding/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static byte[] text() throws IOException {
        return resource("text.txt");
    }

    @ParameterizedTest
    @CsvSource({
        "gzip, text.gz",
        "x-gzip, text.gz",
        "GZip, text.gz",
        "gzip, text.concat.gz",
        "deflate, text.zlib",
        "deflate, text.rawdeflate",
        "br, text.br",
        "zstd, text.zst",
        "'gzip, br', text.gz.br",
        "' gzip ,br ', text.gz.br",
        "'identity, gzip', text.gz",
    })
    void decodesFixturesMadeByTheCommandLineTools(String coding, String file) throws IOException {
        Decoded d = ContentDecoding.decode(coding, resource(file), MAX);
        assertThat(d.error()).isNull();
        assertThat(d.truncated()).isFalse();
        assertThat(d.bytes()).isEqualTo(text());
    }

    @ParameterizedTest
    @CsvSource(value = {"NULL", "''", "identity", "none", "' , identity'"}, nullValues = "NULL")
    void identityLeavesTheBytes(String coding) {
        byte[] body = "as sent".getBytes(StandardCharsets.US_ASCII);
        Decoded d = ContentDecoding.decode(coding, body, MAX);
        assertThat(d).isEqualTo(new Decoded(d.bytes(), false, null));
        assertThat(d.bytes()).isEqualTo(body).isNotSameAs(body);
    }

    @Test
    void identityIsBoundedToo() {
        Decoded d = ContentDecoding.decode(null, "0123456789".getBytes(StandardCharsets.US_ASCII), 4);
        assertThat(new String(d.bytes(), StandardCharsets.US_ASCII)).isEqualTo("0123");
        assertThat(d.truncated()).isTrue();
        assertThat(d.error()).isNull();
    }

    @Test
    void unknownCodingLeavesTheBytesWithAnError() throws IOException {
        byte[] gz = resource("text.gz");
        for (String coding : new String[] {"compress", "gzip, compress", "compress, gzip"}) {
            Decoded d = ContentDecoding.decode(coding, gz, MAX);
            assertThat(d.error()).isEqualTo("unsupported content-coding 'compress'");
            assertThat(d.bytes()).isEqualTo(gz);
            assertThat(d.truncated()).isFalse();
        }
        assertThat(ContentDecoding.decode("X-Snappy", gz, MAX).error()).isEqualTo("unsupported content-coding 'X-Snappy'");
    }

    @Test
    void anEmptyBodyIsEmptyWhateverTheCoding() {
        for (String coding : new String[] {"gzip, br", "zstd", "deflate"}) {
            Decoded d = ContentDecoding.decode(coding, new byte[0], MAX);
            assertThat(d.bytes()).isEmpty();
            assertThat(d.error()).isNull();
            assertThat(d.truncated()).isFalse();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "gzip, text.gz",
        "deflate, text.zlib",
        "deflate, text.rawdeflate",
        "br, text.br",
        "zstd, text.zst",
        "'gzip, br', text.gz.br",
    })
    void outputStopsAtMaxOut(String coding, String file) throws IOException {
        byte[] text = text();
        for (int max : new int[] {0, 1, 100, text.length - 1}) {
            Decoded d = ContentDecoding.decode(coding, resource(file), max);
            assertThat(d.error()).isNull();
            assertThat(d.truncated()).as("max %d", max).isTrue();
            assertThat(d.bytes()).isEqualTo(Arrays.copyOf(text, max));
        }
        Decoded exact = ContentDecoding.decode(coding, resource(file), text.length);
        assertThat(exact.truncated()).as("a body exactly maxOut long is whole").isFalse();
        assertThat(exact.bytes()).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({
        "gzip, text.gz, gzip, true",
        "gzip, text.concat.gz, gzip, true",
        "deflate, text.zlib, deflate, true",
        "deflate, text.rawdeflate, deflate, true",
        "zstd, text.zst, zstd, false",
    })
    void aCutShortStreamGivesTheBytesDecodedSoFar(String coding, String file, String failing, boolean streams)
            throws IOException {
        byte[] whole = resource(file);
        byte[] text = text();
        for (int cut : new int[] {whole.length / 2, whole.length - 1}) {
            Decoded d = ContentDecoding.decode(coding, Arrays.copyOf(whole, cut), MAX);
            assertThat(d.error()).as("cut at %d", cut).startsWith("truncated " + failing + " data: ");
            assertThat(d.truncated()).isFalse();
            assertThat(d.bytes().length).isLessThanOrEqualTo(text.length);
            assertThat(d.bytes()).isEqualTo(Arrays.copyOf(text, d.bytes().length));
        }
        if (!streams) {
            return; // zstd decodes whole blocks (128 KiB): this stream's only block is cut
        }
        // deflate decodes symbol by symbol: what three quarters of the stream hold comes out before the error
        Decoded most = ContentDecoding.decode(coding, Arrays.copyOf(whole, whole.length * 3 / 4), MAX);
        assertThat(most.bytes().length).isGreaterThan(text.length / 3);
        assertThat(most.bytes()).isEqualTo(Arrays.copyOf(text, most.bytes().length));
    }

    /**
     * The brotli decoder (org.brotli:dec 0.1.2) reads past the end of its input as zero bits, so a cut
     * stream fails as corrupt, and it writes out a meta-block only when it is complete.
     */
    @ParameterizedTest
    @CsvSource({"br, text.br", "'gzip, br', text.gz.br"})
    void aCutShortBrotliStreamIsAnError(String coding, String file) throws IOException {
        byte[] whole = resource(file);
        byte[] text = text();
        for (int cut : new int[] {1, whole.length / 2, whole.length - 1}) {
            Decoded d = ContentDecoding.decode(coding, Arrays.copyOf(whole, cut), MAX);
            assertThat(d.error()).as("cut at %d", cut).matches("(truncated|invalid) br data: .+");
            assertThat(d.truncated()).isFalse();
            assertThat(d.bytes()).isEqualTo(Arrays.copyOf(text, d.bytes().length));
        }
    }

    @Test
    void corruptDataNamesTheCodingAndTheCause() throws IOException {
        assertThat(ContentDecoding.decode("gzip", "not gzip at all".getBytes(StandardCharsets.US_ASCII), MAX).error())
                .isEqualTo("invalid gzip data: Not in GZIP format");
        assertThat(ContentDecoding.decode("zstd", "not zstd at all".getBytes(StandardCharsets.US_ASCII), MAX).error())
                .startsWith("invalid zstd data: ");
        assertThat(ContentDecoding.decode("br", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}, MAX).error())
                .startsWith("invalid br data: ");
        // a wrong CRC: every byte decoded, then the trailer does not match
        byte[] gz = resource("text.gz");
        gz[gz.length - 6] ^= 1;
        Decoded crc = ContentDecoding.decode("gzip", gz, MAX);
        assertThat(crc.error()).isEqualTo("invalid gzip data: Corrupt GZIP trailer");
        assertThat(crc.bytes()).isEqualTo(text());
        // a zlib stream with a wrong Adler-32
        byte[] zlib = resource("text.zlib");
        zlib[zlib.length - 1] ^= 1;
        assertThat(ContentDecoding.decode("deflate", zlib, MAX).error()).isEqualTo("invalid deflate data: incorrect data check");
        // a zlib stream that wants a preset dictionary (RFC 1950 FDICT): HTTP has no way to give one
        Deflater withDictionary = new Deflater();
        withDictionary.setDictionary("plainsight".getBytes(StandardCharsets.US_ASCII));
        withDictionary.setInput(text());
        withDictionary.finish();
        byte[] dictionaryStream = new byte[20_000];
        int n = withDictionary.deflate(dictionaryStream);
        withDictionary.end();
        assertThat(ContentDecoding.decode("deflate", Arrays.copyOf(dictionaryStream, n), MAX).error())
                .isEqualTo("invalid deflate data: the zlib stream needs a preset dictionary");
        // the second coding of a list fails: it is the one named
        byte[] gzBr = resource("text.gz.br");
        Decoded wrongOrder = ContentDecoding.decode("br, gzip", gzBr, MAX);
        assertThat(wrongOrder.error()).isEqualTo("invalid gzip data: Not in GZIP format");
    }

    @Test
    void corruptionInTheMiddleKeepsWhatCameBefore() throws IOException {
        byte[] zst = resource("text.zst");
        byte[] text = text();
        for (int i = 20; i < zst.length - 4; i += 37) {
            byte[] bad = zst.clone();
            bad[i] ^= 0x55;
            Decoded d = ContentDecoding.decode("zstd", bad, MAX);
            if (d.error() != null) {
                assertThat(d.error()).startsWith("invalid zstd data: ");
            }
            assertThat(d.bytes().length).isLessThanOrEqualTo(MAX);
        }
        byte[] gz = resource("text.gz");
        gz[gz.length / 2] ^= 0x55;
        Decoded d = ContentDecoding.decode("gzip", gz, MAX);
        assertThat(d.error()).startsWith("invalid gzip data: ");
        // the blocks before the damaged one decoded as they were (what follows may be garbage)
        assertThat(d.bytes().length).isGreaterThan(1000);
        assertThat(Arrays.copyOf(d.bytes(), 1000)).isEqualTo(Arrays.copyOf(text, 1000));
    }

    @ParameterizedTest
    @CsvSource({"gzip", "br", "zstd", "'gzip, gzip'"})
    void bombsOfOneGibibyteOfZerosStopAtMaxOutWithinBoundedMemory(String coding) throws IOException {
        byte[] bomb = switch (coding) {
            case "gzip" -> gzipOfZeros(1024);
            case "gzip, gzip" -> gzipOfZerosTwice();
            case "br" -> resource("zeros-1g.br");
            default -> resource("zeros-1g.zst");
        };
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Decoded d = ContentDecoding.decode(coding, bomb, MAX);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(d.error()).isNull();
        assertThat(d.truncated()).isTrue();
        assertThat(d.bytes()).hasSize(MAX).containsOnly(0);
        // unbounded decoding would allocate the whole GiB; measured: gzip 2 MiB, br 19 MiB, zstd 26 MiB (their windows)
        assertThat(allocated).as("bytes allocated").isLessThan(48L * 1024 * 1024);
    }

    /**
     * A gzip member holding {@code mebibytes} MiB of zeros, built without compressing them all: a
     * full flush empties the window, so every MiB after it compresses to the same bytes.
     */
    static byte[] gzipOfZeros(int mebibytes) {
        byte[] zeros = new byte[1 << 20];
        Deflater deflater = new Deflater(9, true);
        deflater.setInput(zeros);
        byte[] first = drain(deflater, Deflater.FULL_FLUSH);
        deflater.setInput(zeros);
        byte[] segment = drain(deflater, Deflater.FULL_FLUSH);
        assertThat(segment).as("a full flush makes every MiB compress alike").isEqualTo(first);
        deflater.finish();
        byte[] end = drain(deflater, Deflater.NO_FLUSH);
        deflater.end();
        CRC32 crc = new CRC32();
        for (int i = 0; i < mebibytes; i++) {
            crc.update(zeros);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        for (int i = 0; i < mebibytes; i++) {
            out.writeBytes(segment);
        }
        out.writeBytes(end);
        long c = crc.getValue();
        long size = (long) mebibytes << 20;
        for (long v : new long[] {c, size}) {
            out.writeBytes(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
        }
        return out.toByteArray();
    }

    /** gzip applied twice to 1 GiB of zeros: the outer member is small and inflates to a bomb. */
    static byte[] gzipOfZerosTwice() {
        byte[] inner = gzipOfZeros(1024);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(inner);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] drain(Deflater deflater, int flush) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (true) {
            int n = deflater.deflate(buf, 0, buf.length, flush);
            out.write(buf, 0, n);
            if (n < buf.length && (flush != Deflater.NO_FLUSH ? deflater.needsInput() : deflater.finished())) {
                return out.toByteArray();
            }
        }
    }

    @Test
    void theGzipBombIsAValidGzipOfOneGibibyte() throws IOException {
        // the test's own bomb must be what it claims: decode a 4 MiB one of the same making to its end
        byte[] small = gzipOfZeros(4);
        Decoded d = ContentDecoding.decode("gzip", small, 8 << 20);
        assertThat(d.error()).isNull();
        assertThat(d.truncated()).isFalse();
        assertThat(d.bytes()).hasSize(4 << 20).containsOnly(0);
        assertThat(gzipOfZeros(1024).length).isLessThan(1100 * 1024);
    }
}
