package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The field table: names, types, source keys, header families, help text; MapFieldSource's checks. */
class FieldsTest {

    @Test
    void hasTheFieldsWiresharkUsersType() {
        assertThat(Fields.all().stream().map(Field::name).toList()).containsExactly(
                "ip.addr", "ip.src", "ip.dst", "client.ip", "ipv6.addr", "ipv6.src", "ipv6.dst",
                "tcp.port", "tcp.srcport", "tcp.dstport", "tcp.stream", "flow.bytes", "plainsight.mode",
                "tls", "tls.sni", "tls.version", "tls.cipher", "tls.alpn", "tls.ja3", "tls.ja4",
                "http", "http.request", "http.response", "http.host", "http.request.method", "http.request.uri",
                "http.request.full_uri", "http.request.version", "http.response.code", "http.response.phrase",
                "http.response.version", "http.duration", "http.user_agent", "http.content_type", "http.content_length",
                "http.server", "http.cookie", "http.set_cookie", "http.referer", "websocket");
    }

    @Test
    void everyFieldReadsKeysOfItsOwnType() {
        for (Field f : Fields.all()) {
            assertThat(f.description()).as(f.name()).isNotBlank();
            assertThat(f.keys()).as(f.name()).isNotEmpty();
            for (String key : f.keys()) {
                if (f.type() == FieldType.PRESENCE) {
                    assertThat(Fields.keyType(key)).as("%s reads %s", f.name(), key).isNotNull();
                } else {
                    assertThat(Fields.keyType(key)).as("%s reads %s", f.name(), key).isEqualTo(f.type());
                }
            }
            assertThat(Fields.lookup(f.name())).isSameAs(f);
        }
    }

    @Test
    void compositeFieldsReadTheirParts() {
        assertThat(Fields.lookup("ip.addr").keys()).containsExactly("ip.src", "ip.dst");
        assertThat(Fields.lookup("ipv6.addr").keys()).containsExactly("ip.src", "ip.dst");
        assertThat(Fields.lookup("ipv6.addr").ipv6Only()).isTrue();
        assertThat(Fields.lookup("ip.addr").ipv6Only()).isFalse();
        assertThat(Fields.lookup("tcp.port").keys()).containsExactly("tcp.srcport", "tcp.dstport");
        assertThat(Fields.lookup("tcp.port").max()).isEqualTo(65535);
        assertThat(Fields.lookup("http.response.code").max()).isEqualTo(999);
        assertThat(Fields.lookup("http").keys()).containsExactly("http.request", "http.response");
        assertThat(Fields.lookup("http.user_agent").keys()).containsExactly("http.header.user-agent");
        assertThat(Fields.lookup("http.content_type").keys())
                .containsExactly("http.header.content-type", "http.response.header.content-type");
        assertThat(Fields.lookup("http.set_cookie").keys()).containsExactly("http.response.header.set-cookie");
        assertThat(Fields.lookup("plainsight.mode").choices())
                .containsExactly("reverse", "terminate", "originate", "proxy", "transparent", "offline");
    }

    @Test
    void headerFamiliesTakeAnyTokenNameInLowerCase() {
        Field f = Fields.lookup("http.header.X-Api-Key");
        assertThat(f.name()).isEqualTo("http.header.x-api-key");
        assertThat(f.type()).isEqualTo(FieldType.STRING);
        assertThat(f.layer()).isEqualTo(Field.Layer.HTTP);
        assertThat(f.keys()).containsExactly("http.header.x-api-key");
        assertThat(Fields.lookup("http.response.header.Server").keys()).containsExactly("http.response.header.server");
        assertThat(Fields.lookup("http.header.")).isNull();
        assertThat(Fields.lookup("http.header.a/b")).isNull();
        assertThat(Fields.lookup("http.header.a:b")).isNull();
        assertThat(Fields.lookup("HTTP.HOST")).isNull();
        assertThat(Fields.lookup("tcp")).isNull();
    }

