package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both rule file formats, and their error messages with file, line and column. */
class CaptureRulesParseTest {
    @TempDir
    Path tmp;

    static final String YAML = """
            # capture rules
            rules:
              - id: "1001"
                msg: backend error
                match: http.response.code >= 500
                sticky: client 600s
              - id: "1002"
                match: http.request.uri contains "/login"
                parts: +EIJ
                redact: {header: [Authorization, Cookie, Set-Cookie], param: [password], body-regex: ['"token":"[^"]*"']}
              - id: "1003"
                match: tls.sni == "bank.example"
                decrypt: off
              - id: 1004
                match: client.ip == 10.0.0.0/8
                audit: off
                parts: [-E, =ABFHZ]
            """;

    static final String LINES = """
            # capture rules, one per line
            1001 "backend error" match http.response.code >= 500 => sticky client 600s
            1002 match http.request.uri contains "/login" => parts +EIJ; redact header Authorization, Cookie, Set-Cookie; \\
                 redact param password; redact body-regex "\\"token\\":\\"[^\\"]*\\""

            1003 match tls.sni == "bank.example" => decrypt off
            1004 match client.ip == 10.0.0.0/8 => audit: off; parts -E; parts =ABFHZ
            """;

    @Test
    void yamlAndLineFormatsReadTheSameRules() throws Exception {
        Path yaml = tmp.resolve("rules.yaml");
        Files.writeString(yaml, YAML);
        Path lines = tmp.resolve("rules.txt");
        Files.writeString(lines, LINES);
        CaptureRules a = CaptureRules.load(yaml);
        CaptureRules b = CaptureRules.load(lines);
        assertThat(a.all()).extracting(Rule::text).containsExactlyElementsOf(b.all().stream().map(Rule::text).toList());
        assertThat(a.all()).extracting(Rule::id).containsExactly("1001", "1002", "1003", "1004");
        assertThat(a.exchangeRules()).extracting(Rule::id).containsExactly("1001", "1002", "1004");
        assertThat(a.connectionRules()).extracting(Rule::id).containsExactly("1003");

        Rule r1 = a.all().get(0);
        assertThat(r1.msg()).isEqualTo("backend error");
        assertThat(r1.actions().stickyMicros()).isEqualTo(600_000_000L);
        assertThat(r1.text()).isEqualTo("1001 \"backend error\" match http.response.code >= 500 => sticky client 10m");
        Rule r2 = a.all().get(1);
        assertThat(r2.actions().parts()).containsExactly(new PartsChange('+', "EIJ"));
        assertThat(r2.actions().redact().headers()).containsExactly("Authorization", "Cookie", "Set-Cookie");
        assertThat(r2.actions().redact().params()).containsExactly("password");
        assertThat(r2.actions().redact().bodyRegexes()).singleElement().extracting(p -> p.pattern())
                .isEqualTo("\"token\":\"[^\"]*\"");
        assertThat(a.all().get(2).actions().decrypt()).isFalse();
        Rule r4 = a.all().get(3);
        assertThat(r4.actions().audit()).isFalse();
        assertThat(r4.actions().parts()).extracting(PartsChange::toString).containsExactly("-E", "=ABFHZ");
        assertThat(a.all().get(0).where()).isEqualTo(yaml + " line 3");
    }

    @Test
    void aRuleTextParsesBackToTheSameRule() throws Exception {
        CaptureRules a = CaptureRules.parse("r.yaml", YAML);
        String text = String.join("\n", a.all().stream().map(Rule::text).toList());
        CaptureRules b = CaptureRules.parse("r.rules", text);
        assertThat(b.all()).extracting(Rule::text).containsExactlyElementsOf(a.all().stream().map(Rule::text).toList());
    }

    @Test
    void formatIsChosenBySuffixOrByARulesKey() {
        assertThat(CaptureRules.isYaml("x.yml", "")).isTrue();
        assertThat(CaptureRules.isYaml("x.conf", "# c\n\nrules:\n")).isTrue();
        assertThat(CaptureRules.isYaml("x.conf", "1 match http => audit on")).isFalse();
    }

    @Test
    void emptyFilesHoldNoRules() throws Exception {
        assertThat(CaptureRules.parse("e.yaml", "").all()).isEmpty();
        assertThat(CaptureRules.parse("e.yaml", "rules:\n").all()).isEmpty();
        assertThat(CaptureRules.parse("e.rules", "# nothing\n\n").all()).isEmpty();
    }

    static void fails(String source, String text, String message) {
        assertThatThrownBy(() -> CaptureRules.parse(source, text)).isInstanceOf(RulesException.class).hasMessageStartingWith(message);
    }

