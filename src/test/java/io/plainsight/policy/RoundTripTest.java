package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** parse, print canonically, parse again: the same canonical text; text() keeps what was typed. */
class RoundTripTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        "ip.addr == 10.0.0.5 && tcp.port == 39836 => ip.addr == 10.0.0.5 && tcp.port == 39836",
        "ip.addr eq 10.0.0.5 and tcp.port eq 39836 => ip.addr == 10.0.0.5 && tcp.port == 39836",
        "ip.addr==10.0.0.5&&tcp.port==39836 => ip.addr == 10.0.0.5 && tcp.port == 39836",
        "http.host contains \"api\" => http.host contains \"api\"",
        "http.host contains api => http.host contains \"api\"",
        "http.request.method == POST => http.request.method == \"POST\"",
        "http.response.code >= 500 => http.response.code >= 500",
        "http.request.uri matches \"^/admin\" => http.request.uri matches \"^/admin\"",
        "http.request.uri ~ \"^/admin\" => http.request.uri matches \"^/admin\"",
        "http.request.uri matches r\"^/admin/\\d+\" => http.request.uri matches \"^/admin/\\\\d+\"",
        "tls.sni == \"example.com\" => tls.sni == \"example.com\"",
        "not tls.sni => !tls.sni",
        "!(tcp.port == 80) => !tcp.port == 80",
        "!!tls => !!tls",
        "!(tls && http) => !(tls && http)",
        "!(tls || http) && websocket => !(tls || http) && websocket",
        "(tls && http) || websocket => tls && http || websocket",
        "tls && (http || websocket) => tls && (http || websocket)",
        "((tls)) => tls",
        "tls || (http || websocket) => tls || http || websocket",
        "(tls && http) && websocket => tls && http && websocket",
        "tls or http and websocket => tls || http && websocket",
        "tcp.port ne 80 => tcp.port != 80",
        "tcp.port all_ne 80 => tcp.port != 80",
        "tcp.port any_eq 80 => tcp.port == 80",
        "tcp.port all_eq 80 => tcp.port === 80",
        "tcp.port any_ne 80 => tcp.port !== 80",
        "tcp.port ~= 80 => tcp.port !== 80",
        "tcp.port gt 1 && tcp.port ge 2 && tcp.port lt 3 && tcp.port le 4 => tcp.port > 1 && tcp.port >= 2 && tcp.port < 3 && tcp.port <= 4",
        "tcp.port == 0x50 => tcp.port == 80",
        "tcp.port == 0b11 => tcp.port == 3",
        "tcp.port in {80 443 8000..8999} => tcp.port in {80, 443, 8000..8999}",
        "tcp.port in {80,443} => tcp.port in {80, 443}",
        "tcp.port not in {80 , 443} => tcp.port not in {80, 443}",
        "tcp.port NOT IN {80} => tcp.port not in {80}",
        "http.request.method in {GET \"POST\" \"A\"..Z} => http.request.method in {\"GET\", \"POST\", \"A\"..\"Z\"}",
        "ip.addr == 10.1.2.3/8 => ip.addr == 10.0.0.0/8",
        "ip.addr == 2001:DB8:0::1 => ip.addr == 2001:db8::1",
        "ip.addr == ::ffff:192.0.2.1 => ip.addr == 192.0.2.1",
        "ip.addr in {10.0.0.0/8 fe80::/10 10.0.0.1..10.0.0.9} => ip.addr in {10.0.0.0/8, fe80::/10, 10.0.0.1..10.0.0.9}",
        "http.user_agent contains \"\\x00\\t\\\"é\\\\\" => http.user_agent contains \"\\x00\\x09\\\"\\xc3\\xa9\\\\\"",
        "http.header.User-Agent => http.header.user-agent",
        "http.response.header.Server contains nginx => http.response.header.server contains \"nginx\"",
        "ip.src == ip.dst => ip.src == ip.dst",
        "tcp.srcport>tcp.dstport => tcp.srcport > tcp.dstport",
        "tls.sni == \"a\\\\b\" => tls.sni == \"a\\\\b\"",
        "plainsight.mode == reverse => plainsight.mode == \"reverse\"",
        "`  tls\t&&\n\thttp  ` => tls && http",
    })
    void printsCanonically(String text, String canonical) throws Exception {
        FilterExpression e = FilterExpression.parse(text);
        assertThat(e.text()).isEqualTo(text);
        assertThat(e.canonical()).isEqualTo(canonical);
        assertThat(e.toString()).isEqualTo(canonical);
        FilterExpression again = FilterExpression.parse(canonical);
        assertThat(again.canonical()).isEqualTo(canonical);
        assertThat(again.fields()).isEqualTo(e.fields());
    }

    @Test
    void fieldsAreListedInOrderOfFirstUse() throws Exception {
        FilterExpression e = FilterExpression.parse(
                "http.header.X-Api-Key || ip.addr == 10.0.0.5 && tcp.srcport < tcp.dstport || ip.addr == ::1");
        assertThat(e.fields()).containsExactly("http.header.x-api-key", "ip.addr", "tcp.srcport", "tcp.dstport");
        assertThat(e.uses(Field.Layer.HTTP)).isTrue();
        assertThat(e.uses(Field.Layer.TLS)).isFalse();
        FilterExpression conn = FilterExpression.parse("ip.addr == 10.0.0.5 && tcp.port == 39836");
        assertThat(conn.uses(Field.Layer.HTTP)).isFalse();
        assertThat(conn.uses(Field.Layer.CONNECTION)).isTrue();
    }
}
