package io.plainsight.http;

import static io.plainsight.http.Fixtures.buf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BodyScannerTest {
    private static final String NEXT = "GET /next HTTP/1.1\r\n\r\n";

    /** Feeds {@code wire} to a scanner in the given slices; returns the shares the scanner claimed. */
    static List<Integer> feed(BodyScanner s, String wire, int[] cuts) throws Http1ParseException {
        // the slices sit after 7 junk bytes, and the buffer's indexes must not move
        ByteBuf b = buf("JUNK..." + wire);
        b.readerIndex(2);
        List<Integer> shares = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : wire.length();
            if (to < from) {
                continue;
            }
            int share = s.scan(b, 7 + from, to - from);
            assertThat(share).isBetween(0, to - from);
            shares.add(share);
            assertThat(b.readerIndex()).isEqualTo(2);
            assertThat(b.writerIndex()).isEqualTo(7 + wire.length());
            if (s.isComplete()) {
                break;
            }
            assertThat(share).as("an incomplete body takes the whole slice").isEqualTo(to - from);
            from = to;
        }
        return shares;
    }

    /** Every way of slicing used by the tests: whole, every 2-way split, one byte at a time, random slices. */
    static List<int[]> slicings(int n, long seed) {
        List<int[]> out = new ArrayList<>();
        out.add(new int[0]);
        for (int k = 0; k <= n; k++) {
            out.add(new int[] {k});
        }
        int[] each = new int[n];
        for (int k = 0; k < n; k++) {
            each[k] = k + 1;
        }
        out.add(each);
        Random r = new Random(seed);
        for (int t = 0; t < 200; t++) {
            List<Integer> cuts = new ArrayList<>();
            int at = 0;
            while (at < n) {
                at += 1 + r.nextInt(Math.max(1, n / 3));
                cuts.add(Math.min(at, n));
            }
            out.add(cuts.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** The body alone, and followed by the next message, under every slicing: exactly its bytes are claimed. */
    static void assertBody(BodyFraming framing, String body, String data) throws Http1ParseException {
        for (String after : List.of("", NEXT)) {
            String wire = body + after;
            for (int[] cuts : slicings(wire.length(), body.hashCode())) {
                BodyScanner s = new BodyScanner(framing);
                List<Integer> shares = feed(s, wire, cuts);
                assertThat(shares.stream().mapToInt(Integer::intValue).sum()).isEqualTo(body.length());
                assertThat(s.isComplete()).isTrue();
                assertThat(s.wireBytes()).isEqualTo(body.length());
                assertThat(s.dataBytes()).isEqualTo(data.length());
                assertThat(s.scan(buf("more"), 0, 4)).isZero();
            }
        }
        // one byte at a time: complete on the last byte, not before
        BodyScanner s = new BodyScanner(framing);
        ByteBuf b = buf(body);
        for (int i = 0; i < body.length(); i++) {
            assertThat(s.isComplete()).as("before byte %d", i).isFalse();
            assertThat(s.scan(b, i, 1)).isOne();
        }
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void chunkedWithExtensionAndTrailer() throws Exception {
        assertBody(BodyFraming.chunked(), Fixtures.CHUNKED_BODY, Fixtures.CHUNKED_DATA);
    }

    @Test
    void chunkedForms() throws Exception {
        assertBody(BodyFraming.chunked(), "5\r\nhello\r\n0\r\n\r\n", "hello");
        assertBody(BodyFraming.chunked(), "0\r\n\r\n", "");
        assertBody(BodyFraming.chunked(), "000A\r\n0123456789\r\n1\r\n!\r\n0000\r\n\r\n", "0123456789!");
        assertBody(BodyFraming.chunked(), "a\r\nabcdefghij\r\nF\r\n0123456789abcde\r\n0\r\n\r\n", "abcdefghij0123456789abcde");
        assertBody(BodyFraming.chunked(), "5 \t;a=b ; c=\"d e\"\r\nhello\r\n0;last\r\n\r\n", "hello");
        assertBody(BodyFraming.chunked(), "5;\u00e9t\u00e9\r\nhello\r\n0 \r\n\r\n", "hello");
        assertBody(BodyFraming.chunked(), "0\r\nA: b\r\nC:d\r\nEmpty:\r\nX-Ctl: \u0001\u00ff\r\n\r\n", "");
        assertBody(BodyFraming.chunked(), "0000000000000000000000000001\r\nx\r\n0\r\n\r\n", "x");
        // data may hold anything, CRLFs and chunk-like text included
        assertBody(BodyFraming.chunked(), "7\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n", "0\r\n\r\n\r\n");
    }

    @Test
    void chunkedWithBareLfLineEnds() throws Exception {
        assertBody(BodyFraming.chunked(), "5\nhello\n0\n\n", "hello");
        assertBody(BodyFraming.chunked(), "5;x=y\nhello\r\n3\r\nabc\n0\nT: v\n\r\n", "helloabc");
    }

    @Test
    void lengthBodies() throws Exception {
        assertBody(BodyFraming.ofLength(3), "x=1", "x=1");
        assertBody(BodyFraming.ofLength(1), "\n", "\n");
        BodyScanner zero = new BodyScanner(BodyFraming.ofLength(0));
        assertThat(zero.isComplete()).isTrue();
        assertThat(zero.scan(buf(NEXT), 0, NEXT.length())).isZero();
        assertThat(zero.wireBytes()).isZero();
    }

    @Test
    void noBody() throws Exception {
        BodyScanner s = new BodyScanner(BodyFraming.none());
        assertThat(s.isComplete()).isTrue();
        assertThat(s.scan(buf(NEXT), 0, NEXT.length())).isZero();
        assertThat(s.wireBytes()).isZero();
        assertThat(s.dataBytes()).isZero();
    }

    @Test
    void untilCloseAndTunnelTakeEverythingAndNeverComplete() throws Exception {
        for (BodyFraming f : List.of(BodyFraming.untilClose(), BodyFraming.tunnel())) {
            BodyScanner s = new BodyScanner(f);
            assertThat(s.isComplete()).isFalse();
            ByteBuf b = buf(Fixtures.CHUNKED_BODY + NEXT);
            assertThat(s.scan(b, 0, 10)).isEqualTo(10);
            assertThat(s.scan(b, 10, b.readableBytes() - 10)).isEqualTo(b.readableBytes() - 10);
            assertThat(s.scan(b, 0, 0)).isZero();
            assertThat(s.isComplete()).isFalse();
            assertThat(s.wireBytes()).isEqualTo(b.readableBytes());
            assertThat(s.dataBytes()).isEqualTo(b.readableBytes());
        }
    }

    @Test
    void pipelinedBodiesInOneBuffer() throws Exception {
        String first = "3\r\nabc\r\n0\r\n\r\n";
        String second = "4\nwxyz\n0\nA:b\n\n";
        ByteBuf b = buf(first + "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi" + second);
        BodyScanner one = new BodyScanner(BodyFraming.chunked());
        assertThat(one.scan(b, 0, b.readableBytes())).isEqualTo(first.length());
        int headAt = first.length();
        ByteBuf rest = b.slice(headAt, b.readableBytes() - headAt);
        Http1Head head = Http1HeadParser.parseRequest(rest, 1024);
        BodyScanner two = new BodyScanner(BodyFraming.forRequest(head));
        int bodyAt = headAt + head.length();
        assertThat(two.scan(b, bodyAt, b.writerIndex() - bodyAt)).isEqualTo(2);
        BodyScanner three = new BodyScanner(BodyFraming.chunked());
        assertThat(three.scan(b, bodyAt + 2, b.writerIndex() - bodyAt - 2)).isEqualTo(second.length());
        assertThat(three.dataBytes()).isEqualTo(4);
    }

    @Test
    void hugeChunkSizesAreScannedIncrementally() throws Exception {
        BodyScanner s = new BodyScanner(BodyFraming.chunked());
        String size = "7fffffffffffffff\r\n";
        assertThat(s.scan(buf(size), 0, size.length())).isEqualTo(size.length());
        ByteBuf mib = Unpooled.wrappedBuffer(new byte[1 << 20]);
        for (int i = 0; i < 64; i++) {
            assertThat(s.scan(mib, 0, mib.capacity())).isEqualTo(1 << 20);
        }
        assertThat(s.isComplete()).isFalse();
        assertThat(s.dataBytes()).isEqualTo(64L << 20);
        assertThat(s.wireBytes()).isEqualTo(size.length() + (64L << 20));
    }

    @Test
    void oneMebibyteChunk() throws Exception {
        byte[] data = new byte[(1 << 20) + 7];
        new Random(1).nextBytes(data);
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(Fixtures.bytes(Integer.toHexString(data.length) + "\r\n"));
        wire.writeBytes(data);
        wire.writeBytes(Fixtures.bytes("\r\n0\r\n\r\n" + NEXT));
        int body = wire.readableBytes() - NEXT.length();
        BodyScanner s = new BodyScanner(BodyFraming.chunked());
        int taken = 0;
        Random r = new Random(2);
        while (!s.isComplete()) {
            int n = Math.min(1 + r.nextInt(70_000), wire.writerIndex() - taken);
            int share = s.scan(wire, taken, n);
            taken += share;
        }
        assertThat(taken).isEqualTo(body);
        assertThat(s.dataBytes()).isEqualTo(data.length);
        assertThat(s.wireBytes()).isEqualTo(body);
    }

    static Stream<Arguments> malformedChunked() {
        return Stream.of(
                Arguments.of("\r\n", "empty chunk size", 0),
                Arguments.of("\n", "empty chunk size", 0),
                Arguments.of("g\r\n", "invalid character 0x67 in chunk size", 0),
                Arguments.of("-1\r\n", "invalid character 0x2D in chunk size", 0),
                Arguments.of(" 5\r\n", "invalid character 0x20 in chunk size", 0),
                Arguments.of("0x5\r\n", "invalid character 0x78 in chunk size", 1),
                Arguments.of("5x\r\n", "invalid character 0x78 in chunk size", 1),
                Arguments.of("5 x\r\n", "invalid character 0x78 after chunk size", 2),
                Arguments.of("5 6\r\n", "invalid character 0x36 after chunk size", 2),
                Arguments.of("5\rx", "CR not followed by LF in chunk size line", 2),
                Arguments.of("5;a\rb\r\n", "CR not followed by LF in chunk size line", 4),
                Arguments.of("5;a\u0000\r\n", "invalid character 0x00 in chunk extension", 3),
                Arguments.of("5;a\u007f\r\n", "invalid character 0x7F in chunk extension", 3),
                Arguments.of("8000000000000000\r\n", "chunk size overflows 63 bits", 15),
                Arguments.of("10000000000000000\r\n", "chunk size overflows 63 bits", 16),
                Arguments.of("ffffffffffffffffffff\r\n", "chunk size overflows 63 bits", 15),
                Arguments.of("5\r\nhelloX", "chunk data not followed by CRLF (found 0x58)", 8),
                Arguments.of("5\r\nhello0\r\n\r\n", "chunk data not followed by CRLF (found 0x30)", 8),
                Arguments.of("5\r\nhello\rX", "chunk data not followed by CRLF (found CR 0x58)", 9),
                Arguments.of("2\r\nhello\r\n", "chunk data not followed by CRLF (found 0x6C)", 5),
                Arguments.of("0\r\n X: y\r\n\r\n", "trailer line 1: starts with whitespace (obs-fold continuation line)", 3),
                Arguments.of("0\r\nA: b\r\n\tc\r\n\r\n", "trailer line 2: starts with whitespace (obs-fold continuation line)", 9),
                Arguments.of("0\r\nX : y\r\n\r\n", "trailer line 1: whitespace in field name", 4),
                Arguments.of("0\r\nX\r\n\r\n", "trailer line 1: missing colon", 4),
                Arguments.of("0\r\nX\n\n", "trailer line 1: missing colon", 4),
                Arguments.of("0\r\n: y\r\n\r\n", "trailer line 1: empty field name", 3),
                Arguments.of("0\r\nA: b\r\nX\u0000: y\r\n\r\n", "trailer line 2: invalid character 0x00 in field name", 10),
                Arguments.of("0\r\n(A: b\r\n\r\n", "trailer line 1: invalid character 0x28 in field name", 3),
                Arguments.of("0\r\nA: b\u0000\r\n\r\n", "trailer line 1: NUL in field value", 7),
                Arguments.of("0\r\nA: b\rc\r\n\r\n", "trailer line 1: CR in field value", 7),
                Arguments.of("0\r\n\rX", "CR not followed by LF at the end of the chunked body", 4));
    }

    @ParameterizedTest
    @MethodSource("malformedChunked")
    void malformedChunkedIsRejectedWithItsBodyOffset(String body, String problem, int offset) throws Exception {
        String message = problem + " (offset " + offset + ")";
        for (int[] cuts : slicings(body.length(), 7)) {
            BodyScanner s = new BodyScanner(BodyFraming.chunked());
            Http1ParseException e = catchThrowableOfType(Http1ParseException.class, () -> feed(s, body, cuts));
            assertThat(e).as("slicing %s", java.util.Arrays.toString(cuts)).isNotNull().hasMessage(message);
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.problem()).isEqualTo(problem);
            // the scanner is spent
            assertThatThrownBy(() -> s.scan(buf("0\r\n\r\n"), 0, 5)).isSameAs(e);
        }
    }

    @Test
    void chunkSizeLineLengthIsCapped() throws Exception {
        String ok = "5;" + "e".repeat(BodyScanner.DEFAULT_MAX_LINE - 2) + "\r\nhello\r\n0\r\n\r\n";
        assertBodyOnce(new BodyScanner(BodyFraming.chunked()), ok);
        String tooLong = "5;" + "e".repeat(BodyScanner.DEFAULT_MAX_LINE - 1) + "\r\n";
        assertThat(catchThrowableOfType(Http1ParseException.class,
                () -> new BodyScanner(BodyFraming.chunked()).scan(buf(tooLong), 0, tooLong.length())))
                .hasMessage("chunk size line longer than 4096 bytes (offset 4096)");
        String zeros = "0".repeat(5000) + "1\r\n";
        assertThat(catchThrowableOfType(Http1ParseException.class,
                () -> new BodyScanner(BodyFraming.chunked()).scan(buf(zeros), 0, zeros.length())))
                .hasMessage("chunk size line longer than 4096 bytes (offset 4096)");
        BodyScanner small = new BodyScanner(BodyFraming.chunked(), 8, 100);
        assertThat(catchThrowableOfType(Http1ParseException.class, () -> small.scan(buf("1   ;abcd\r\n"), 0, 11)))
                .hasMessage("chunk size line longer than 8 bytes (offset 8)");
    }

    @Test
    void trailerSectionIsCapped() throws Exception {
        String trailers = "0\r\nA: " + "v".repeat(20) + "\r\n\r\n"; // trailer section: 25 + 2 bytes
        assertBodyOnce(new BodyScanner(BodyFraming.chunked(), 100, 27), trailers);
        BodyScanner s = new BodyScanner(BodyFraming.chunked(), 100, 26);
        assertThat(catchThrowableOfType(Http1ParseException.class, () -> s.scan(buf(trailers), 0, trailers.length())))
                .hasMessage("trailer section longer than 26 bytes (offset 29)");
    }

    private static void assertBodyOnce(BodyScanner s, String body) throws Http1ParseException {
        ByteBuf b = buf(body + NEXT);
        assertThat(s.scan(b, 0, b.readableBytes())).isEqualTo(body.length());
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new BodyScanner(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new BodyScanner(BodyFraming.chunked()).scan(buf("x"), 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyScanner(BodyFraming.chunked()).scan(buf("5"), 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
