package io.plainsight.sink.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.sink.har.HarOutput;
import io.plainsight.sink.jsonl.FlowLogOutput;
import io.plainsight.testing.HarChecker;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HAR and flow log output of hand-built exchanges: fields, decoding, validity after every flush. */
class ExchangeOutputFormatsTest {
    @TempDir
    Path tmp;

    static final long T0 = 1_763_740_800_000_000L; // 2025-11-21T16:00:00Z

    static ConnectionMeta connection() {
        ConnectionMeta c = new ConnectionMeta(new ConnectionOpened(7, T0, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 50412),
                new InetSocketAddress("10.0.0.5", 443), new InetSocketAddress("127.0.0.1", 8443), "api.test", true));
        c.tls(new TlsEstablished(7, T0 + 10, Leg.CLIENT, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "http/1.1", "api.test", null));
        return c;
    }

    static Exchange exchange() throws Exception {
        HttpMessage req = new HttpMessage(HttpMessage.Kind.REQUEST, 1024);
        req.method = "POST";
        req.target = "/v1/items?q=a%20b&x";
        req.version = "HTTP/1.1";
        req.headers.add(new Http1Header("Host", "api.test"));
        req.headers.add(new Http1Header("Cookie", "a=1; b=2"));
        req.headers.add(new Http1Header("Content-Type", "application/json"));
        byte[] json = "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        req.body.append(json, 0, json.length);
        req.startMicros = T0 + 1000;
        req.endMicros = T0 + 1500;
        req.headerBytes = 90;
        req.complete = true;
        HttpMessage resp = new HttpMessage(HttpMessage.Kind.RESPONSE, 1024);
        resp.status = 201;
        resp.reason = "Created";
        resp.version = "HTTP/1.1";
        resp.headers.add(new Http1Header("Content-Type", "text/plain"));
        resp.headers.add(new Http1Header("Content-Encoding", "gzip"));
        resp.headers.add(new Http1Header("Set-Cookie", "s=9; Path=/"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("created it\n".repeat(20).getBytes(StandardCharsets.UTF_8));
        }
        resp.body.append(gz.toByteArray(), 0, gz.size());
        resp.startMicros = T0 + 4500;
        resp.endMicros = T0 + 6000;
        resp.headerBytes = 120;
        resp.complete = true;
        Exchange x = new Exchange(7, 0, req);
        x.response = resp;
        return x;
    }

    @Test
    void harEntryHasTheUrlTimingsCookiesQueryAndDecodedContent() throws Exception {
        Path har = tmp.resolve("a.har");
        HarOutput out = new HarOutput(new OutputFile(har.toString(), "HAR"), 1 << 20);
        out.exchange(connection(), exchange());
        out.flush();
        JsonNode e = HarChecker.entries(har).get(0);
        assertThat(e.get("startedDateTime").asText()).isEqualTo("2025-11-21T16:00:00.001Z");
        assertThat(e.at("/request/url").asText()).isEqualTo("https://api.test/v1/items?q=a%20b&x");
        assertThat(e.at("/request/queryString").toString()).isEqualTo("[{\"name\":\"q\",\"value\":\"a b\"},{\"name\":\"x\",\"value\":\"\"}]");
        assertThat(e.at("/request/cookies").toString()).isEqualTo("[{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"b\",\"value\":\"2\"}]");
        assertThat(e.at("/request/postData/text").asText()).isEqualTo("{\"name\":\"x\"}");
        assertThat(e.at("/response/cookies/0/name").asText()).isEqualTo("s");
        assertThat(e.at("/response/content/text").asText()).isEqualTo("created it\n".repeat(20));
        assertThat(e.at("/response/content/size").asLong()).isEqualTo(220);
        assertThat(e.at("/response/bodySize").asLong()).isLessThan(220);
        assertThat(e.at("/timings/send").asDouble()).isEqualTo(0.5);
        assertThat(e.at("/timings/wait").asDouble()).isEqualTo(3.0);
        assertThat(e.at("/timings/receive").asDouble()).isEqualTo(1.5);
        assertThat(e.get("time").asDouble()).isEqualTo(5.0);
        assertThat(e.get("serverIPAddress").asText()).isEqualTo("10.0.0.5");
        assertThat(e.at("/_plainsight/sni").asText()).isEqualTo("api.test");
    }

    @Test
    void theHarIsValidJsonAfterEveryFlushAndAtClose() throws Exception {
        Path har = tmp.resolve("b.har");
        HarOutput out = new HarOutput(new OutputFile(har.toString(), "HAR"), 1 << 20);
        out.flush();
        assertThat(HarChecker.entries(har)).isEmpty();
        for (int i = 1; i <= 3; i++) {
            out.exchange(connection(), exchange());
            out.flush();
            assertThat(HarChecker.entries(har)).hasSize(i);
        }
        out.exchange(connection(), exchange());
        out.close();
        assertThat(HarChecker.entries(har)).hasSize(4);
    }

    @Test
    void aResponseThatNeverCameIsStatusZeroAndNoted() throws Exception {
        Path har = tmp.resolve("c.har");
        Exchange x = exchange();
        x.response = null;
        x.notes.add("response missing: the connection closed");
        HarOutput out = new HarOutput(new OutputFile(har.toString(), "HAR"), 1 << 20);
        out.exchange(connection(), x);
        out.close();
        JsonNode e = HarChecker.entries(har).get(0);
        assertThat(e.at("/response/status").asInt()).isZero();
        assertThat(e.at("/_plainsight/notes/0").asText()).isEqualTo("response missing: the connection closed");
        assertThat(e.at("/_plainsight/complete").asBoolean()).isFalse();
    }

    @Test
    void flowLogLinesHaveTheDocumentedFields() throws Exception {
        Path flows = tmp.resolve("f.jsonl");
        FlowLogOutput out = new FlowLogOutput(new OutputFile(flows.toString(), "flow log"), 16);
        ConnectionMeta c = connection();
        out.exchange(c, exchange());
        ConnectionMeta plain = connection();
        plain.closed = new ConnectionClosed(7, T0 + 9000, CloseKind.FIN, Direction.SERVER_TO_CLIENT, null, 12, 34);
        out.connectionClosed(plain, "client bytes from offset 0: not HTTP");
        out.close();
        List<String> lines = Files.readAllLines(flows);
        assertThat(lines).hasSize(2);
        ObjectMapper om = new ObjectMapper();
        JsonNode x = om.readTree(lines.get(0));
        assertThat(x.get("type").asText()).isEqualTo("http");
        assertThat(x.get("time").asText()).isEqualTo("2025-11-21T16:00:00.001Z");
        assertThat(x.get("client").asText()).isEqualTo("127.0.0.1:50412");
        assertThat(x.get("server").asText()).isEqualTo("10.0.0.5:443");
        assertThat(x.at("/tls/alpn").asText()).isEqualTo("http/1.1");
        assertThat(x.at("/request/url").asText()).isEqualTo("https://api.test/v1/items?q=a%20b&x");
        assertThat(x.at("/request/headers/1").toString()).isEqualTo("[\"Cookie\",\"a=1; b=2\"]");
        assertThat(x.at("/request/body").asText()).isEqualTo("{\"name\":\"x\"}");
        // max body 16: the decoded gzip body is shown up to 16 bytes, marked truncated
        assertThat(x.at("/response/body").asText()).isEqualTo("created it\ncreat");
        assertThat(x.at("/response/body_truncated").asBoolean()).isTrue();
        assertThat(x.get("duration_ms").asDouble()).isEqualTo(5.0);
        JsonNode conn = om.readTree(lines.get(1));
        assertThat(conn.get("type").asText()).isEqualTo("connection");
        assertThat(conn.get("bytes_up").asLong()).isEqualTo(12);
        assertThat(conn.get("bytes_down").asLong()).isEqualTo(34);
        assertThat(conn.get("end").asText()).isEqualTo("FIN");
        assertThat(conn.get("closed_by").asText()).isEqualTo("server");
        assertThat(conn.get("undecodable").asText()).isEqualTo("client bytes from offset 0: not HTTP");
    }

    @Test
    void anUnwritableOutputIsCountedAndTheOthersCarryOn() throws Exception {
        Path dir = tmp.resolve("ro");
        Files.createDirectories(dir);
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        OutputFile f = new OutputFile(blocker.resolve("cannot.har").toString(), "HAR"); // a path under a regular file
        HarOutput out = new HarOutput(f, 1024);
        out.exchange(connection(), exchange());
        out.flush();
        assertThat(f.failures()).isPositive();
        out.close();
    }
}
