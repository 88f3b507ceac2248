package io.plainsight.http;

import static io.plainsight.http.Http2Feeding.decode;
import static io.plainsight.http.Http2Feeding.decodeAllWays;
import static io.plainsight.http.Http2Wire.fields;
import static io.plainsight.http.Http2Wire.request;
import static io.plainsight.http.Http2Wire.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.plainsight.event.Direction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Http2Decoder} on connections written with Netty's frame writer (and frames built by hand). */
class Http2DecoderTest {

    static List<Http1Header> h(String... nameValues) {
        List<Http1Header> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.add(new Http1Header(nameValues[i], nameValues[i + 1]));
        }
        return out;
    }

    static final List<Http1Header> REQUEST_FIELDS = h("user-agent", "h2-test/1", "accept", "*/*");
    static final List<Http1Header> RESPONSE_FIELDS = h("server", "h2-test", "content-type", "text/plain");

    /** The frames (type, payload length, header block fragment length) in a chunk's bytes. */
    record Frame(int type, int flags, int stream, int length, int fragment) {}

    static List<Frame> frames(byte[] b) {
        List<Frame> out = new ArrayList<>();
        int at = 0;
        if (b.length >= 24 && new String(b, 0, 24, StandardCharsets.ISO_8859_1).startsWith("PRI * HTTP/2.0")) {
            at = 24;
        }
        while (at + 9 <= b.length) {
            int len = (b[at] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | b[at + 2] & 0xFF;
            int type = b[at + 3];
            int flags = b[at + 4] & 0xFF;
            int stream = (b[at + 5] & 0x7F) << 24 | (b[at + 6] & 0xFF) << 16 | (b[at + 7] & 0xFF) << 8 | b[at + 8] & 0xFF;
            int fragment = len;
            if (type == Http2FrameTypes.HEADERS || type == Http2FrameTypes.PUSH_PROMISE) {
                if ((flags & 0x8) != 0) {
                    fragment -= 1 + (b[at + 9] & 0xFF);
                }
                if (type == Http2FrameTypes.HEADERS && (flags & 0x20) != 0) {
                    fragment -= 5;
                }
                if (type == Http2FrameTypes.PUSH_PROMISE) {
                    fragment -= 4;
                }
            }
            out.add(new Frame(type, flags, stream, len, fragment));
            at += 9 + len;
        }
        return out;
    }

    /** Sum of the header block fragments of the given stream in the chunks of one direction. */
    static long blockBytes(List<Http2Wire.Chunk> chunks, Direction d, int stream) {
        long n = 0;
        for (Http2Wire.Chunk c : chunks) {
            if (c.direction() == d) {
                for (Frame f : frames(c.bytes())) {
                    if (f.stream == stream && (f.type == Http2FrameTypes.HEADERS || f.type == Http2FrameTypes.CONTINUATION)) {
                        n += f.fragment;
                    }
                }
            }
        }
        return n;
    }

    static String text(HttpMessage m) {
        return new String(m.body.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void getWithResponse() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/a?b=1"), true))
                .server(s -> s.headers(1, response(200), false).data(1, "hello", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).hasSize(1);
        Exchange e = l.stream(1);
        assertThat(e.connectionId).isEqualTo(Http2Feeding.CONNECTION);
        assertThat(e.pushed).isFalse();
        assertThat(e.notes).isEmpty();
        assertThat(e.interim).isEmpty();
        HttpMessage q = e.request;
        assertThat(q.kind).isEqualTo(HttpMessage.Kind.REQUEST);
        assertThat(q.method).isEqualTo("GET");
        assertThat(q.target).isEqualTo("/a?b=1");
        assertThat(q.scheme).isEqualTo("https");
        assertThat(q.authority).isEqualTo("example.test");
        assertThat(q.url()).isEqualTo("https://example.test/a?b=1");
        assertThat(q.version).isEqualTo("HTTP/2");
        assertThat(q.headers).isEqualTo(REQUEST_FIELDS);
        assertThat(q.trailers).isEmpty();
        assertThat(q.body.size()).isZero();
        assertThat(q.wireBodyBytes).isZero();
        assertThat(q.headerBytes).isEqualTo(blockBytes(w, Direction.CLIENT_TO_SERVER, 1)).isPositive();
        assertThat(q.complete).isTrue();
        assertThat(q.startMicros).isEqualTo(w.get(3).micros());
        assertThat(q.endMicros).isEqualTo(w.get(3).micros());
        HttpMessage r = e.response;
        assertThat(r.kind).isEqualTo(HttpMessage.Kind.RESPONSE);
        assertThat(r.status).isEqualTo(200);
        assertThat(r.reason).isEmpty();
        assertThat(r.version).isEqualTo("HTTP/2");
        assertThat(r.headers).isEqualTo(RESPONSE_FIELDS);
        assertThat(text(r)).isEqualTo("hello");
        assertThat(r.wireBodyBytes).isEqualTo(5);
        assertThat(r.headerBytes).isEqualTo(blockBytes(w, Direction.SERVER_TO_CLIENT, 1));
        assertThat(r.complete).isTrue();
        assertThat(r.startMicros).isEqualTo(w.get(4).micros());
        assertThat(r.endMicros).isEqualTo(w.get(4).micros());
    }

    @Test
    void exchangeIsReportedWhenTheResponseEndsNotAtTheEnd() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/"), true).headers(3, request("GET", "/b"), true))
                .server(s -> s.headers(1, response(200), false).data(1, "x", true))
                .chunks();
        RecordingListener l = decode(Http2Feeding.h2("https"), w, 0, null, false);
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1);
        RecordingListener ended = decode(Http2Feeding.h2("https"), w, 0, null, true);
        assertThat(ended.exchanges).extracting(e -> e.streamId).containsExactly(1, 3);
        assertThat(ended.stream(3).response).isNull();
        assertThat(ended.stream(3).notes).containsExactly("response missing: the connection closed");
    }

    @Test
    void multiplexedStreamsInterleavedAndDynamicTableReused() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/one"), true).headers(3, request("GET", "/three"), true))
                .client(c -> c.headers(5, request("GET", "/five"), true))
                .server(s -> s.headers(3, response(200), false).headers(1, response(200), false).data(1, "one-a", false))
                .server(s -> s.data(3, "three", true).headers(5, response(404), false).data(1, "one-b", true))
                .server(s -> s.data(5, "nope", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(3, 1, 5);
        assertThat(l.exchanges).allSatisfy(e -> {
            assertThat(e.notes).isEmpty();
            assertThat(e.request.headers).isEqualTo(REQUEST_FIELDS);
            assertThat(e.response.headers).isEqualTo(RESPONSE_FIELDS);
            assertThat(e.request.complete).isTrue();
            assertThat(e.response.complete).isTrue();
        });
        assertThat(l.stream(1).request.target).isEqualTo("/one");
        assertThat(text(l.stream(1).response)).isEqualTo("one-aone-b");
        assertThat(l.stream(1).response.endMicros).isEqualTo(w.get(6).micros());
        assertThat(l.stream(3).request.target).isEqualTo("/three");
        assertThat(text(l.stream(3).response)).isEqualTo("three");
        assertThat(l.stream(5).request.target).isEqualTo("/five");
        assertThat(l.stream(5).response.status).isEqualTo(404);
        assertThat(text(l.stream(5).response)).isEqualTo("nope");
        // later blocks refer to the dynamic table filled by the first: a fraction of its size
        long first = l.stream(1).request.headerBytes;
        assertThat(l.stream(3).request.headerBytes).isLessThan(first / 2);
        assertThat(l.stream(5).request.headerBytes).isLessThan(first / 2);
        assertThat(l.stream(1).response.headerBytes).isLessThan(l.stream(3).response.headerBytes / 2);
    }

    @Test
    void continuationFramesFromTheWriter() {
        String big = "v".repeat(40_000);
        Http2Headers headers = request("GET", "/big").add("x-big", big).add("x-after", "1");
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, headers, true))
                .server(s -> s.headers(1, response(204), true))
                .chunks();
        assertThat(frames(w.get(3).bytes())).extracting(Frame::type)
                .containsExactly((int) Http2FrameTypes.HEADERS, (int) Http2FrameTypes.CONTINUATION,
                        (int) Http2FrameTypes.CONTINUATION);
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        HttpMessage q = l.stream(1).request;
        assertThat(q.header("x-big")).isEqualTo(big);
        assertThat(q.headers).endsWith(new Http1Header("x-after", "1"));
        assertThat(q.headerBytes).isEqualTo(blockBytes(w, Direction.CLIENT_TO_SERVER, 1)).isGreaterThan(2 * 16_384);
        assertThat(q.complete).isTrue();
        assertThat(l.stream(1).response.status).isEqualTo(204);
        assertThat(l.stream(1).response.complete).isTrue();
    }

    @Test
    void continuationByHandInSeparateChunksWithTheOtherDirectionBetween() {
        Http2Wire wire = new Http2Wire().handshake();
        byte[] block = wire.client.block(request("POST", "/upload").add("x-one", "1"));
        int a = block.length / 3;
        int b = 2 * block.length / 3;
        List<Http2Wire.Chunk> w = wire
                .client(c -> c.frame(Http2FrameTypes.HEADERS, Http2Wire.END_STREAM, 1, slice(block, 0, a)))
                .server(s -> s.ping())
                .client(c -> c.frame(Http2FrameTypes.CONTINUATION, 0, 1, slice(block, a, b)))
                .client(c -> c.frame(Http2FrameTypes.CONTINUATION, Http2Wire.END_HEADERS, 1, slice(block, b, block.length)))
                .server(s -> s.headers(1, response(201), true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        HttpMessage q = l.stream(1).request;
        assertThat(q.method).isEqualTo("POST");
        assertThat(q.headers).endsWith(new Http1Header("x-one", "1"));
        assertThat(q.headerBytes).isEqualTo(block.length);
        assertThat(q.complete).as("END_STREAM on HEADERS applies once the block ends").isTrue();
        assertThat(q.startMicros).isEqualTo(w.get(3).micros());
        assertThat(q.endMicros).isEqualTo(w.get(6).micros());
        assertThat(l.stream(1).response.status).isEqualTo(201);
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    @Test
    void paddingCountsOnTheWireOnly() {
        byte[] body = new byte[3000];
        new Random(1).nextBytes(body);
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("PUT", "/p"), 17, false).data(1, body, 200, false)
                        .data(1, new byte[0], 256, true))
                .server(s -> s.headersWithPriority(1, response(200), 0, 9, false).data(1, new byte[] {'o', 'k'}, 1, true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        HttpMessage q = l.stream(1).request;
        assertThat(q.body.bytes()).isEqualTo(body);
        assertThat(q.wireBodyBytes).isEqualTo(3000 + 200 + 256);
        assertThat(q.headers).isEqualTo(REQUEST_FIELDS);
        assertThat(q.headerBytes).isEqualTo(blockBytes(w, Direction.CLIENT_TO_SERVER, 1));
        assertThat(frames(w.get(3).bytes()).get(0).length).isEqualTo(q.headerBytes + 17);
        assertThat(q.complete).isTrue();
        HttpMessage r = l.stream(1).response;
        assertThat(text(r)).isEqualTo("ok");
        assertThat(r.wireBodyBytes).isEqualTo(3);
        assertThat(r.headerBytes).isEqualTo(frames(w.get(4).bytes()).get(0).length - 9 - 5);
        assertThat(r.headers).isEqualTo(RESPONSE_FIELDS);
    }

    @Test
    void trailersOnBothSides() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("POST", "/grpc.Svc/Call").add("te", "trailers"), false)
                        .data(1, "req", false).headers(1, fields("x-checksum", "abc"), true))
                .server(s -> s.headers(1, response(200), false).data(1, "resp", false)
                        .headers(1, fields("grpc-status", "0", "grpc-message", "OK"), true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        Exchange e = l.stream(1);
        assertThat(e.notes).isEmpty();
        assertThat(e.request.trailers).isEqualTo(h("x-checksum", "abc"));
        assertThat(e.request.headers).endsWith(new Http1Header("te", "trailers"));
        assertThat(text(e.request)).isEqualTo("req");
        assertThat(e.request.complete).isTrue();
        assertThat(e.response.trailers).isEqualTo(h("grpc-status", "0", "grpc-message", "OK"));
        assertThat(e.response.headers).isEqualTo(RESPONSE_FIELDS);
        assertThat(text(e.response)).isEqualTo("resp");
        assertThat(e.response.complete).isTrue();
        assertThat(e.response.headerBytes).isEqualTo(blockBytes(w, Direction.SERVER_TO_CLIENT, 1));
        assertThat(e.request.headerBytes).isEqualTo(blockBytes(w, Direction.CLIENT_TO_SERVER, 1));
    }

    @Test
    void interimResponses() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("POST", "/").add("expect", "100-continue"), false))
                .server(s -> s.headers(1, fields(":status", "100"), false))
                .client(c -> c.data(1, "body", true))
                .server(s -> s.headers(1, fields(":status", "103", "link", "</s.css>; rel=preload"), false))
                .server(s -> s.headers(1, response(200), false).data(1, "done", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        Exchange e = l.stream(1);
        assertThat(e.interim).extracting(m -> m.status).containsExactly(100, 103);
        assertThat(e.interim.get(1).headers).isEqualTo(h("link", "</s.css>; rel=preload"));
        assertThat(e.interim).allSatisfy(m -> assertThat(m.complete).isTrue());
        assertThat(e.interim.get(0).startMicros).isEqualTo(w.get(4).micros());
        assertThat(e.response.status).isEqualTo(200);
        assertThat(text(e.response)).isEqualTo("done");
        assertThat(text(e.request)).isEqualTo("body");
        assertThat(e.notes).isEmpty();
    }

    @Test
    void rstStreamReportsTheExchangeAtOnceAndLaterFramesChangeNothing() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/slow"), true).headers(3, request("GET", "/big"), true)
                        .headers(5, request("GET", "/refused"), true))
                .server(s -> s.headers(3, response(200), false).data(3, "part", false).rst(5, Http2Error.REFUSED_STREAM.code()))
                .client(c -> c.rst(3, Http2Error.CANCEL.code()))
                .server(s -> s.data(3, "more in flight", true).headers(1, response(200), false).data(1, "slow", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(5, 3, 1);
        Exchange refused = l.stream(5);
        assertThat(refused.notes).containsExactly("RST_STREAM REFUSED_STREAM by server");
        assertThat(refused.response).isNull();
        Exchange cancelled = l.stream(3);
        assertThat(cancelled.notes).containsExactly("RST_STREAM CANCEL by client");
        assertThat(cancelled.response.complete).isFalse();
        assertThat(text(cancelled.response)).isEqualTo("part");
        assertThat(cancelled.response.endMicros).isZero();
        assertThat(cancelled.request.complete).isTrue();
        assertThat(text(l.stream(1).response)).isEqualTo("slow");
        assertThat(l.stream(1).notes).isEmpty();
    }

    @Test
    void goAwayNotesTheStreamsItLeftUnprocessed() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/1"), true).headers(3, request("GET", "/3"), true)
                        .headers(5, request("GET", "/5"), true).headers(7, request("POST", "/7"), false))
                .server(s -> s.headers(1, response(200), false).data(1, "one", true)
                        .goAway(3, Http2Error.NO_ERROR.code(), "shutting down"))
                .server(s -> s.headers(3, response(200), false).data(3, "thr", false))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1, 3, 5, 7);
        assertThat(l.stream(1).notes).isEmpty();
        assertThat(l.stream(3).notes).containsExactly("response incomplete: the connection closed");
        assertThat(text(l.stream(3).response)).isEqualTo("thr");
        assertThat(l.stream(5).notes)
                .containsExactly("not processed: GOAWAY NO_ERROR by server (last stream 3): \"shutting down\"");
        assertThat(l.stream(5).response).isNull();
        assertThat(l.stream(7).notes).containsExactly(
                "not processed: GOAWAY NO_ERROR by server (last stream 3): \"shutting down\"",
                "request incomplete: the connection closed");
        assertThat(l.stream(7).request.complete).isFalse();
    }

    @Test
    void goAwayWithAnErrorAndNoDebugData() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/1"), true).headers(3, request("GET", "/3"), true))
                .server(s -> s.goAway(1, Http2Error.ENHANCE_YOUR_CALM.code(), ""))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.stream(1).notes).containsExactly("response missing: the connection closed");
        assertThat(l.stream(3).notes).containsExactly("not processed: GOAWAY ENHANCE_YOUR_CALM by server (last stream 1)");
    }

    @Test
    void serverPushIsAnExchangeOfItsOwn() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/index.html"), true))
                .server(s -> s.pushPromise(1, 2, request("GET", "/style.css"))
                        .pushPromise(1, 4, request("GET", "/app.js"))
                        .headers(1, response(200), false).data(1, "<html>", false))
                .client(c -> c.rst(4, Http2Error.REFUSED_STREAM.code()))
                .server(s -> s.headers(2, response(200), false).data(2, "body{}", true).data(1, "</html>", true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(4, 2, 1);
        Exchange pushed = l.stream(2);
        assertThat(pushed.pushed).isTrue();
        assertThat(pushed.notes).containsExactly("server push promised on stream 1");
        assertThat(pushed.request.method).isEqualTo("GET");
        assertThat(pushed.request.target).isEqualTo("/style.css");
        assertThat(pushed.request.url()).isEqualTo("https://example.test/style.css");
        assertThat(pushed.request.complete).isTrue();
        assertThat(pushed.request.startMicros).isEqualTo(w.get(4).micros());
        assertThat(pushed.request.headerBytes).isPositive();
        assertThat(pushed.response.status).isEqualTo(200);
        assertThat(text(pushed.response)).isEqualTo("body{}");
        Exchange refused = l.stream(4);
        assertThat(refused.pushed).isTrue();
        assertThat(refused.notes).containsExactly("server push promised on stream 1", "RST_STREAM REFUSED_STREAM by client");
        assertThat(refused.request.target).isEqualTo("/app.js");
        assertThat(refused.response).isNull();
        Exchange main = l.stream(1);
        assertThat(main.pushed).isFalse();
        assertThat(text(main.response)).isEqualTo("<html></html>");
        // the promises used the server's encoder: its table carries on into the responses
        assertThat(main.response.headers).isEqualTo(RESPONSE_FIELDS);
        assertThat(pushed.response.headers).isEqualTo(RESPONSE_FIELDS);
    }

    @Test
    void truncatedConnection() {
        byte[] body = new byte[10_000];
        new Random(2).nextBytes(body);
        List<Http2Wire.Chunk> full = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("POST", "/up"), false).data(1, body, 0, false))
                .server(s -> s.headers(1, response(200), false).data(1, body, 0, true))
                .chunks();
        // the connection ends 4,000 bytes into the response's DATA frame, and inside the client's
        List<Http2Wire.Chunk> cut = new ArrayList<>(full.subList(0, full.size() - 2));
        Http2Wire.Chunk c = full.get(full.size() - 2);
        cut.add(new Http2Wire.Chunk(c.direction(), c.micros(), slice(c.bytes(), 0, c.bytes().length - 6_000)));
        Http2Wire.Chunk s = full.get(full.size() - 1);
        int headersFrame = 9 + frames(s.bytes()).get(0).length;
        cut.add(new Http2Wire.Chunk(s.direction(), s.micros(), slice(s.bytes(), 0, headersFrame + 9 + 4_000)));
        RecordingListener l = decodeAllWays(cut);
        assertThat(l.undecodable).isEmpty();
        Exchange e = l.stream(1);
        assertThat(e.notes).containsExactly("response incomplete: the connection closed",
                "request incomplete: the connection closed");
        assertThat(e.response.complete).isFalse();
        assertThat(e.response.body.bytes()).isEqualTo(slice(body, 0, 4_000));
        assertThat(e.response.wireBodyBytes).isEqualTo(4_000);
        assertThat(e.request.complete).isFalse();
        assertThat(e.request.body.size()).isEqualTo(4_000);

        // cut inside a frame header
        List<Http2Wire.Chunk> inHeader = new ArrayList<>(full.subList(0, full.size() - 1));
        inHeader.add(new Http2Wire.Chunk(s.direction(), s.micros(), slice(s.bytes(), 0, 5)));
        RecordingListener l2 = decodeAllWays(inHeader);
        assertThat(l2.stream(1).response).isNull();
        assertThat(l2.stream(1).notes).containsExactly("response missing: the connection closed",
                "request incomplete: the connection closed");
        assertThat(l2.stream(1).request.body.bytes()).isEqualTo(body);
    }

    @Test
    void bodiesAreKeptUpToTheLimitAndCountedBeyond() {
        byte[] body = new byte[100];
        new Random(3).nextBytes(body);
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/"), true))
                .server(s -> s.headers(1, response(200), false).data(1, slice(body, 0, 6), 0, false)
                        .data(1, slice(body, 6, 100), 0, true))
                .chunks();
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2(new DecodeOptions(10, 64 * 1024)), w, true);
        HttpMessage r = l.stream(1).response;
        assertThat(r.body.bytes()).isEqualTo(slice(body, 0, 10));
        assertThat(r.body.size()).isEqualTo(100);
        assertThat(r.body.truncated()).isTrue();
        assertThat(r.complete).isTrue();
    }

    @Test
    void controlFramesAndUnknownTypesChangeNothing() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.frame(0x42, 0xFF, 0, "unknown extension frame".getBytes(StandardCharsets.US_ASCII))
                        .priority(1, 0).headers(1, request("GET", "/"), true).ping().windowUpdate(0, 1 << 20)
                        .windowUpdate(1, 1000))
                .server(s -> s.frame(0x0b, 0, 1, new byte[] {1, 2, 3}).headers(1, response(200), false)
                        .ping().data(1, "x", true).windowUpdate(0, 5))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.stream(1).notes).isEmpty();
        assertThat(text(l.stream(1).response)).isEqualTo("x");
    }

    @Test
    void schemeAndAuthorityFallBacks() {
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, fields(":method", "GET", ":path", "/x", "host", "h.test:8080"), true)
                        .headers(3, fields(":method", "CONNECT", ":authority", "tunnel.test:443"), false)
                        .headers(5, fields(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path",
                                "/chat", ":authority", "ws.test"), false))
                .server(s -> s.headers(1, fields(":status", "200"), true).headers(3, fields(":status", "200"), false)
                        .headers(5, fields(":status", "abc"), true))
                .chunks();
        RecordingListener l = decodeAllWays(Http2Feeding.h2("http"), w, true);
        HttpMessage one = l.stream(1).request;
        assertThat(one.scheme).isEqualTo("http");
        assertThat(one.authority).isEqualTo("h.test:8080");
        assertThat(one.url()).isEqualTo("http://h.test:8080/x");
        assertThat(one.headers).isEqualTo(h("host", "h.test:8080"));
        HttpMessage connect = l.stream(3).request;
        assertThat(connect.method).isEqualTo("CONNECT");
        assertThat(connect.target).isEqualTo("tunnel.test:443");
        assertThat(connect.scheme).isNull();
        assertThat(l.stream(3).notes).containsExactly("response incomplete: the connection closed",
                "request incomplete: the connection closed");
        Exchange ws = l.stream(5);
        assertThat(ws.notes).containsExactly("request pseudo-header :protocol: websocket", "response :status is \"abc\"",
                "request incomplete: the response ended first");
        assertThat(ws.response.status).isZero();
    }

    @Test
    void afterUpgradeTheUpgradeRequestIsStreamOne() {
        Http2Settings clientSettings = new Http2Settings().headerTableSize(8192).maxFrameSize(32768);
        io.netty.buffer.ByteBuf payload = Unpooled.buffer();
        for (char id : new char[] {Http2CodecUtil.SETTINGS_HEADER_TABLE_SIZE, Http2CodecUtil.SETTINGS_MAX_FRAME_SIZE}) {
            payload.writeShort(id).writeInt(clientSettings.get(id).intValue());
        }
        byte[] settingsBytes = new byte[payload.readableBytes()];
        payload.readBytes(settingsBytes);
        HttpMessage upgrade = new HttpMessage(HttpMessage.Kind.REQUEST, 1024);
        upgrade.method = "GET";
        upgrade.target = "/up";
        upgrade.version = "HTTP/1.1";
        upgrade.authority = "h2c.test";
        upgrade.headers.addAll(h("Host", "h2c.test", "Connection", "Upgrade, HTTP2-Settings", "Upgrade", "h2c",
                "HTTP2-Settings", Base64.getUrlEncoder().withoutPadding().encodeToString(settingsBytes)));
        upgrade.complete = true;
        byte[] big = new byte[30_000];
        new Random(4).nextBytes(big);
        List<Http2Wire.Chunk> w = new Http2Wire()
                // the client's SETTINGS frame is empty: only HTTP2-Settings allows the larger table and frame
                .client(c -> c.preface().settings())
                .server(s -> s.settings().encoderTableSize(8192).maxFrameSize(32768)
                        .headers(1, response(200), false).data(1, big, 0, true).settingsAck())
                .client(c -> c.settingsAck().headers(3, request("GET", "/next"), true))
                .server(s -> s.headers(3, response(200), true))
                .chunks();
        assertThat(frames(w.get(1).bytes())).extracting(Frame::length).contains(30_000);
        RecordingListener l = decodeAllWays((id, listener) -> Http2Decoder.afterUpgrade(id, listener,
                DecodeOptions.defaults(), upgrade), w, true);
        assertThat(l.undecodable).isEmpty();
        Exchange e = l.stream(1);
        assertThat(e.request).isSameAs(upgrade);
        assertThat(e.request.scheme).isNull();
        assertThat(e.response.status).isEqualTo(200);
        assertThat(e.response.body.bytes()).isEqualTo(big);
        assertThat(e.response.complete).isTrue();
        assertThat(e.notes).containsExactly("h2c upgrade: the request was sent in HTTP/1.1, the response came over HTTP/2");
        assertThat(l.stream(3).request.target).isEqualTo("/next");
        assertThat(l.stream(3).request.scheme).isEqualTo("https"); // :scheme as sent
    }

    @Test
    void afterUpgradeWithoutSettingsTheDefaultsHold() {
        HttpMessage upgrade = new HttpMessage(HttpMessage.Kind.REQUEST, 1024);
        upgrade.method = "GET";
        upgrade.target = "/";
        upgrade.headers.addAll(h("Upgrade", "h2c", "HTTP2-Settings", "!!not base64!!"));
        List<Http2Wire.Chunk> w = new Http2Wire()
                .client(c -> c.preface().settings())
                .server(s -> s.settings().settingsAck().maxFrameSize(32_768).headers(1, response(200), false)
                        .data(1, new byte[16_385], 0, true))
                .chunks();
        RecordingListener l = decodeAllWays((id, listener) -> Http2Decoder.afterUpgrade(id, listener,
                DecodeOptions.defaults(), upgrade), w, true);
        assertThat(l.undecodable).singleElement().satisfies(u -> {
            assertThat(u.direction()).isEqualTo(Direction.SERVER_TO_CLIENT);
            assertThat(u.reason()).isEqualTo(
                    "DATA frame of 16385 bytes on stream 1 is over the SETTINGS_MAX_FRAME_SIZE of 16384 for the server");
        });
        assertThat(l.stream(1).notes).startsWith(
                "h2c upgrade: the request was sent in HTTP/1.1, the response came over HTTP/2",
                "HTTP2-Settings not decodable (Illegal base64 character 21): default settings assumed");
    }

    @Test
    void settingsBoundWhatThePeerSendsOnceAcknowledged() {
        byte[] big = new byte[32_768];
        new Random(5).nextBytes(big);
        List<Http2Wire.Chunk> w = new Http2Wire()
                .client(c -> c.preface().settings())
                .server(s -> s.settings(new Http2Settings().headerTableSize(65_536).maxFrameSize(32_768)).settingsAck())
                // the frame size applies at once, the table size once acknowledged
                .client(c -> c.maxFrameSize(32_768).headers(1, request("POST", "/"), false).data(1, big, 0, true))
                .client(c -> c.settingsAck().encoderTableSize(65_536).headers(3, request("GET", "/after"), true))
                .server(s -> s.encoderTableSize(0).headers(1, response(200), true).headers(3, response(200), true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.stream(1).request.body.bytes()).isEqualTo(big);
        assertThat(l.stream(3).request.headers).isEqualTo(REQUEST_FIELDS);
        assertThat(l.stream(3).response.headers).isEqualTo(RESPONSE_FIELDS);
    }

    @Test
    void aLowerTableSizeMustBeSignalledOnceAcknowledged() {
        Http2Wire wire = new Http2Wire()
                .client(c -> c.preface().settings(new Http2Settings().headerTableSize(0)))
                .server(s -> s.settings().settingsAck());
        // the server ignores the client's setting: its next block lacks the table size update
        List<Http2Wire.Chunk> w = wire.client(c -> c.settingsAck().headers(1, request("GET", "/"), true))
                .server(s -> s.headers(1, response(200), true))
                .chunks();
        RecordingListener l = decodeAllWays(w);
        assertThat(l.undecodable).singleElement().satisfies(u -> {
            assertThat(u.direction()).isEqualTo(Direction.SERVER_TO_CLIENT);
            assertThat(u.reason()).isEqualTo("HPACK error in the header block of stream 1: "
                    + "HPACK - max dynamic table size change required");
        });
        assertThat(l.stream(1).notes).containsExactly(
                "response header block not decoded: HPACK - max dynamic table size change required",
                "response missing: the server's bytes could not be decoded from byte "
                        + l.undecodable.get(0).offset());

        // the same with the update: fine
        List<Http2Wire.Chunk> ok = new Http2Wire()
                .client(c -> c.preface().settings(new Http2Settings().headerTableSize(0)))
                .server(s -> s.settings().settingsAck())
                .client(c -> c.settingsAck().headers(1, request("GET", "/"), true))
                .server(s -> s.encoderTableSize(0).headers(1, response(200), true))
                .chunks();
        RecordingListener fine = decodeAllWays(ok);
        assertThat(fine.undecodable).isEmpty();
        assertThat(fine.stream(1).response.headers).isEqualTo(RESPONSE_FIELDS);

        // blocks the server sent before acknowledging still use the old table, without an update
        List<Http2Wire.Chunk> early = new Http2Wire()
                .client(c -> c.preface().settings(new Http2Settings().headerTableSize(0)))
                .client(c -> c.headers(1, request("GET", "/"), true).headers(3, request("GET", "/3"), true))
                .server(s -> s.settings().headers(1, response(200), true))
                .server(s -> s.settingsAck().encoderTableSize(0).headers(3, response(200), true))
                .chunks();
        RecordingListener l3 = decodeAllWays(early);
        assertThat(l3.undecodable).isEmpty();
        assertThat(l3.stream(1).response.headers).isEqualTo(RESPONSE_FIELDS);
        assertThat(l3.stream(3).response.headers).isEqualTo(RESPONSE_FIELDS);
    }

    @Test
    void aDecodedHeaderListOverTheLimitKeepsItsFirstFieldsAndTheTableInStep() {
        // maxHead 1,000: blocks up to 1,000 bytes, decoded lists up to 4,000 bytes
        String v = "w".repeat(900);
        Http2Headers many = request("GET", "/many");
        for (int i = 0; i < 5; i++) {
            many.add("x-rep", v);
        }
        List<Http2Wire.Chunk> w = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/first").add("x-rep", v), true))
                .client(c -> c.headers(3, many, true))
                .client(c -> c.headers(5, request("GET", "/third").add("x-rep", v), true))
                .server(s -> s.headers(1, response(200), true).headers(3, response(200), true).headers(5, response(200), true))
                .chunks();
        assertThat(blockBytes(w, Direction.CLIENT_TO_SERVER, 3)).isLessThan(100);
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2(new DecodeOptions(1024, 1000)), w, true);
        assertThat(l.undecodable).isEmpty();
        Exchange e = l.stream(3);
        assertThat(e.request.method).isEqualTo("GET");
        assertThat(e.request.headers.stream().filter(f -> f.name().equals("x-rep")).count()).isBetween(1L, 3L);
        assertThat(e.notes).singleElement().asString()
                .startsWith("request header list over 4000 bytes decoded: fields after the first ");
        assertThat(l.stream(5).request.headers).endsWith(new Http1Header("x-rep", v));
        assertThat(l.stream(5).notes).isEmpty();
    }

    @Test
    void throughputOnALargeDataHeavyStream() {
        int mib = 64;
        List<Http2Wire.Chunk> start = new Http2Wire().handshake()
                .client(c -> c.headers(1, request("GET", "/big"), true))
                .server(s -> s.headers(1, response(200), false))
                .chunks();
        byte[] payload = new byte[16_384];
        new Random(6).nextBytes(payload);
        byte[] frame = Http2Wire.frameBytes(Http2FrameTypes.DATA, 0, 1, payload);
        byte[] stream = new byte[mib * 64 * frame.length + 9];
        for (int i = 0; i < mib * 64; i++) {
            System.arraycopy(frame, 0, stream, i * frame.length, frame.length);
        }
        System.arraycopy(Http2Wire.frameBytes(Http2FrameTypes.DATA, Http2Wire.END_STREAM, 1, new byte[0]), 0, stream,
                stream.length - 9, 9);
        double best = 0;
        for (int round = 0; round < 5; round++) {
            RecordingListener l = new RecordingListener();
            Http2Decoder d = new Http2Decoder(1, l, DecodeOptions.defaults(), "https");
            for (Http2Wire.Chunk c : start) {
                d.data(c.direction(), c.micros(), Unpooled.wrappedBuffer(c.bytes()));
            }
            long t0 = System.nanoTime();
            // 64 KiB slices, as a relay reads them
            for (int at = 0; at < stream.length; at += 65_536) {
                d.data(Direction.SERVER_TO_CLIENT, 10_000,
                        Unpooled.wrappedBuffer(stream, at, Math.min(65_536, stream.length - at)));
            }
            long ns = System.nanoTime() - t0;
            assertThat(l.exchanges).hasSize(1);
            assertThat(l.stream(1).response.body.size()).isEqualTo(mib * 1024L * 1024);
            assertThat(l.stream(1).response.complete).isTrue();
            best = Math.max(best, stream.length / 1048576.0 / (ns / 1e9));
        }
        System.out.printf("Http2Decoder throughput: %.0f MiB/s on one core (%d MiB of DATA in 16 KiB frames, "
                + "64 KiB slices, 1 MiB kept, best of 5)%n", best, mib);
    }
}
