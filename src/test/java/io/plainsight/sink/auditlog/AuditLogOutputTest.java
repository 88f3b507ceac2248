package io.plainsight.sink.auditlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.http.Exchange;
import io.plainsight.policy.RuleMatch;
import io.plainsight.policy.RuleVerdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which exchanges get an entry, with which parts, and where it goes. */
class AuditLogOutputTest {
    @TempDir
    Path tmp;

    Path log() {
        return tmp.resolve("audit.log");
    }

    List<ModSecurityLogReader.Entry> write(AuditLogSettings settings, Exchange... exchanges) throws Exception {
        AuditLogOutput out = AuditLogParserTest.output(settings, log());
        for (Exchange x : exchanges) {
            out.exchange(AuditFixtures.reverse(), x);
        }
        out.close();
        return Files.exists(log()) ? ModSecurityLogReader.read(Files.readString(log(), StandardCharsets.ISO_8859_1)) : List.of();
    }

    static String requestLine(ModSecurityLogReader.Entry e) {
        return e.part('B').split("\n")[0];
    }

    static RuleVerdict verdict(List<RuleMatch> matches, List<String> changes, Boolean audit, long sticky) {
        return new RuleVerdict(matches, changes, audit, sticky, List.of());
    }

    static Exchange with(Exchange x, RuleVerdict v) {
        x.verdict = v;
        return x;
    }

    @Test
    void engineOnLogsEveryExchange() throws Exception {
        assertThat(write(AuditLogSettings.defaults(), AuditFixtures.hello(), AuditFixtures.form(500), AuditFixtures.noResponse()))
                .extracting(AuditLogOutputTest::requestLine).containsExactly("GET /hello HTTP/1.1", "POST /login HTTP/1.1",
                        "GET /slow HTTP/1.1");
    }

    @Test
    void relevantOnlyLogsServerErrorsAnd4xxBut404AndRuleMatches() throws Exception {
        Exchange matched = with(AuditFixtures.hello(), verdict(List.of(new RuleMatch("7", "seen", "true")), List.of(), null, 0));
        Exchange forbidden = AuditFixtures.form(403);
        List<ModSecurityLogReader.Entry> entries = write(AuditLogSettings.defaults().withEngine(AuditEngine.RELEVANT_ONLY),
                AuditFixtures.hello(), AuditFixtures.form(500), AuditFixtures.http2NotFound(), forbidden, matched,
                AuditFixtures.noResponse());
        assertThat(entries).extracting(AuditLogOutputTest::requestLine)
                .containsExactly("POST /login HTTP/1.1", "POST /login HTTP/1.1", "GET /hello HTTP/1.1");
        assertThat(entries.get(0).part('F')).startsWith("HTTP/1.1 500 ");
        assertThat(entries.get(1).part('F')).startsWith("HTTP/1.1 403 ");
        assertThat(entries.get(2).messages()).containsExactly("Message: Warning. Matched plainsight rule. [id \"7\"] [msg \"seen\"]");
    }

    @Test
    void theRelevantStatusExpressionIsSearchedInTheCode() throws Exception {
        assertThat(write(AuditLogSettings.defaults().withEngine(AuditEngine.RELEVANT_ONLY)
                        .withRelevantStatus(AuditLogSettings.relevantStatus("^20")), AuditFixtures.hello(), AuditFixtures.form(500)))
                .extracting(AuditLogOutputTest::requestLine).containsExactly("GET /hello HTTP/1.1");
    }

    @Test
    void theRulesAuditDecisionWinsOverTheEngine() throws Exception {
        Exchange forcedOn = with(AuditFixtures.hello(), verdict(List.of(), List.of(), true, 0));
        Exchange forcedOff = with(AuditFixtures.form(500), verdict(List.of(new RuleMatch("1", null, "x")), List.of(), false, 0));
        assertThat(write(AuditLogSettings.defaults().withEngine(AuditEngine.RELEVANT_ONLY), forcedOn, forcedOff))
                .extracting(AuditLogOutputTest::requestLine).containsExactly("GET /hello HTTP/1.1");
    }

    @Test
    void partChangesApplyInOrderOnTheConfiguredParts() throws Exception {
        Exchange x = with(AuditFixtures.upload(), verdict(List.of(), List.of("+EIJ", "-C"), null, 0));
        List<ModSecurityLogReader.Entry> entries = write(AuditLogSettings.defaults().withParts(AuditParts.parse("ABFHKZ")), x,
                AuditFixtures.hello());
        assertThat(entries.get(0).order()).isEqualTo("ABIFEHJKZ");
        assertThat(entries.get(1).order()).isEqualTo("ABFHKZ");
    }

