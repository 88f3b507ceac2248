package io.plainsight.http;

import static io.plainsight.http.Fixtures.buf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link BodyScanner.Parts}: the payload without chunk framing, and the trailer section, however the body is sliced. */
class BodyScannerPartsTest {
    private static final String NEXT = "GET /next HTTP/1.1\r\n\r\n";

    /** Collects what a scanner reports, checking each range lies inside the slice being scanned. */
    static final class Collected implements BodyScanner.Parts {
        final StringBuilder payload = new StringBuilder();
        final StringBuilder trailer = new StringBuilder();
        int from;
        int to;

        @Override
        public void payload(ByteBuf buf, int index, int length) {
            check(index, length);
            payload.append(buf.toString(index, length, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void trailer(ByteBuf buf, int index, int length) {
            check(index, length);
            trailer.append(buf.toString(index, length, StandardCharsets.ISO_8859_1));
        }

        private void check(int index, int length) {
            assertThat(length).isPositive();
            assertThat(index).isGreaterThanOrEqualTo(from);
            assertThat(index + length).isLessThanOrEqualTo(to);
        }
    }

    static Collected scan(BodyFraming framing, String wire, int[] cuts) throws Http1ParseException {
        Collected c = new Collected();
        BodyScanner s = new BodyScanner(framing, BodyScanner.DEFAULT_MAX_LINE, 1024, c);
        ByteBuf b = buf(wire);
        int from = 0;
        for (int i = 0; i <= cuts.length && !s.isComplete(); i++) {
            int to = i < cuts.length ? cuts[i] : wire.length();
            if (to < from) {
                continue;
            }
            c.from = from;
            c.to = to;
            s.scan(b, from, to - from);
            from = to;
        }
        return c;
    }

    static void assertParts(BodyFraming framing, String body, String payload, String trailer) throws Http1ParseException {
        String wire = body + NEXT;
        for (int[] cuts : BodyScannerTest.slicings(wire.length(), wire.hashCode())) {
            Collected c = scan(framing, wire, cuts);
            assertThat(c.payload.toString()).isEqualTo(payload);
            assertThat(c.trailer.toString()).isEqualTo(trailer);
        }
    }

    @Test
    void chunkedPayloadAndTrailers() throws Exception {
        assertParts(BodyFraming.chunked(), Fixtures.CHUNKED_BODY, Fixtures.CHUNKED_DATA,
                "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n");
        assertParts(BodyFraming.chunked(), "0\r\n\r\n", "", "\r\n");
        assertParts(BodyFraming.chunked(), "3\nabc\n0\nA:b\nC: d \n\n", "abc", "A:b\nC: d \n\n");
        assertParts(BodyFraming.chunked(), "7\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n", "0\r\n\r\n\r\n", "\r\n");
    }

    @Test
    void lengthPayloadStopsAtTheBody() throws Exception {
        assertParts(BodyFraming.ofLength(5), "hello", "hello", "");
        assertParts(BodyFraming.ofLength(0), "", "", "");
        assertParts(BodyFraming.none(), "", "", "");
    }

    @Test
    void untilCloseTakesEverything() throws Exception {
        Collected c = scan(BodyFraming.untilClose(), "abc" + NEXT, new int[] {1, 5});
        assertThat(c.payload.toString()).isEqualTo("abc" + NEXT);
    }

    @Test
    void brokenChunkedBodyReportsOnlyWhatCameBefore() throws Exception {
        Collected c = new Collected();
        BodyScanner s = new BodyScanner(BodyFraming.chunked(), BodyScanner.DEFAULT_MAX_LINE, 1024, c);
        String wire = "3\r\nabc\r\n2\r\nxyZZ\r\n";
        c.to = wire.length();
        assertThatThrownBy(() -> s.scan(buf(wire), 0, wire.length())).isInstanceOf(Http1ParseException.class)
                .hasMessage("chunk data not followed by CRLF (found 0x5A) (offset 13)");
        assertThat(c.payload.toString()).isEqualTo("abcxy");
        assertThat(c.trailer.toString()).isEmpty();
    }
}
