package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.cli.Running;
import io.plainsight.sink.auditlog.ModSecurityLogReader;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.NginxFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The ModSecurity-compatible audit log through the reverse proxy, with curl as the client and
 * nginx as the backend, read back independently ({@link ModSecurityLogReader}) or with Jackson.
 */
class AuditLogTest extends E2eSupport {
    Path auditLog() {
        return tmp.resolve("modsec_audit.log");
    }

    List<ModSecurityLogReader.Entry> entries() throws Exception {
        return ModSecurityLogReader.read(Files.readString(auditLog(), StandardCharsets.ISO_8859_1));
    }

    static String requestLine(ModSecurityLogReader.Entry e) {
        return e.part('B').split("\n")[0];
    }

    @Test
    void aMultipartUploadHasItsFormFieldsInIAndItsFilesInJ() throws Exception {
        Path upload = tmp.resolve("report.txt");
        Files.writeString(upload, "line one\nline two\n".repeat(100));
        long size = Files.size(upload);
        Running r = reverseToNginx("--audit-log", auditLog().toString(), "--audit-parts", "ABIJFEHZ");
        String u = url(r, "backend.test", "");
        ExternalProcess.Result res = Curl.run("--http1.1", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                "-F", "title=quarterly report", "-F", "file=@" + upload + ";type=text/plain", "-o", "/dev/null",
                "-w", "%{http_code}", u + "/echo");
        assertThat(res.exitCode()).as(res.toString()).isZero();
        assertThat(res.stdout()).isEqualTo("200");
        Curl.https(u + "/hello", ourCa(), "--http2", "--resolve", resolve(r, "backend.test"));
        r.close();

        List<ModSecurityLogReader.Entry> entries = entries();
        assertThat(entries).extracting(AuditLogTest::requestLine).containsExactly("POST /echo HTTP/1.1", "GET /hello HTTP/2.0");
        ModSecurityLogReader.Entry post = entries.get(0);
        assertThat(post.order()).isEqualTo("ABIFEHJZ");
        Matcher a = ModSecurityLogReader.PART_A.matcher(post.part('A'));
        assertThat(a.matches()).as(post.part('A')).isTrue();
        assertThat(a.group("client")).isEqualTo("127.0.0.1");
        assertThat(a.group("host")).isEqualTo("127.0.0.1");
        assertThat(a.group("hport")).as("the listener the client connected to").isEqualTo(Integer.toString(r.port()));
        assertThat(post.part('B')).contains("Content-Type: multipart/form-data; boundary=");
        assertThat(post.part('I')).isEqualTo("title=quarterly+report");
        assertThat(post.part('J').split("\n")).containsExactly("2," + size + ",\"report.txt\",\"text/plain\"", "Total," + size);
        assertThat(post.part('F').split("\n")[0]).isEqualTo("HTTP/1.1 200 OK");
        assertThat(post.part('E')).isEqualTo("echo POST /echo\n");
        assertThat(post.trailer().get("Producer")).startsWith("plainsight/");
        assertThat(post.trailer().get("Stopwatch")).matches("\\d{16} \\d+ \\(- - -\\)");

        ModSecurityLogReader.Entry h2 = entries.get(1);
        assertThat(h2.part('B')).contains("Host: backend.test:" + r.port());
        assertThat(h2.part('F').split("\n")[0]).isEqualTo("HTTP/2.0 200");
        assertThat(h2.part('E')).isEqualTo(NginxFixture.HELLO_BODY);
        assertThat(h2.boundary()).isNotEqualTo(post.boundary());
    }

    @Test
    void relevantOnlyLogsTheServerErrorNotTheSuccessOrThe404() throws Exception {
        Running r = reverseToNginx("--audit-log", auditLog().toString(), "--audit-engine", "RelevantOnly");
        String u = url(r, "backend.test", "");
        ExternalProcess.Result res = Curl.run("--http1.1", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                u + "/hello", "-o", "/dev/null", u + "/error500", "-o", "/dev/null", u + "/no-such-file", "-o", "/dev/null",
                "-w", "%{http_code} ");
        assertThat(res.exitCode()).as(res.toString()).isZero();
        assertThat(res.stdout().trim().split(" ")).containsExactly("200", "500", "404");
        r.close();

        List<ModSecurityLogReader.Entry> entries = entries();
        assertThat(entries).extracting(AuditLogTest::requestLine).containsExactly("GET /error500 HTTP/1.1");
        ModSecurityLogReader.Entry e = entries.get(0);
        assertThat(e.order()).isEqualTo("ABFHZ"); // ABCFHZ by default; a GET has no body for C
        assertThat(e.part('F').split("\n")[0]).isEqualTo("HTTP/1.1 500 Internal Server Error");
        Map<String, String> h = e.trailer();
        assertThat(h).containsEntry("Server", "nginx"); // from the response, as ModSecurity's Server line
    }

    @Test
    void theJsonFormatReadsBackWithJackson() throws Exception {
        Running r = reverseToNginx("--audit-log", auditLog().toString(), "--audit-format", "json", "--audit-parts", "ABCEFHZ");
        String u = url(r, "backend.test", "");
        Curl.https(u + "/echo?q=1", ourCa(), "--http1.1", "--resolve", resolve(r, "backend.test"), "-d", "a=b&c=d");
        Curl.https(u + "/hello", ourCa(), "--http2", "--resolve", resolve(r, "backend.test"));
        r.close();

        ObjectMapper om = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(auditLog(), StandardCharsets.UTF_8)) {
            lines.add(om.readTree(line).get("transaction"));
        }
        assertThat(lines).hasSize(2);
        JsonNode post = lines.get(0);
        assertThat(post.get("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(post.get("host_port").asInt()).isEqualTo(r.port());
        assertThat(post.get("unique_id").asText()).hasSize(27);
        assertThat(post.at("/request/method").asText()).isEqualTo("POST");
        assertThat(post.at("/request/uri").asText()).isEqualTo("/echo?q=1");
        assertThat(post.at("/request/http_version").asDouble()).isEqualTo(1.1);
        assertThat(post.at("/request/body").asText()).isEqualTo("a=b&c=d");
        assertThat(post.at("/request/headers/Content-Type").asText()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(post.at("/response/http_code").asInt()).isEqualTo(200);
        assertThat(post.at("/response/body").asText()).isEqualTo("echo POST /echo?q=1\n");
        assertThat(post.at("/producer/modsecurity").asText()).startsWith("plainsight/");
        assertThat(post.get("messages").isArray()).isTrue();
        JsonNode h2 = lines.get(1);
        assertThat(h2.at("/request/http_version").asDouble()).isEqualTo(2.0);
        assertThat(h2.at("/response/body").asText()).isEqualTo(NginxFixture.HELLO_BODY);
        assertThat(h2.get("unique_id").asText()).isNotEqualTo(post.get("unique_id").asText());
    }
}
