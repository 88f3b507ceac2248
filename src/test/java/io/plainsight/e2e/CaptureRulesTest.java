package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.cli.Main;
import io.plainsight.cli.Running;
import io.plainsight.testing.HarChecker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * --rules through the reverse proxy: a 500 puts its client under a sticky full capture for a short
 * window (other clients not), the window ends, and redaction shows in the HAR, flow log and console.
 * Clients are told apart by their source address (curl --interface 127.0.0.2 / 127.0.0.3).
 */
class CaptureRulesTest extends E2eSupport {
    static final String A = "127.0.0.2";
    static final String B = "127.0.0.3";
    static final int WINDOW_SECONDS = 3;

    Path har() {
        return tmp.resolve("out.har");
    }

    Path flows() {
        return tmp.resolve("flows.jsonl");
    }

    Path rules() throws Exception {
        Path f = tmp.resolve("rules.yaml");
        Files.writeString(f, """
                rules:
                  - id: "1001"
                    msg: backend error
                    match: http.response.code >= 500
                    sticky: client %ds
                  - id: "1002"
                    match: http.request.uri contains "/echo"
                    parts: +EIJ
                    redact: {header: [Authorization], param: [password], body-regex: ['password=(\\w+)']}
                """.formatted(WINDOW_SECONDS));
        return f;
    }

    List<JsonNode> httpLines() throws Exception {
        ObjectMapper om = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(flows())) {
            JsonNode n = om.readTree(line);
            if (n.get("type").asText().equals("http")) {
                out.add(n);
            }
        }
        return out;
    }

    static String pathOf(String url) {
        return url.replaceFirst("^https://[^/]+", "");
    }

    static Instant time(JsonNode line) {
        return Instant.parse(line.get("time").asText());
    }

    @Test
    void aClientThatGotA500IsCapturedInFullForTheWindowAndOthersAreNot() throws Exception {
        Running r = reverseToNginx("--rules", rules().toString(), "--har", har().toString(), "--flows", flows().toString());
        assertThat(curlFrom(r, A, "/hello").stdout()).isEqualTo("200");
        assertThat(curlFrom(r, A, "/error500").stdout()).isEqualTo("500");
        long triggered = System.nanoTime();
        curlFrom(r, A, "/hello");
        curlFrom(r, B, "/hello");
        curlFrom(r, A, "/echo?user=bob&password=hunter2", "-u", "bob:s3cret", "-d", "user=bob&password=hunter2");
        long inWindow = (System.nanoTime() - triggered) / 1_000_000;
        assertThat(inWindow).as("the requests in the window took too long on this machine").isLessThan(WINDOW_SECONDS * 1000L);
        Thread.sleep(WINDOW_SECONDS * 1000L - inWindow + 300);
        curlFrom(r, A, "/hello");
        assertThat(r.drain()).isTrue();

        List<JsonNode> lines = httpLines();
        assertThat(lines).extracting(l -> pathOf(l.at("/request/url").asText()) + " " + l.get("client").asText().replaceFirst(":\\d+$", ""))
                .containsExactly("/hello " + A, "/error500 " + A, "/hello " + A, "/hello " + B,
                        "/echo?user=bob&password=******* " + A, "/hello " + A);
        assertThat(lines.get(0).has("sticky_until")).isFalse();
        assertThat(lines.get(0).has("rules")).isFalse();
        JsonNode boom = lines.get(1);
        assertThat(boom.get("rules").toString()).isEqualTo("[\"1001\"]");
        Instant until = Instant.parse(boom.get("sticky_until").asText());
        assertThat(until).isBetween(time(boom).plusSeconds(WINDOW_SECONDS), time(boom).plusSeconds(WINDOW_SECONDS + 2));
        assertThat(lines.get(2).get("sticky_until").asText()).isEqualTo(boom.get("sticky_until").asText());
        assertThat(lines.get(2).has("rules")).isFalse();
        assertThat(lines.get(3).has("sticky_until")).as("client B is not under A's window").isFalse();
        JsonNode login = lines.get(4);
        assertThat(login.get("sticky_until").asText()).isEqualTo(boom.get("sticky_until").asText());
        assertThat(login.get("rules").toString()).isEqualTo("[\"1002\"]");
        assertThat(login.get("sanitised").toString()).isEqualTo(
                "[\"Sanitised-Args: \\\"password\\\".\",\"Sanitised-Request-Headers: \\\"Authorization\\\".\","
                        + "\"Sanitised-Response-Body: \\\"body-regex\\\".\"]");
        assertThat(login.at("/response/body").asText()).isEqualTo("echo POST /echo?user=bob&password=*******\n");
        assertThat(login.toString()).doesNotContain("hunter2").doesNotContain("czNjcmV0") // base64 of s3cret
                .contains("user=bob&password=*******");
        JsonNode after = lines.get(5);
        assertThat(time(after)).isAfter(until);
        assertThat(after.has("sticky_until")).as("the window ended").isFalse();

        List<JsonNode> entries = HarChecker.entries(har());
        JsonNode harLogin = entries.get(4);
        assertThat(harLogin.toString()).doesNotContain("hunter2").doesNotContain("czNjcmV0");
        assertThat(harLogin.at("/request/url").asText()).endsWith("/echo?user=bob&password=*******");
        assertThat(harLogin.at("/request/headers").toString()).contains("\"value\":\"" + "*".repeat("Basic Ym9iOnMzY3JldA==".length()) + "\"");
        assertThat(harLogin.at("/request/postData/text").asText()).isEqualTo("user=bob&password=*******");

        String consoleLogin = awaitConsoleLine(r, l -> l.contains("/echo?"));
        assertThat(consoleLogin).contains("password=*******").doesNotContain("hunter2").contains("[rule 1002]")
                .contains("[full capture until ");
        assertThat(consoleText()).doesNotContain("hunter2");
        // the PCAP keeps the bytes as they were sent
        assertThat(new String(Files.readAllBytes(flushedCapture(r)), StandardCharsets.ISO_8859_1)).contains("password=hunter2");
    }

    @Test
    void aBadRulesFileStopsTheStartWithExitCode2NamingTheLine() throws Exception {
        Path bad = tmp.resolve("bad.rules");
        Files.writeString(bad, "# rules\n1001 match http.response.code >= 5xx => sticky client 600s\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.tlsPort(), "--home", home().toString(),
                "--no-pcap", "--rules", bad.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("plainsight: --rules " + bad + " line 2, column 34: rule 1001: match: ");
    }
}
