package io.plainsight.policy;

import static io.plainsight.policy.Sources.matches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** &&, ||, !, their word forms, precedence, parentheses, and presence tests. */
class LogicTest {
    private static final MapFieldSource SOURCE = Sources.connection("10.0.0.5", 39836, "192.0.2.80", 443)
            .put("plainsight.mode", "proxy")
            .put("tls.sni", "example.com")
            .put("tls.version", "TLSv1.3")
            .present("http.request")
            .present("websocket");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "http.request => true",
        "http.response => false",
        "http => true",
        "tls => true",
        "websocket => true",
        "tls.sni => true",
        "tls.alpn => false",
        "!tls.alpn => true",
        "not tls.alpn => true",
        "NOT tls.alpn => true",
        "!!tls.sni => true",
        "http.request && tls.sni => true",
        "http.request and http.response => false",
        "http.request AND tls => true",
        "http.response || tls.sni => true",
        "http.response or tls.alpn => false",
        "http.response OR websocket => true",
        // && binds tighter than ||, as in Wireshark 4: true || (x && false)
        "tls.sni || tls.alpn && http.response => true",
        "(tls.sni || tls.alpn) && http.response => false",
        "http.response && tls.alpn || tls.sni => true",
        "http.response && (tls.alpn || tls.sni) => false",
        // ! binds tighter than && and ||, and to a whole comparison
        "!http.response && tls.sni => true",
        "!(http.response && tls.sni) => true",
        "!tcp.port == 443 => false",
        "! tcp.port == 80 => true",
        "not tcp.port == 80 and not tcp.port == 81 => true",
        "((((tls)))) => true",
        "tls.sni == \"example.com\"&&plainsight.mode==proxy => true",
        "ip.src==10.0.0.5&&tcp.dstport==443||http.response => true",
    })
    void combines(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, SOURCE)).isEqualTo(expected);
    }

    @Test
    void shortCircuitsLeftToRight() throws Exception {
        List<String> asked = new java.util.ArrayList<>();
        FieldSource recording = key -> {
            asked.add(key);
            return SOURCE.values(key);
        };
        assertThat(matches("tls.sni || tcp.port == 1 || http.response", recording)).isTrue();
        assertThat(asked).containsExactly("tls.sni");
        asked.clear();
        assertThat(matches("http.response && tls.sni", recording)).isFalse();
        assertThat(asked).containsExactly("http.response");
    }

    @Test
    void nullListsAreAbsentFields() throws Exception {
        FieldSource nulls = key -> null;
        assertThat(matches("tls.sni", nulls)).isFalse();
        assertThat(matches("tcp.port == 1", nulls)).isFalse();
        assertThat(matches("tcp.port not in {1}", nulls)).isTrue();
        assertThat(matches("tcp.srcport != tcp.dstport", nulls)).isFalse();
    }

    @Test
    void aValueOfTheWrongTypeIsAProgrammingError() {
        FieldSource wrong = key -> key.equals("tcp.srcport") ? List.of("80") : List.of();
        assertThatThrownBy(() -> matches("tcp.port == 80", wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FieldSource value for 'tcp.srcport' is a java.lang.String (80); integer fields take java.lang.Long");
        FieldSource v4AsString = key -> key.equals("ip.dst") ? List.of("10.0.0.1") : List.of();
        assertThatThrownBy(() -> matches("ip.addr", v4AsString))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FieldSource value for 'ip.dst' is a java.lang.String (10.0.0.1); address fields take java.net.InetAddress");
    }
}