    @Test
    void yamlErrorsNameTheLineAndColumn() {
        fails("r.yaml", "rules:\n  - id: a\n    match: htp.host == x\n    audit: on\n",
                "r.yaml line 3, column 12: rule a: match: unknown field 'htp.host' at position 1; did you mean 'http.host'?");
        fails("r.yaml", "rules:\n  - id: a\n    match: http\n    stiky: client 1s\n",
                "r.yaml line 4, column 5: rule a: unknown key 'stiky'; did you mean 'sticky'?");
        fails("r.yaml", "rules:\n  - id: a\n    match: http\n    parts: EIJ\n",
                "r.yaml line 4, column 12: rule a: parts 'EIJ': start with + (add), - (remove) or = (replace), e.g. +EIJ");
        fails("r.yaml", "rules:\n  - id: a\n    match: http\n", "r.yaml line 2, column 5: rule a: no action; actions are "
                + "parts, audit, sticky, redact, capture, decrypt");
        fails("r.yaml", "rules:\n  - id: a\n    match: http\n    audit: on\n  - id: a\n    match: http\n    audit: on\n",
                "r.yaml line 5, column 9: rule id 'a' is used twice");
        fails("r.yaml", "rules:\n  - id: a\n    match: http.request.uri contains \"/x\"\n    capture: off\n",
                "r.yaml line 3, column 12: rule a: capture is decided when the connection opens, before any HTTP is seen: its match "
                        + "can use only client.ip, ip.addr, ip.dst, ip.src, ipv6.addr, ipv6.dst, ipv6.src, plainsight.mode, "
                        + "tcp.dstport, tcp.port, tcp.srcport, tls.ja3, tls.ja4, tls.sni, not 'http.request.uri'");
        fails("r.yaml", "rules: [\n", "r.yaml line 1, column 9: not valid YAML: while parsing a flow node; expected the node content, but found");
        fails("r.yaml", "rules:\n  - id: a\n    match: http\n    redact: {body-regex: ['(']}\n",
                "r.yaml line 4, column 14: rule a: redact body-regex '(': Unclosed group at index 1");
        fails("r.yaml", "rulez: []\n", "r.yaml line 1, column 1: expected 'rules:' and a list of rules");
    }

    @Test
    void lineFormatErrorsNameTheLineAndColumn() {
        fails("r.rules", "# c\n1 match http audit on\n", "r.rules line 2, column 22: rule 1: expected '=>' and the actions after the "
                + "match expression");
        fails("r.rules", "\n1 \"m\" mach http => audit on\n", "r.rules line 2, column 7: rule 1: expected 'match' after the rule id, "
                + "found 'mach'");
        fails("r.rules", "1 match http.response.code >= x5 => audit on\n",
                "r.rules line 1, column 31: rule 1: match: " + parseError("http.response.code >= x5"));
        fails("r.rules", "1 match http => audit maybe\n", "r.rules line 1, column 17: rule 1: audit 'maybe': expected on or off");
        fails("r.rules", "1 match http => stcky client 5s\n",
                "r.rules line 1, column 17: rule 1: unknown action 'stcky'; did you mean 'sticky'?");
        fails("r.rules", "1 match http => sticky 5s\n",
                "r.rules line 1, column 17: rule 1: sticky '5s': expected 'client DURATION', e.g. client 600s");
        fails("r.rules", "1 match http => audit on; \\\n  redact body-regex x\n",
                "r.rules line 2, column 10: rule 1: redact body-regex: write the pattern in double quotes, e.g. redact body-regex "
                        + "\"\\\"token\\\":\\\"[^\\\"]*\\\"\"");
        fails("r.rules", "1 match tls.sni == \"a\" => decrypt off; parts +E\n", "r.rules line 1, column 1: rule 1: capture/decrypt act "
                + "on whole connections when they open and cannot be mixed with parts, audit, sticky or redact in one rule; write two rules");
        fails("r.rules", "1 match http =>   \n", "r.rules line 1, column 19: rule 1: no action after '=>'");
    }

    private static String parseError(String expr) {
        try {
            FilterExpression.parse(expr);
            throw new AssertionError("parsed");
        } catch (FilterSyntaxException e) {
            return e.getMessage().replaceFirst("^filter: ", "");
        }
    }

    @Test
    void quotesAndArrowsInsideStringsDoNotEndTheExpression() throws Exception {
        CaptureRules r = CaptureRules.parse("r.rules", "x1 \"a => b; c\" match http.request.uri contains \"=>;\\\"\" => "
                + "redact body-regex \"a;b\\\\d\"; audit on");
        Rule rule = r.all().get(0);
        assertThat(rule.msg()).isEqualTo("a => b; c");
        assertThat(rule.match().text()).isEqualTo("http.request.uri contains \"=>;\\\"\"");
        assertThat(rule.actions().redact().bodyRegexes()).singleElement().extracting(p -> p.pattern()).isEqualTo("a;b\\d");
        assertThat(rule.actions().audit()).isTrue();
    }

    @Test
    void rulesFileErrorsNameTheFile() {
        Path missing = tmp.resolve("nope.yaml");
        assertThatThrownBy(() -> CaptureRules.load(missing)).isInstanceOf(RulesException.class)
                .hasMessage(missing + ": no such file");
    }

    @Test
    void connectionRulesDecideCaptureAndDecrypt() throws Exception {
        CaptureRules r = CaptureRules.parse("r.rules", """
                a match tls.sni == "bank.example" => decrypt off
                b match client.ip == 127.0.0.9 => capture off
                c match tls.sni == "bank.example" => decrypt on
                """);
        MapFieldSource bank = new MapFieldSource().put("tls.sni", "bank.example")
                .put("ip.src", java.net.InetAddress.getByName("127.0.0.2"));
        assertThat(r.connection(bank)).satisfies(d -> {
            assertThat(d.decrypt()).isFalse();
            assertThat(d.capture()).isTrue();
            assertThat(d.decryptRule().id()).isEqualTo("a");
        });
        MapFieldSource other = new MapFieldSource().put("ip.src", java.net.InetAddress.getByName("127.0.0.9"));
        assertThat(r.connection(other).capture()).isFalse();
        assertThat(r.connection(other).decrypt()).isTrue();
        assertThat(CaptureRules.EMPTY.connection(other)).isEqualTo(new CaptureRules.ConnectionDecision(true, true, null, null));
        assertThat(List.of()).isEmpty();
    }
}
