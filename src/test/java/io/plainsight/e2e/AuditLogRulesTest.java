package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.cli.Running;
import io.plainsight.sink.auditlog.ModSecurityLogReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The audit log and the capture rules together, through the reverse proxy (issue 6's scenario):
 * a 500 puts client A (127.0.0.2) under a sticky full capture for a short window, so its next
 * entries have every part (E, I, J, K) while client B's (127.0.0.3) keep the default ABCFHZ; after
 * the window A's extra parts stop. Authorization and the password parameter are redacted in the
 * audit log (and listed in H), while the PCAP keeps the bytes as they were sent. Read back with the
 * independent {@link ModSecurityLogReader}, and the JSON format with Jackson.
 */
class AuditLogRulesTest extends E2eSupport {
    static final String A = "127.0.0.2";
    static final String B = "127.0.0.3";
    static final int WINDOW_SECONDS = 3;
    static final String BASIC = "Basic Ym9iOnMzY3JldA=="; // bob:s3cret

    Path auditLog() {
        return tmp.resolve("modsec_audit.log");
    }

    Path rulesFile() throws Exception {
        Path f = tmp.resolve("audit.rules"); // the line format (CaptureRulesTest uses YAML)
        Files.writeString(f, "2001 \"backend error\" match http.response.code >= 500 => sticky client " + WINDOW_SECONDS + "s\n"
                + "2002 match http.request.method == \"POST\" => redact header Authorization; redact param password\n");
        return f;
    }

    Running start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--rules", rulesFile().toString(), "--audit-log", auditLog().toString()));
        args.addAll(List.of(extra));
        return reverseToNginx(args.toArray(String[]::new));
    }

    /** A POST of a urlencoded form with the password in the query and the body, and Basic credentials. */
    String[] loginForm() {
        return new String[] {"-u", "bob:s3cret", "-d", "user=bob&password=hunter2"};
    }

    static String stars(String s) {
        return "*".repeat(s.length());
    }

    static String clientOf(ModSecurityLogReader.Entry e) {
        Matcher a = ModSecurityLogReader.PART_A.matcher(e.part('A'));
        assertThat(a.matches()).as(e.part('A')).isTrue();
        return a.group("client");
    }

    static String summary(ModSecurityLogReader.Entry e) {
        return clientOf(e) + " " + AuditLogTest.requestLine(e) + " " + e.order();
    }

    static List<String> lines(String part) {
        return List.of(part.split("\n"));
    }

    @Test
    void aClientThatGotA500IsLoggedWithEveryPartForTheWindowAndRedacted() throws Exception {
        Path upload = tmp.resolve("report.txt");
        Files.writeString(upload, "line one\nline two\n".repeat(50));
        long size = Files.size(upload);
        Running r = start();
        assertThat(curlFrom(r, A, "/hello").stdout()).isEqualTo("200");
        assertThat(curlFrom(r, A, "/error500").stdout()).isEqualTo("500");
        long triggered = System.nanoTime();
        assertThat(curlFrom(r, A, "/echo", "-u", "bob:s3cret", "-F", "title=quarterly report", "-F", "password=hunter2",
                "-F", "file=@" + upload + ";type=text/plain").stdout()).isEqualTo("200");
        curlFrom(r, A, "/echo", loginForm());
        curlFrom(r, B, "/echo?password=hunter2", loginForm());
        long inWindow = (System.nanoTime() - triggered) / 1_000_000;
        assertThat(inWindow).as("the requests in the window took too long on this machine").isLessThan(WINDOW_SECONDS * 1000L);
        Thread.sleep(WINDOW_SECONDS * 1000L - inWindow + 300);
        curlFrom(r, A, "/echo", loginForm());
        Path pcap = flushedCapture(r);
        r.close();

        List<ModSecurityLogReader.Entry> entries =
                ModSecurityLogReader.read(Files.readString(auditLog(), StandardCharsets.ISO_8859_1));
        assertThat(entries).extracting(AuditLogRulesTest::summary).containsExactly(
                A + " GET /hello HTTP/1.1 ABFHZ",
                A + " GET /error500 HTTP/1.1 ABFEHKZ",
                A + " POST /echo HTTP/1.1 ABCIFEHJKZ",
                A + " POST /echo HTTP/1.1 ABCFEHKZ",
                B + " POST /echo?password=******* HTTP/1.1 ABCFHZ",
                A + " POST /echo HTTP/1.1 ABCFHZ");

        assertThat(entries.get(0).messages()).isEmpty();
        assertThat(entries.get(0).trailer()).doesNotContainKey("Sticky-Capture");

        ModSecurityLogReader.Entry boom = entries.get(1);
        assertThat(boom.messages()).hasSize(1);
        String message = boom.messages().get(0);
        assertThat(message).startsWith("Message: ");
        assertThat(matched(ModSecurityLogReader.MESSAGE_ID, message)).isEqualTo("2001");
        assertThat(matched(ModSecurityLogReader.MESSAGE_MSG, message)).isEqualTo("backend error");
        assertThat(boom.part('K')).contains("http.response.code >= 500").contains("sticky");
        assertThat(boom.part('F').split("\n")[0]).isEqualTo("HTTP/1.1 500 Internal Server Error");
        String sticky = boom.trailer().get("Sticky-Capture");
        assertThat(sticky).as("the H part says the client is under a full capture").startsWith("full capture of this client until ");

        ModSecurityLogReader.Entry upload1 = entries.get(2);
        assertThat(upload1.trailer()).containsEntry("Sticky-Capture", sticky);
        assertThat(upload1.part('B')).contains("Authorization: " + stars(BASIC)).doesNotContain(BASIC);
        assertThat(upload1.part('I')).isEqualTo("title=quarterly+report&password=*******");
        assertThat(lines(upload1.part('J'))).containsExactly("3," + size + ",\"report.txt\",\"text/plain\"", "Total," + size);
        assertThat(upload1.part('C')).contains("line one").doesNotContain("hunter2");
        assertThat(upload1.part('E')).isEqualTo("echo POST /echo\n");
        assertThat(upload1.messages()).hasSize(1);
        assertThat(matched(ModSecurityLogReader.MESSAGE_ID, upload1.messages().get(0))).isEqualTo("2002");
        assertThat(upload1.part('K')).contains("http.request.method == \"POST\"");
        assertThat(lines(upload1.part('H'))).contains("Sanitised-Args: \"password\".",
                "Sanitised-Request-Headers: \"Authorization\".");

        ModSecurityLogReader.Entry formA = entries.get(3);
        assertThat(formA.trailer()).containsEntry("Sticky-Capture", sticky);
        assertThat(formA.part('C')).isEqualTo("user=bob&password=*******");
        assertThat(formA.part('B')).contains("Authorization: " + stars(BASIC));

        ModSecurityLogReader.Entry formB = entries.get(4);
        assertThat(formB.trailer()).as("client B is not under A's window").doesNotContainKey("Sticky-Capture");
        assertThat(formB.part('B')).contains("Authorization: " + stars(BASIC)).doesNotContain(BASIC);
        assertThat(formB.part('C')).isEqualTo("user=bob&password=*******");
        assertThat(lines(formB.part('H'))).contains("Sanitised-Args: \"password\".",
                "Sanitised-Request-Headers: \"Authorization\".");

        ModSecurityLogReader.Entry after = entries.get(5);
        assertThat(after.trailer()).as("the window ended").doesNotContainKey("Sticky-Capture");
        assertThat(after.part('C')).isEqualTo("user=bob&password=*******");

        String log = Files.readString(auditLog(), StandardCharsets.ISO_8859_1);
        assertThat(log).doesNotContain("hunter2").doesNotContain(BASIC);
        String captured = new String(Files.readAllBytes(pcap), StandardCharsets.ISO_8859_1);
        assertThat(captured).as("the PCAP keeps what was sent").contains("user=bob&password=hunter2")
                .contains("/echo?password=hunter2").contains("Authorization: " + BASIC)
                .contains("name=\"password\"\r\n\r\nhunter2\r\n");
    }

    @Test
    void theJsonFormatHasTheRulesMessagesAndTheRedactedValues() throws Exception {
        Running r = start("--audit-format", "json");
        assertThat(curlFrom(r, A, "/error500").stdout()).isEqualTo("500");
        curlFrom(r, A, "/echo", loginForm());
        curlFrom(r, B, "/echo?password=hunter2", loginForm());
        assertThat(r.drain()).isTrue();
        r.close();

        ObjectMapper om = new ObjectMapper();
        List<String> raw = Files.readAllLines(auditLog(), StandardCharsets.UTF_8);
        List<JsonNode> tx = new ArrayList<>();
        for (String line : raw) {
            assertThat(line).doesNotContain("hunter2").doesNotContain(BASIC);
            tx.add(om.readTree(line).get("transaction"));
        }
        assertThat(tx).extracting(t -> t.get("client_ip").asText() + " " + t.at("/request/uri").asText())
                .containsExactly(A + " /error500", A + " /echo", B + " /echo?password=*******");

        JsonNode boom = tx.get(0);
        assertThat(boom.get("messages")).hasSize(1);
        assertThat(boom.at("/messages/0/message").asText()).isEqualTo("backend error");
        assertThat(boom.at("/messages/0/details/ruleId").asText()).isEqualTo("2001");
        assertThat(boom.at("/response/http_code").asInt()).isEqualTo(500);
        assertThat(boom.at("/plainsight/sticky_until").isTextual()).isTrue();

        JsonNode formA = tx.get(1);
        assertThat(formA.at("/messages/0/details/ruleId").asText()).isEqualTo("2002");
        assertThat(formA.at("/request/headers/Authorization").asText()).isEqualTo(stars(BASIC));
        assertThat(formA.at("/request/body").asText()).isEqualTo("user=bob&password=*******");
        assertThat(formA.at("/response/body").asText()).as("E under the sticky capture").isEqualTo("echo POST /echo\n");
        assertThat(formA.at("/plainsight/sticky_until").asText()).isEqualTo(boom.at("/plainsight/sticky_until").asText());
        assertThat(formA.at("/plainsight/sanitised").toString())
                .isEqualTo("[\"Sanitised-Args: \\\"password\\\".\",\"Sanitised-Request-Headers: \\\"Authorization\\\".\"]");

        JsonNode formB = tx.get(2);
        assertThat(formB.at("/plainsight/sticky_until").isMissingNode()).as("client B is not under A's window").isTrue();
        assertThat(formB.at("/request/headers/Authorization").asText()).isEqualTo(stars(BASIC));
        assertThat(formB.at("/request/body").asText()).isEqualTo("user=bob&password=*******");
        assertThat(formB.at("/messages/0/details/ruleId").asText()).isEqualTo("2002");
    }

    static String matched(java.util.regex.Pattern p, String line) {
        Matcher m = p.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return m.group(1);
    }
}