    @Test
    void sourceKeys() {
        assertThat(Fields.keyType("ip.src")).isEqualTo(FieldType.ADDRESS);
        assertThat(Fields.keyType("tcp.stream")).isEqualTo(FieldType.INTEGER);
        assertThat(Fields.keyType("http.request")).isEqualTo(FieldType.PRESENCE);
        assertThat(Fields.keyType("tls.version")).isEqualTo(FieldType.STRING);
        assertThat(Fields.keyType("http.header.x-api-key")).isEqualTo(FieldType.STRING);
        assertThat(Fields.keyType("http.response.header.server")).isEqualTo(FieldType.STRING);
        assertThat(Fields.keyType("http.header.X-Api-Key")).isNull();
        assertThat(Fields.keyType("ip.addr")).isNull();
        assertThat(Fields.keyType("tcp.port")).isNull();
        assertThat(Fields.keyType("http.user_agent")).isNull();
        assertThat(Fields.keys()).containsKeys("ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tls.version", "websocket")
                .doesNotContainKeys("ip.addr", "tls", "http");
    }

    @Test
    void suggestsTheNearestName() {
        assertThat(Fields.suggest("htp.host")).isEqualTo("http.host");
        assertThat(Fields.suggest("tls.snii")).isEqualTo("tls.sni");
        assertThat(Fields.suggest("tcp.dstprot")).isEqualTo("tcp.dstport");
        assertThat(Fields.suggest("Tls.Sni")).isEqualTo("tls.sni");
        assertThat(Fields.suggest("frame.number")).isNull();
        assertThat(Fields.distance("ab", "ba")).isEqualTo(1);
        assertThat(Fields.distance("", "abc")).isEqualTo(3);
        assertThat(Fields.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void helpListsEveryFieldOnItsOwnLine() {
        List<String> lines = Fields.help().lines().toList();
        assertThat(lines).hasSize(Fields.all().size() + 2);
        assertThat(lines).contains(
                "  tcp.port                     integer   client or server port (tcp.srcport or tcp.dstport)",
                "  http.request                 presence  an HTTP request",
                "  http.header.<name>           string    any request header field, e.g. http.header.x-api-key",
                "  http.response.header.<name>  string    any response header field");
        for (Field f : Fields.all()) {
            assertThat(lines).anyMatch(l -> l.startsWith("  " + f.name() + " "));
        }
    }

    @Test
    void syntaxHelpExamplesParseAndTheFieldTableFollows() throws Exception {
        String help = FilterExpression.help();
        List<String> examples = help.lines().skip(1).limit(4).map(String::strip).toList();
        for (String example : examples) {
            assertThat(FilterExpression.parse(example).text()).isEqualTo(example);
        }
        assertThat(help).contains("  A multi-valued field (ip.addr, tcp.port, repeated headers) passes == when any\n");
        assertThat(help).contains("  Strings: \"double quoted\" with \\\" \\\\ \\xNN escapes, r\"raw\", or a bare word;\n");
        assertThat(help).endsWith("Fields:\n" + Fields.help());
    }

    @Test
    void mapFieldSourceChecksKeysAndTypes() {
        MapFieldSource s = new MapFieldSource().put("tcp.srcport", 443).put("http.header.cookie", "a=1", "b=2");
        assertThat(s.values("tcp.srcport")).containsExactly(443L);
        assertThat(s.values("http.header.cookie")).containsExactly("a=1", "b=2");
        assertThat(s.values("tcp.dstport")).isEmpty();
        s.put("http.header.cookie");
        assertThat(s.values("http.header.cookie")).isEmpty();
        assertThatThrownBy(() -> s.put("ip.addr", Sources.ip("10.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'ip.addr' is not a field source key; keys are ip.src, ip.dst, tcp.srcport, ")
                .hasMessageEndingWith(", http.header.<name>, http.response.header.<name> (header names in lower case)");
        assertThatThrownBy(() -> s.put("tcp.srcport", "80"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FieldSource value for 'tcp.srcport' is a java.lang.String (80); integer fields take java.lang.Long");
        assertThatThrownBy(() -> s.put("ip.src", "10.0.0.1"))
                .hasMessage("FieldSource value for 'ip.src' is a java.lang.String (10.0.0.1); address fields take java.net.InetAddress");
        assertThatThrownBy(() -> s.put("tls.sni", (Object) null))
                .hasMessage("FieldSource value for 'tls.sni' is null; string fields take java.lang.String");
        assertThatThrownBy(() -> s.put("http.header.User-Agent", "x"))
                .hasMessageStartingWith("'http.header.User-Agent' is not a field source key");
    }
}
