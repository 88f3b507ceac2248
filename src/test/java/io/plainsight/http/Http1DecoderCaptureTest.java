package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import io.plainsight.http.Conversation.Feed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder on real bytes: curl and a raw client against nginx, recorded by a relay (see
 * resources/http1/README.md). Each transcript decodes to its {@code .expected} text (reviewed by
 * hand) under every feed; the checks below it do not rely on that text.
 */
class Http1DecoderCaptureTest {
    private static final int RANDOMS = 10;
    private static final byte[] UPLOAD = ("field=" + "u".repeat(1500) + "\n").getBytes(StandardCharsets.ISO_8859_1);

    @ParameterizedTest
    @ValueSource(strings = {"curl-keepalive", "curl-head", "curl-gzip-chunked", "curl-expect-100",
        "curl-chunked-upload", "curl-http10-close", "curl-not-modified", "curl-h2c-declined",
        "raw-pipelined", "raw-chunked-trailers", "raw-garbage", "raw-big-header"})
    void decodesToTheExpectedTextUnderEveryFeed(String name) throws IOException {
        Conversation c = Transcripts.load(name);
        String expected = resource(name + ".expected");
        for (Feed f : Feed.all(RANDOMS)) {
            assertThat(c.decode(f, DecodeOptions.defaults(), "http", true).text()).as(name + " " + f).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"curl-keepalive", "curl-head", "curl-gzip-chunked", "curl-expect-100",
        "curl-chunked-upload", "curl-http10-close", "curl-not-modified", "curl-h2c-declined",
        "raw-pipelined", "raw-chunked-trailers", "raw-big-header"})
    void everyByteBelongsToAMessage(String name) {
        Conversation c = Transcripts.load(name);
        DecodeRecorder rec = c.decode(Feed.whole(), DecodeOptions.defaults(), "http", true);
        assertThat(rec.undecodable).isEmpty();
        long client = 0;
        long server = 0;
        for (Exchange e : rec.exchanges) {
            assertThat(e.request.complete).as("request complete").isTrue();
            assertThat(e.response.complete).as("response complete").isTrue();
            client += e.request.headerBytes + e.request.wireBodyBytes;
            server += e.response.headerBytes + e.response.wireBodyBytes;
            for (HttpMessage i : e.interim) {
                server += i.headerBytes;
            }
        }
        assertThat(client).isEqualTo(c.all(Direction.CLIENT_TO_SERVER).length);
        assertThat(server).isEqualTo(c.all(Direction.SERVER_TO_CLIENT).length);
    }

    @Test
    void gzipBodyIsTheSameDechunkedAndDelimitedByClose() throws IOException {
        byte[] chunked = only(Transcripts.load("curl-gzip-chunked")).response.body.bytes();
        byte[] untilClose = only(Transcripts.load("curl-http10-close")).response.body.bytes();
        byte[] pipelined = decode(Transcripts.load("raw-pipelined")).exchanges.get(2).response.body.bytes();
        assertThat(untilClose).isEqualTo(chunked);
        assertThat(pipelined).isEqualTo(chunked);
        // the de-chunked bytes are a whole gzip stream of the file, whose size the ETag names (0x5df4)
        byte[] text;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(chunked))) {
            text = in.readAllBytes();
        }
        assertThat(text).hasSize(0x5df4);
        assertThat(new String(text, StandardCharsets.US_ASCII)).endsWith(".\n").doesNotContain("\r");
    }

    @Test
    void uploadsArriveWhole() {
        assertThat(only(Transcripts.load("curl-expect-100")).request.body.bytes()).isEqualTo(UPLOAD);
        assertThat(only(Transcripts.load("curl-chunked-upload")).request.body.bytes()).isEqualTo(UPLOAD);
    }

    @Test
    void declinedH2cUpgradeSwitchesNothing() {
        DecodeRecorder rec = decode(Transcripts.load("curl-h2c-declined"));
        assertThat(rec.switches).isEmpty();
        assertThat(rec.exchanges.get(0).response.status).isEqualTo(200);
    }

    @Test
    void headLimitOnARealOversizedCookie() {
        DecodeRecorder rec = Transcripts.load("raw-big-header")
                .decode(Feed.interleaved(3), new DecodeOptions(1024, 8192), "http", true);
        assertThat(rec.undecodable).containsExactly(java.util.Map.entry(Direction.CLIENT_TO_SERVER,
                "at 8192: request head larger than 8192 bytes"));
        Exchange e = only(rec);
        assertThat(e.request.method).isNull();
        assertThat(e.response.status).isEqualTo(400);
        assertThat(e.response.body.bytes()).hasSize(226);
        assertThat(e.response.body.truncated()).isFalse();
        assertThat(e.notes).containsExactly("response without a request (the client's bytes are undecodable)");
    }

    private static DecodeRecorder decode(Conversation c) {
        return c.decode(Feed.whole(), DecodeOptions.defaults(), "http", true);
    }

    private static Exchange only(Conversation c) {
        return only(decode(c));
    }

    private static Exchange only(DecodeRecorder rec) {
        assertThat(rec.exchanges).hasSize(1);
        return rec.exchanges.get(0);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = Http1DecoderCaptureTest.class.getResourceAsStream("/http1/" + name)) {
            if (in == null) {
                throw new IOException("no resource /http1/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Writes the .expected files from the whole feed (run by hand; review the output before committing). */
    public static void main(String[] args) throws IOException {
        for (String name : args) {
            String t = Transcripts.load(name).decode(Feed.whole(), DecodeOptions.defaults(), "http", true).text();
            java.nio.file.Files.writeString(java.nio.file.Path.of("src/test/resources/http1/" + name + ".expected"), t,
                    StandardCharsets.ISO_8859_1);
        }
    }
}
