package io.plainsight.http;

import static io.plainsight.http.Http2DecoderTest.h;
import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.NginxFixture;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Http2Decoder} on connections recorded from real clients and nginx (see
 * {@code src/test/resources/http2/README.md} and {@link Http2CaptureTest}), fed whole, byte by byte
 * and in random slices: every field checked against the recorded bytes.
 */
class Http2FixtureTest {

    static List<Http2Wire.Chunk> fixture(String name) {
        try {
            return Http2Wire.read(Path.of(Http2FixtureTest.class.getResource("/http2/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static String text(HttpMessage m) {
        return new String(m.body.bytes(), StandardCharsets.ISO_8859_1);
    }

    static List<Http1Header> nginxHeaders(String date, String type, int length) {
        return h("server", "nginx", "date", date, "content-type", type, "content-length", Integer.toString(length));
    }

    static void assertMicros(HttpMessage m, long start, long end) {
        assertThat(m.startMicros).as("startMicros").isEqualTo(start);
        assertThat(m.endMicros).as("endMicros").isEqualTo(end);
    }

    @Test
    void curlSequentialRequestsReuseTheDynamicTable() {
        List<Http2Wire.Chunk> w = fixture("curl-sequential.txt");
        RecordingListener l = Http2Feeding.decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1, 3, 5, 7);
        String date = "Sat, 21 Nov 2026 17:07:07 GMT";
        List<Http1Header> curl = h("user-agent", "curl/7.88.1", "accept", "*/*");
        for (Exchange e : l.exchanges) {
            assertThat(e.pushed).isFalse();
            assertThat(e.request.scheme).isEqualTo("https");
            assertThat(e.request.authority).isEqualTo("localhost:36285");
            assertThat(e.request.version).isEqualTo("HTTP/2");
            assertThat(e.request.headers).startsWith(curl.toArray(Http1Header[]::new));
            assertThat(e.response.version).isEqualTo("HTTP/2");
            assertThat(e.response.reason).isEmpty();
            assertThat(e.response.complete).isTrue();
            assertThat(e.request.headerBytes).isEqualTo(Http2DecoderTest.blockBytes(w, Direction.CLIENT_TO_SERVER, e.streamId));
            assertThat(e.response.headerBytes).isEqualTo(Http2DecoderTest.blockBytes(w, Direction.SERVER_TO_CLIENT, e.streamId));
        }

        Exchange hello = l.stream(1);
        assertThat(hello.request.method).isEqualTo("GET");
        assertThat(hello.request.target).isEqualTo("/hello");
        assertThat(hello.request.url()).isEqualTo("https://localhost:36285/hello");
        assertThat(hello.request.headers).isEqualTo(curl);
        assertThat(hello.request.headerBytes).isEqualTo(37);
        assertThat(hello.request.complete).isTrue();
        assertMicros(hello.request, 146792, 146792);
        assertThat(hello.response.status).isEqualTo(200);
        assertThat(hello.response.headers).isEqualTo(nginxHeaders(date, "text/plain", 17));
        assertThat(text(hello.response)).isEqualTo(NginxFixture.HELLO_BODY);
        assertThat(hello.response.wireBodyBytes).isEqualTo(17);
        assertMicros(hello.response, 148368, 148368);
        assertThat(hello.notes).isEmpty();

        // the same fields again, from curl's dynamic table: 25 bytes instead of 37 with one field more
        Exchange echo = l.stream(3);
        assertThat(echo.request.target).isEqualTo("/echo?q=1");
        assertThat(echo.request.headers).isEqualTo(h("user-agent", "curl/7.88.1", "accept", "*/*", "x-custom", "one"));
        assertThat(echo.request.headerBytes).isEqualTo(25);
        assertThat(text(echo.response)).isEqualTo("echo GET /echo?q=1\n");
        assertThat(echo.notes).isEmpty();

        // nginx answered (and reset the stream with NO_ERROR) before the request body arrived
        Exchange post = l.stream(5);
        assertThat(post.request.method).isEqualTo("POST");
        assertThat(post.request.headers).isEqualTo(h("user-agent", "curl/7.88.1", "accept", "*/*", "content-length",
                "5000", "content-type", "application/x-www-form-urlencoded"));
        assertThat(post.request.complete).isFalse();
        assertThat(post.request.body.size()).isZero();
        assertMicros(post.request, 156948, 0);
        assertThat(text(post.response)).isEqualTo("echo POST /echo\n");
        assertThat(post.notes).containsExactly("request incomplete: the response ended first");

        Exchange missing = l.stream(7);
        assertThat(missing.request.headerBytes).isEqualTo(13);
        assertThat(missing.response.status).isEqualTo(404);
        assertThat(missing.response.headers).isEqualTo(nginxHeaders(date, "text/html", 146));
        assertThat(text(missing.response)).contains("<title>404 Not Found</title>").hasSize(146);
        assertMicros(missing.response, 157819, 158055);
        assertThat(missing.notes).isEmpty();
    }

    @Test
    void curlParallelStreamsInterleaved() {
        List<Http2Wire.Chunk> w = fixture("curl-parallel.txt");
        RecordingListener l = Http2Feeding.decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        // /hello (stream 5) ends first; the two files' last DATA frames come a second later
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(5, 1, 3);
        assertThat(l.exchanges).allSatisfy(e -> assertThat(e.notes).isEmpty());
        Exchange a = l.stream(1);
        assertThat(a.request.target).isEqualTo("/a.bin");
        assertThat(a.response.body.bytes()).isEqualTo(Docroot.pseudoRandom(1, 12_000));
        assertThat(a.response.headers).contains(new Http1Header("etag", "\"6b01cfb5-2ee0\""),
                new Http1Header("content-length", "12000"));
        assertMicros(a.response, 379662, 1369496);
        Exchange b = l.stream(3);
        assertThat(b.request.target).isEqualTo("/b.bin");
        assertThat(b.request.headerBytes).isEqualTo(12);
        assertThat(b.response.body.bytes()).isEqualTo(Docroot.pseudoRandom(2, 18_000));
        assertThat(b.response.wireBodyBytes).isEqualTo(18_000);
        assertMicros(b.response, 379662, 1409636);
        assertThat(text(l.stream(5).response)).isEqualTo(NginxFixture.HELLO_BODY);
    }

    @Test
    void curlBigHeaderInHeadersAndContinuation() {
        List<Http2Wire.Chunk> w = fixture("curl-big-header.txt");
        assertThat(Http2DecoderTest.frames(w.get(3).bytes())).extracting(Http2DecoderTest.Frame::type)
                .containsExactly(9); // CONTINUATION
        RecordingListener l = Http2Feeding.decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        Exchange e = l.stream(1);
        assertThat(e.request.headers).isEqualTo(h("user-agent", "curl/7.88.1", "accept", "*/*", "x-big", "x".repeat(20_000)));
        assertThat(e.request.headerBytes).isEqualTo(16_384 + 1_163);
        // the HEADERS frame started in one read and ended in the next; the CONTINUATION came in a third
        assertMicros(e.request, 80988, 81185);
        assertThat(text(e.response)).isEqualTo(NginxFixture.HELLO_BODY);
        assertThat(e.notes).isEmpty();
    }

    @Test
    void javaHttpClientConcurrentRequests() {
        List<Http2Wire.Chunk> w = fixture("java-httpclient.txt");
        RecordingListener l = Http2Feeding.decodeAllWays(w);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1, 7, 3, 5);
        assertThat(l.exchanges).allSatisfy(e -> {
            assertThat(e.notes).isEmpty();
            assertThat(e.request.complete).isTrue();
            assertThat(e.response.complete).isTrue();
            assertThat(e.request.header("user-agent")).isEqualTo("Java-http-client/25.0.3");
        });
        Exchange post = l.stream(7);
        assertThat(post.request.method).isEqualTo("POST");
        assertThat(post.request.headers).isEqualTo(h("content-type", "application/octet-stream", "content-length", "5000",
                "user-agent", "Java-http-client/25.0.3"));
        assertThat(post.request.body.bytes()).isEqualTo(Docroot.pseudoRandom(3, 5_000));
        assertThat(post.request.wireBodyBytes).isEqualTo(5_000);
        assertMicros(post.request, 599585, 603806);
        assertThat(text(post.response)).isEqualTo("echo POST /echo\n");
        assertThat(l.stream(3).response.body.bytes()).isEqualTo(Docroot.pseudoRandom(1, 12_000));
        assertThat(l.stream(5).response.body.bytes()).isEqualTo(Docroot.pseudoRandom(2, 18_000));
        assertMicros(l.stream(1).response, 578740, 579849);
    }

    @Test
    void aRecordingCutShortReportsWhatItHas() {
        List<Http2Wire.Chunk> w = fixture("curl-parallel.txt");
        // without the last two reads (the end of both files)
        RecordingListener l = Http2Feeding.decodeAllWays(w.subList(0, w.size() - 2));
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(5, 1, 3);
        for (int s : new int[] {1, 3}) {
            Exchange e = l.stream(s);
            assertThat(e.notes).containsExactly("response incomplete: the connection closed");
            assertThat(e.response.complete).isFalse();
            assertThat(e.response.body.size()).isEqualTo(8_192 + 1_925);
            assertThat(e.response.endMicros).isZero();
        }
    }
}