    @Test
    void aStickyClientIsLoggedWithEveryPartEvenWhenNotRelevant() throws Exception {
        long until = AuditFixtures.T0 + 600_000_000L;
        Exchange x = with(AuditFixtures.upload(), verdict(List.of(), List.of("-E"), null, until));
        List<ModSecurityLogReader.Entry> entries = write(AuditLogSettings.defaults().withEngine(AuditEngine.RELEVANT_ONLY)
                .withParts(AuditParts.parse("ABFHZ")), x, AuditFixtures.hello());
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).order()).isEqualTo("ABCIFEHJKZ");
        assertThat(entries.get(0).trailer().get("Sticky-Capture"))
                .isEqualTo("full capture of this client until 21/Nov/2025:17:10:00 +0100");
    }

    @Test
    void theLogIsAppendedToAcrossRuns() throws Exception {
        Files.writeString(log(), "earlier\n");
        for (int run = 0; run < 2; run++) {
            AuditLogOutput out = AuditLogParserTest.output(AuditLogSettings.defaults(), log());
            out.exchange(AuditFixtures.reverse(), AuditFixtures.hello());
            out.close();
        }
        String text = Files.readString(log());
        assertThat(text).startsWith("earlier\n");
        assertThat(ModSecurityLogReader.read(text.substring("earlier\n".length()))).hasSize(2);
    }

    @Test
    void bodiesAreThoseTheDecodersKept() throws Exception {
        Exchange x = AuditFixtures.form(200);
        io.plainsight.http.HttpMessage req = new io.plainsight.http.HttpMessage(io.plainsight.http.HttpMessage.Kind.REQUEST, 10);
        req.method = "POST";
        req.target = "/big";
        req.version = "HTTP/1.1";
        req.startMicros = AuditFixtures.T0;
        req.headers.add(new io.plainsight.http.Http1Header("Host", "api.test"));
        byte[] big = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        req.body.append(big, 0, big.length);
        Exchange cut = new Exchange(7, 0, req);
        cut.response = x.response;
        List<ModSecurityLogReader.Entry> entries = write(AuditLogSettings.defaults(), cut);
        assertThat(entries.get(0).part('C')).isEqualTo("0123456789");
        assertThat(entries.get(0).trailer().get("Request-Body-Truncated")).isEqualTo("10 of 20 bytes kept (--max-body)");
    }

    @Test
    void jsonEntriesReadBackWithJackson() throws Exception {
        AuditLogOutput out = AuditLogParserTest.output(AuditLogSettings.defaults().withFormat(AuditFormat.JSON)
                .withParts(AuditParts.ALL), log());
        out.exchange(AuditFixtures.reverse(), AuditFixtures.upload());
        out.exchange(AuditFixtures.proxyIpv6(), AuditFixtures.http2NotFound());
        out.close();
        ObjectMapper om = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log(), StandardCharsets.UTF_8)) {
            lines.add(om.readTree(line));
        }
        assertThat(lines).hasSize(2);
        JsonNode t = lines.get(0).get("transaction");
        assertThat(t.get("unique_id").asText()).hasSize(27);
        assertThat(t.get("client_port").asInt()).isEqualTo(50412);
        assertThat(t.get("host_ip").asText()).isEqualTo("127.0.0.2");
        assertThat(t.at("/request/http_version").isNumber()).isTrue();
        assertThat(t.at("/request/http_version").asDouble()).isEqualTo(1.1);
        assertThat(t.at("/request/headers/Authorization").asText()).isEqualTo("********");
        assertThat(t.at("/response/http_code").asInt()).isEqualTo(201);
        assertThat(t.at("/response/body").asText()).isEqualTo("stored 2 files\n");
        assertThat(t.at("/response/headers/Set-Cookie").asText()).isEqualTo("a=1; Path=/, b=2; Path=/");
        assertThat(t.at("/messages/0/details/ruleId").asText()).isEqualTo("1001");
        assertThat(t.at("/messages/0/message").asText()).isEqualTo("Upload with \"quotes\"");
        assertThat(t.at("/producer/modsecurity").asText()).isEqualTo("plainsight/test");
        assertThat(t.at("/plainsight/uploads/total").asLong()).isEqualTo(26);
        assertThat(t.at("/plainsight/uploads/files/1/filename").asText()).isEqualTo("a\"b.png");
        assertThat(lines.get(1).at("/transaction/request/http_version").asDouble()).isEqualTo(2.0);
        assertThat(lines.get(1).at("/transaction/client_ip").asText()).isEqualTo("::1");
        assertThat(lines.get(1).at("/transaction/request/headers/Host").asText()).isEqualTo("api.test");
    }

    @Test
    void concurrentEntriesAreOwnerOnlyAndAnUnwritableStorageCostsOnlyItsEntries() throws Exception {
        Path dir = tmp.resolve("storage");
        AuditLogOutput out = AuditLogParserTest.output(AuditLogSettings.defaults().withStorageDir(dir), log());
        out.exchange(AuditFixtures.reverse(), AuditFixtures.hello());
        out.flush();
        Matcher index = ModSecurityLogReader.INDEX_LINE.matcher(Files.readString(log()).strip());
        assertThat(index.matches()).isTrue();
        String name = index.group(15);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name.substring(0, 8)))))
                .isEqualTo("rwx------");

        // a file where the next entry's day directory must go: that entry is lost, the next one is not
        Path blocker = tmp.resolve("blocked");
        Files.writeString(blocker, "not a directory");
        AuditLogOutput blocked = AuditLogParserTest.output(AuditLogSettings.defaults().withStorageDir(blocker), log());
        blocked.exchange(AuditFixtures.reverse(), AuditFixtures.hello());
        Files.delete(blocker);
        blocked.exchange(AuditFixtures.reverse(), AuditFixtures.form(500));
        blocked.close();
        out.close();
        List<String> lines = Files.readAllLines(log());
        assertThat(lines).hasSize(2);
        Matcher m = ModSecurityLogReader.INDEX_LINE.matcher(lines.get(1));
        assertThat(m.matches()).isTrue();
        assertThat(m.group(8)).isEqualTo("POST /login HTTP/1.1");
    }

    @Test
    void uniqueIdsAndBoundariesHaveModSecuritysShape() {
        AuditIds ids = new AuditIds(new Random(1));
        String a = ids.uniqueId(AuditFixtures.T0);
        String b = ids.uniqueId(AuditFixtures.T0);
        assertThat(a).hasSize(27).matches("[A-Za-z0-9@-]+").isNotEqualTo(b);
        assertThat(ids.boundary()).matches("[a-f0-9]{8}");
        assertThat(new AuditIds().uniqueId(AuditFixtures.T0)).isNotEqualTo(new AuditIds().uniqueId(AuditFixtures.T0));
    }
}
