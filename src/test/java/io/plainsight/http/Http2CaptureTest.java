package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real HTTP/2 clients (curl with nghttp2, Java's HttpClient) speaking h2 over TLS to a
 * {@link RecordingRelay} that terminates TLS (ALPN h2) and forwards the plaintext to nginx's h2c
 * listener, recording it as plainsight would see it after decryption: the decoder must find in
 * the recorded bytes what the client and nginx exchanged. These are also how the fixtures under
 * {@code src/test/resources/http2/} were made: run with
 * {@code -Dplainsight.h2.record=src/test/resources/http2} to write them again.
 *
 * <p>(curl 7.88.1 cannot reuse an h2c prior-knowledge connection for a second transfer: it fails
 * with "Error in the HTTP2 framing layer" before sending anything, hence TLS.)
 */
class Http2CaptureTest {
    static final byte[] A = Docroot.pseudoRandom(1, 12_000);
    static final byte[] B = Docroot.pseudoRandom(2, 18_000);
    static final byte[] UPLOAD = Docroot.pseudoRandom(3, 5_000);
    static final String BIG_HEADER = "x".repeat(20_000);

    private static NginxFixture nginx;

    @BeforeAll
    static void start() {
        ExternalProcess.requireTool("curl");
        // the .bin files come 10 KB at once, the rest a second later: concurrent streams interleave
        nginx = NginxFixture.builder().h2c().file("a.bin", A).file("b.bin", B)
                .httpConfig("large_client_header_buffers 4 64k;")
                .serverConfig("location ~ \\.bin$ { limit_rate 10k; }").start();
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /** Runs curl through a new relay ({@code {base}} in the arguments is the relay's URL); returns the recording. */
    static List<Http2Wire.Chunk> record(String fixture, String what, String... curlArgs) {
        try (RecordingRelay relay = new RecordingRelay(nginx.h2cPort(), TestPki.shared().serverSslContext())) {
            String ca = TestPki.shared().caCert().toString();
            List<String> args = new ArrayList<>(List.of("--cacert", ca));
            for (String a : curlArgs) {
                args.add(a.replace("{base}", "https://localhost:" + relay.port()));
                if (a.equals("--next")) {
                    args.addAll(List.of("--cacert", ca)); // same TLS options, or curl opens another connection
                }
            }
            Curl.run(args.toArray(String[]::new)).assertSuccess();
            String how = "curl " + String.join(" ", curlArgs).replace(BIG_HEADER, "x...(20,000 x)")
                    .replace(uploadFile().toString(), "upload.bin");
            if (how.contains("upload.bin")) {
                how += " (upload.bin: Docroot.pseudoRandom(3, 5000))";
            }
            return recorded(relay, fixture, what, curlVersion(), how);
        }
    }

    private static List<Http2Wire.Chunk> recorded(RecordingRelay relay, String fixture, String what, String client,
            String how) {
        List<Http2Wire.Chunk> chunks = relay.awaitEnd(Duration.ofSeconds(30));
        assertThat(relay.connections()).as("the client used one connection").isEqualTo(1);
        assertThat(relay.alpn()).isEqualTo("h2");
        String dir = System.getProperty("plainsight.h2.record");
        if (dir != null && !dir.isBlank()) {
            List<String> comments = List.of(
                    what,
                    "Recorded by Http2CaptureTest (-Dplainsight.h2.record=DIR): " + client + " over TLS (ALPN h2) to"
                            + " RecordingRelay, which decrypted and forwarded the plaintext to " + nginxVersion()
                            + " (NginxFixture h2c listener). The plaintext, as plainsight sees it:",
                    how,
                    "Lines: C (client to server) or S (server to client), microseconds since the start, the bytes"
                            + " of one read, in hex.");
            Http2Wire.write(Path.of(dir).resolve(fixture), comments, chunks);
        }
        return chunks;
    }

    /** Java's HttpClient: one request, then three at once on the same connection (two GETs and a POST). */
    static List<Http2Wire.Chunk> javaClient() throws Exception {
        try (RecordingRelay relay = new RecordingRelay(nginx.h2cPort(), TestPki.shared().serverSslContext());
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                        .sslContext(TestPki.shared().clientSslContext()).build()) {
            String base = "https://localhost:" + relay.port();
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(URI.create(base + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
            var a = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/a.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            var b = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/b.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            var post = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(UPLOAD)).header("content-type", "application/octet-stream")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(a.get().body()).isEqualTo(A);
            assertThat(b.get().body()).isEqualTo(B);
            assertThat(post.get().body()).isEqualTo("echo POST /echo\n");
            client.close();
            return recorded(relay, "java-httpclient.txt",
                    "Java's HttpClient: GET /hello, then GET /a.bin, GET /b.bin and POST /echo at once",
                    "Java " + Runtime.version() + " java.net.http.HttpClient", "see Http2CaptureTest.javaClient()");
        }
    }

    static String curlVersion() {
        return Curl.run("--version").stdout().lines().findFirst().orElse("curl").replaceAll(" \\(.*?\\)", "");
    }

    static String nginxVersion() {
        return ExternalProcess.exec(Duration.ofSeconds(10), "nginx", "-v").stderr().strip().replace("nginx version: ", "");
    }

    private static Path upload;

    static synchronized Path uploadFile() {
        if (upload == null) {
            try {
                upload = TestFiles.newDir("h2").resolve("upload.bin");
                Files.write(upload, UPLOAD);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return upload;
    }

    static List<Http2Wire.Chunk> sequential() {
        return record("curl-sequential.txt",
                "curl: four requests one after the other on one connection (GET, GET with a custom header, POST, 404)",
                "--http2", "-o", "/dev/null", "{base}/hello",
                "--next", "--http2", "-o", "/dev/null", "-H", "X-Custom: one", "{base}/echo?q=1",
                "--next", "--http2", "-o", "/dev/null", "--data-binary", "@" + uploadFile(), "{base}/echo",
                "--next", "--http2", "-o", "/dev/null", "{base}/missing");
    }

    static List<Http2Wire.Chunk> parallel() {
        return record("curl-parallel.txt", "curl --parallel: three concurrent streams, the responses interleaved",
                "--http2", "--parallel", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                "{base}/a.bin", "{base}/b.bin", "{base}/hello");
    }

    static List<Http2Wire.Chunk> bigHeader() {
        return record("curl-big-header.txt", "curl: a request with a 20,000-byte header field",
                "--http2", "-o", "/dev/null", "-H", "X-Big: " + BIG_HEADER, "{base}/hello");
    }

    static String body(HttpMessage m) {
        return new String(m.body.bytes(), StandardCharsets.ISO_8859_1);
    }

    /**
     * nginx answers a "return" location without waiting for the request body (and resets the stream
     * with NO_ERROR): the body is all there, or the exchange says the response ended first.
     */
    static void assertUpload(Exchange post) {
        byte[] got = post.request.body.bytes();
        if (post.request.complete) {
            assertThat(got).isEqualTo(UPLOAD);
            assertThat(post.notes).isEmpty();
        } else {
            assertThat(java.util.Arrays.equals(got, 0, got.length, UPLOAD, 0, got.length)).isTrue();
            assertThat(post.notes).containsExactly("request incomplete: the response ended first");
        }
    }

    @Test
    void sequentialRequests() {
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2("https"), sequential(), true);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).extracting(e -> e.streamId).containsExactly(1, 3, 5, 7);
        assertThat(l.exchanges).allSatisfy(e -> {
            assertThat(e.response.complete).isTrue();
            assertThat(e.request.header("user-agent")).startsWith("curl/");
            assertThat(e.request.authority).startsWith("localhost:");
            assertThat(e.request.scheme).isEqualTo("https");
        });
        assertThat(body(l.stream(1).response)).isEqualTo(NginxFixture.HELLO_BODY);
        assertThat(l.stream(3).request.header("x-custom")).isEqualTo("one");
        assertThat(body(l.stream(3).response)).isEqualTo("echo GET /echo?q=1\n");
        assertThat(l.stream(5).request.method).isEqualTo("POST");
        assertUpload(l.stream(5));
        assertThat(l.exchanges).filteredOn(e -> e.streamId != 5).allSatisfy(e -> {
            assertThat(e.notes).isEmpty();
            assertThat(e.request.complete).isTrue();
        });
        assertThat(body(l.stream(5).response)).isEqualTo("echo POST /echo\n");
        assertThat(l.stream(7).response.status).isEqualTo(404);
        // curl's encoder indexes its fields: the later requests' blocks are a fraction of the first
        assertThat(l.stream(7).request.headerBytes).isLessThan(l.stream(1).request.headerBytes / 2);
    }

    @Test
    void parallelRequests() {
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2("https"), parallel(), true);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).hasSize(3);
        assertThat(l.exchanges).allSatisfy(e -> assertThat(e.notes).isEmpty());
        Exchange a = l.exchanges.stream().filter(e -> "/a.bin".equals(e.request.target)).findFirst().orElseThrow();
        Exchange b = l.exchanges.stream().filter(e -> "/b.bin".equals(e.request.target)).findFirst().orElseThrow();
        assertThat(a.response.body.bytes()).isEqualTo(A);
        assertThat(b.response.body.bytes()).isEqualTo(B);
    }

    @Test
    void javaHttpClient() throws Exception {
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2("https"), javaClient(), true);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.exchanges).hasSize(4);
        assertThat(l.exchanges).allSatisfy(e -> assertThat(e.response.complete).isTrue());
        assertThat(body(l.stream(1).response)).isEqualTo(NginxFixture.HELLO_BODY);
        Exchange post = l.exchanges.stream().filter(e -> "POST".equals(e.request.method)).findFirst().orElseThrow();
        assertThat(post.request.header("content-type")).isEqualTo("application/octet-stream");
        assertThat(body(post.response)).isEqualTo("echo POST /echo\n");
        assertUpload(post);
        assertThat(l.exchanges).filteredOn(e -> e != post).allSatisfy(e -> assertThat(e.notes).isEmpty());
        assertThat(l.exchanges.stream().filter(e -> "/a.bin".equals(e.request.target)).findFirst().orElseThrow()
                .response.body.bytes()).isEqualTo(A);
    }

    @Test
    void bigHeaderField() {
        RecordingListener l = Http2Feeding.decodeAllWays(Http2Feeding.h2("https"), bigHeader(), true);
        assertThat(l.undecodable).isEmpty();
        assertThat(l.stream(1).request.header("x-big")).isEqualTo(BIG_HEADER);
        assertThat(l.stream(1).notes).isEmpty();
    }
}
