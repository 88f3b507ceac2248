package io.plainsight.http;

import static io.plainsight.http.Http2Feeding.decode;
import static io.plainsight.http.Http2Feeding.decodeAllWays;
import static io.plainsight.http.Http2Wire.request;
import static io.plainsight.http.Http2Wire.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Settings;
import io.plainsight.event.Direction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input: one undecodable report per direction with the offset of the frame at fault and a
 * reason a reader understands, the rest of that direction ignored, the other direction still
 * decoded, and never an exception.
 */
class Http2DecoderBadInputTest {

    /** Bytes of one direction in the chunks before chunk {@code index}. */
    static long offsetBefore(List<Http2Wire.Chunk> chunks, Direction d, int index) {
        long n = 0;
        for (int i = 0; i < index; i++) {
            if (chunks.get(i).direction() == d) {
                n += chunks.get(i).bytes().length;
            }
        }
        return n;
    }

    static RecordingListener.Undecodable only(RecordingListener l) {
        assertThat(l.undecodable).hasSize(1);
        RecordingListener.Undecodable u = l.undecodable.get(0);
        assertThat(u.connectionId()).isEqualTo(Http2Feeding.CONNECTION);
        return u;
    }

    @Test
    void anHttp1ClientIsNotHttp2() {
        List<Http2Wire.Chunk> w = new Http2Wire()
                .client(c -> c.raw("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                .server(s -> s.raw("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.exchanges).isEmpty();
        assertThat(l.undecodable).containsExactly(
                new RecordingListener.Undecodable(Http2Feeding.CONNECTION, Direction.CLIENT_TO_SERVER, 0,
                        "not HTTP/2: the client did not send the connection preface (it sent \"G\", an HTTP/1 request?)"),
                new RecordingListener.Undecodable(Http2Feeding.CONNECTION, Direction.SERVER_TO_CLIENT, 0,
                        "not HTTP/2: the server answered in HTTP/1 (\"HTTP/1.1 \")"));
    }

    @Test
    void aPrefaceThatGoesWrongHalfWay() {
        List<Http2Wire.Chunk> w = new Http2Wire()
                .client(c -> c.raw("PRI * HTTP/2.0\r\n\r\nXM\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                .server(s -> s.settings().ping())
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(only(l)).isEqualTo(new RecordingListener.Undecodable(Http2Feeding.CONNECTION,
                Direction.CLIENT_TO_SERVER, 0,
                "not HTTP/2: the client did not send the connection preface (it sent \"PRI * HTTP/2.0\\r\\n\\r\\nX\")"));
    }

    @Test
    void theFirstFrameMustBeSettings() {
        List<Http2Wire.Chunk> w = new Http2Wire()
                .client(c -> c.preface().ping().settings())
                .server(s -> s.settingsAck())
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).extracting(RecordingListener.Undecodable::reason).containsExactly(
                "not HTTP/2: the client's first frame must be SETTINGS, not PING (\"\\x00\\x00\\x08\\x06\\x00\\x00\\x00\\x00\\x00\")",
                "not HTTP/2: the server's first frame must be SETTINGS, not SETTINGS ACK (\"\\x00\\x00\\x00\\x04\\x01\\x00\\x00\\x00\\x00\")");
        assertThat(l.undecodable.get(0).offset()).isEqualTo(24);
    }

    @Test
    void anHpackIndexBeyondTheTableStopsThatDirectionOnly() {
        Http2Wire wire = new Http2Wire().handshake();
        List<Http2Wire.Chunk> w = wire
                .client(c -> c.headers(1, request("GET", "/ok"), true))
                // index 62 + 10: the dynamic table holds fewer entries
                .client(c -> c.frame(Http2FrameTypes.HEADERS, Http2Wire.END_STREAM | Http2Wire.END_HEADERS, 3,
                        new byte[] {(byte) 0x82, (byte) (0x80 | 72)}))
                .client(c -> c.headers(5, request("GET", "/ignored"), true))
                .server(s -> s.headers(1, response(200), false).data(1, "one", true))
                .server(s -> s.headers(3, response(400), false).data(3, "bad", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        RecordingListener.Undecodable u = only(l);
        assertThat(u.direction()).isEqualTo(Direction.CLIENT_TO_SERVER);
        assertThat(u.offset()).isEqualTo(offsetBefore(w, Direction.CLIENT_TO_SERVER, 4));
        assertThat(u.reason()).isEqualTo("HPACK error in the header block of stream 3: HPACK - illegal index value");
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1, 3);
        assertThat(l.stream(1).notes).isEmpty();
        Exchange bad = l.stream(3);
        assertThat(bad.notes).containsExactly("request header block not decoded: HPACK - illegal index value");
        assertThat(bad.request.method).isNull();
        assertThat(bad.request.version).isEqualTo("HTTP/2");
        assertThat(bad.request.startMicros).isEqualTo(w.get(4).micros());
        assertThat(bad.request.complete).as("its HEADERS frame had END_STREAM").isTrue();
        assertThat(bad.response.status).isEqualTo(400);
        assertThat(new String(bad.response.body.bytes(), StandardCharsets.US_ASCII)).isEqualTo("bad");
    }

    @Test
    void anHpackErrorFromTheServerLeavesTheClientSideDecoded() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/a"), true).headers(3, request("POST", "/b"), false))
                // a literal whose value is longer than the block
                .server(s -> s.frame(Http2FrameTypes.HEADERS, Http2Wire.END_HEADERS, 1,
                        new byte[] {0x00, 0x01, 'a', 0x05, 'b'}))
                .client(c -> c.data(3, "upload", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        RecordingListener.Undecodable u = only(l);
        assertThat(u.direction()).isEqualTo(Direction.SERVER_TO_CLIENT);
        assertThat(u.reason())
                .isEqualTo("HPACK error in the header block of stream 1: HPACK - the block ends in the middle of a field");
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1, 3);
        assertThat(l.stream(1).notes).hasSize(2);
        assertThat(l.stream(1).notes.get(0))
                .isEqualTo("response header block not decoded: HPACK - the block ends in the middle of a field");
        assertThat(l.stream(1).notes.get(1))
                .isEqualTo("response missing: the server's bytes could not be decoded from byte " + u.offset());
        assertThat(new String(l.stream(3).request.body.bytes(), StandardCharsets.US_ASCII)).isEqualTo("upload");
        assertThat(l.stream(3).request.complete).isTrue();
    }

    @Test
    void aFrameOverTheMaximumSize() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("POST", "/"), false))
                .client(c -> c.frame(Http2FrameTypes.DATA, 0, 1, new byte[16_385]))
                .server(s -> s.headers(1, response(413), true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        RecordingListener.Undecodable u = only(l);
        assertThat(u.direction()).isEqualTo(Direction.CLIENT_TO_SERVER);
        assertThat(u.offset()).isEqualTo(offsetBefore(w, Direction.CLIENT_TO_SERVER, 4));
        assertThat(u.reason()).isEqualTo(
                "DATA frame of 16385 bytes on stream 1 is over the SETTINGS_MAX_FRAME_SIZE of 16384 for the client");
        Exchange e = l.stream(1);
        assertThat(e.response.status).isEqualTo(413);
        assertThat(e.request.body.size()).isZero();
        assertThat(e.notes).containsExactly("request incomplete: the response ended first");
    }

    @Test
    void aLargerFrameSizeOnlyOnceAnnounced() {
        // the server allows 20,000; a frame of 20,001 is still too large
        List<Http2Wire.Chunk> w = new Http2Wire()
                .client(c -> c.preface().settings())
                .server(s -> s.settings(new Http2Settings().maxFrameSize(20_000)).settingsAck())
                .client(c -> c.settingsAck().headers(1, request("POST", "/"), false)
                        .frame(Http2FrameTypes.DATA, 0, 1, new byte[20_000]).frame(Http2FrameTypes.DATA, 0, 1, new byte[20_001]))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(only(l).reason()).isEqualTo(
                "DATA frame of 20001 bytes on stream 1 is over the SETTINGS_MAX_FRAME_SIZE of 20000 for the client");
        assertThat(l.stream(1).request.body.size()).isEqualTo(20_000);
    }

    @Test
    void aHeaderBlockOverTheHeadLimit() {
        String v = "{|}~".repeat(160); // longer in Huffman code: sent as is
        Http2Wire wire = new Http2Wire().handshake();
        byte[] block = wire.client.block(request("GET", "/").add("x-long", v));
        assertThat(block.length).isBetween(600, 1000);
        List<Http2Wire.Chunk> w = wire
                .client(c -> c.frame(Http2FrameTypes.HEADERS, 0, 1, Http2DecoderTest.slice(block, 0, 300))
                        .frame(Http2FrameTypes.CONTINUATION, 0, 1, Http2DecoderTest.slice(block, 300, 600))
                        .frame(Http2FrameTypes.CONTINUATION, Http2Wire.END_HEADERS, 1,
                                Http2DecoderTest.slice(block, 600, block.length)))
                .chunks();
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2(new DecodeOptions(1024, 500)), w, true);
        assertThat(only(l).reason()).isEqualTo("header block of stream 1 is over the limit of 500 bytes");
        assertThat(only(l).offset()).isEqualTo(offsetBefore(w, Direction.CLIENT_TO_SERVER, 3));
        assertThat(l.exchanges).isEmpty();

        // one frame larger than the limit is refused before it is buffered
        List<Http2Wire.Chunk> one = new Http2Wire().handshake()
                .client(c -> c.frame(Http2FrameTypes.HEADERS, Http2Wire.END_HEADERS, 1, new byte[5000]))
                .chunks();
        RecordingListener l1 = Http2Feeding.decodeAllWays(Http2Feeding.h2(new DecodeOptions(1024, 500)), one, true);
        assertThat(only(l1).reason()).isEqualTo("HEADERS frame of 5000 bytes on stream 1 is over the header block limit of 500 bytes");
    }

    @Test
    void framesBetweenHeadersAndContinuation() {
        Http2Wire wire = new Http2Wire().handshake();
        byte[] block = wire.client.block(request("GET", "/"));
        List<Http2Wire.Chunk> w = wire
                .client(c -> c.frame(Http2FrameTypes.HEADERS, 0, 1, Http2DecoderTest.slice(block, 0, 4))
                        .frame(Http2FrameTypes.DATA, 0, 1, new byte[3]))
                .chunks();
        assertThat(only(decodeAllWays(w)).reason())
                .isEqualTo("expected a CONTINUATION of the header block of stream 1, got a DATA frame");

        Http2Wire wire2 = new Http2Wire().handshake();
        byte[] block2 = wire2.client.block(request("GET", "/"));
        List<Http2Wire.Chunk> w2 = wire2
                .client(c -> c.frame(Http2FrameTypes.HEADERS, 0, 1, Http2DecoderTest.slice(block2, 0, 4))
                        .frame(Http2FrameTypes.CONTINUATION, Http2Wire.END_HEADERS, 3,
                                Http2DecoderTest.slice(block2, 4, block2.length)))
                .chunks();
        assertThat(only(decodeAllWays(w2)).reason())
                .isEqualTo("CONTINUATION frame on stream 3 without a header block to continue");

        List<Http2Wire.Chunk> w3 = new Http2Wire().handshake()
                .server(s -> s.frame(Http2FrameTypes.CONTINUATION, Http2Wire.END_HEADERS, 1, new byte[] {(byte) 0x88}))
                .chunks();
        RecordingListener l3 = decodeAllWays(w3);
        assertThat(only(l3).reason()).isEqualTo("CONTINUATION frame on stream 1 without a header block to continue");
        assertThat(only(l3).direction()).isEqualTo(Direction.SERVER_TO_CLIENT);
    }

    @Test
    void malformedFrames() {
        record Case(int type, int flags, int stream, byte[] payload, String reason) {}
        List<Case> cases = List.of(
                new Case(Http2FrameTypes.PING, 0, 0, new byte[7], "PING frame on stream 0 has 7 bytes instead of 8"),
                new Case(Http2FrameTypes.PING, 0, 1, new byte[8], "PING frame on stream 1 must be on stream 0"),
                new Case(Http2FrameTypes.RST_STREAM, 0, 1, new byte[3], "RST_STREAM frame on stream 1 has 3 bytes instead of 4"),
                new Case(Http2FrameTypes.RST_STREAM, 0, 0, new byte[4], "RST_STREAM frame on stream 0 must not be on stream 0"),
                new Case(Http2FrameTypes.PRIORITY, 0, 1, new byte[4], "PRIORITY frame on stream 1 has 4 bytes instead of 5"),
                new Case(Http2FrameTypes.SETTINGS, 0, 0, new byte[5], "SETTINGS frame on stream 0 has 5 bytes, not a multiple of 6"),
                new Case(Http2FrameTypes.SETTINGS, 1, 0, new byte[6], "SETTINGS frame on stream 0 is an ACK with 6 bytes"),
                new Case(Http2FrameTypes.SETTINGS, 0, 3, new byte[0], "SETTINGS frame on stream 3 must be on stream 0"),
                new Case(Http2FrameTypes.WINDOW_UPDATE, 0, 0, new byte[3], "WINDOW_UPDATE frame on stream 0 has 3 bytes instead of 4"),
                new Case(Http2FrameTypes.GO_AWAY, 0, 0, new byte[7], "GOAWAY frame on stream 0 has 7 bytes, fewer than 8"),
                new Case(Http2FrameTypes.DATA, 0, 0, new byte[1], "DATA frame on stream 0 must not be on stream 0"),
                new Case(Http2FrameTypes.DATA, Http2Wire.PADDED, 1, new byte[0], "DATA frame on stream 1 is padded but has no pad length"),
                new Case(Http2FrameTypes.DATA, Http2Wire.PADDED, 1, new byte[] {5, 1, 2, 3, 4},
                        "DATA frame on stream 1 has 5 bytes of padding in a payload of 5 bytes"),
                new Case(Http2FrameTypes.HEADERS, Http2Wire.PADDED | Http2Wire.END_HEADERS, 3, new byte[] {9, (byte) 0x82},
                        "HEADERS frame on stream 3 has 2 bytes, too few for its 9 bytes of padding and fields"),
                new Case(Http2FrameTypes.HEADERS, Http2Wire.END_HEADERS, 0, new byte[] {(byte) 0x82},
                        "HEADERS frame on stream 0 must not be on stream 0"),
                new Case(Http2FrameTypes.PUSH_PROMISE, Http2Wire.END_HEADERS, 1, new byte[] {0, 0, 0, 2, (byte) 0x82},
                        "PUSH_PROMISE frame from the client on stream 1"),
                new Case(Http2FrameTypes.PUSH_PROMISE, Http2Wire.END_HEADERS, 1, new byte[] {0, 0, 2},
                        "PUSH_PROMISE frame on stream 1 has 3 bytes, too short for the promised stream id"));
        for (Case k : cases) {
            List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                    .client(c -> c.headers(1, request("POST", "/"), false).frame(k.type, k.flags, k.stream, k.payload))
                    .client(c -> c.data(1, "after", true))
                    .server(s -> s.headers(1, response(200), true))
                    .chunks();
            RecordingListener l = decodeAllWays(w);
            RecordingListener.Undecodable u = only(l);
            assertThat(u.reason()).as("case %s", k).isEqualTo(k.reason);
            assertThat(u.direction()).isEqualTo(Direction.CLIENT_TO_SERVER);
            long frameAt = offsetBefore(w, Direction.CLIENT_TO_SERVER, 3) + w.get(3).bytes().length - 9 - k.payload.length;
            assertThat(u.offset()).as("case %s", k).isEqualTo(frameAt);
            assertThat(l.stream(1).response.status).isEqualTo(200);
            assertThat(l.stream(1).request.body.size()).as("nothing after the bad frame is decoded").isZero();
        }
    }

    @Test
    void garbageNeverThrowsAndEachDirectionIsReportedAtMostOnce() {
        List<Http2Wire.Chunk> good = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/a"), true).headers(3, request("POST", "/b"), false)
                        .data(3, "body", false).headers(3, Http2Wire.fields("x-t", "1"), true))
                .server(s -> s.pushPromise(1, 2, request("GET", "/p")).headers(1, response(200), false)
                        .data(1, new byte[300], 20, true).headers(2, response(200), true))
                .server(s -> s.headers(3, Http2Wire.fields(":status", "103"), false).headers(3, response(200), false)
                        .rst(3, 8).goAway(3, 0, "bye"))
                .chunks();
        Random r = new Random(42);
        for (int round = 0; round < 3000; round++) {
            List<Http2Wire.Chunk> bad = new ArrayList<>();
            for (Http2Wire.Chunk c : good) {
                byte[] b = c.bytes().clone();
                int flips = r.nextInt(3);
                for (int k = 0; k < flips; k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                if (r.nextInt(10) == 0) {
                    b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                }
                bad.add(new Http2Wire.Chunk(c.direction(), c.micros(), b));
            }
            RecordingListener l = decode(Http2Feeding.h2("https"), bad, round % 2 == 0 ? 0 : 13, r, true);
            assertThat(l.undecodable.stream().filter(u -> u.direction() == Direction.CLIENT_TO_SERVER)).hasSizeLessThan(2);
            assertThat(l.undecodable.stream().filter(u -> u.direction() == Direction.SERVER_TO_CLIENT)).hasSizeLessThan(2);
            assertThat(l.exchanges.stream().map(e -> e.streamId).distinct()).hasSameSizeAs(l.exchanges);
            assertThat(l.undecodable).allSatisfy(u -> assertThat(u.reason()).isNotBlank());
        }
    }
}
