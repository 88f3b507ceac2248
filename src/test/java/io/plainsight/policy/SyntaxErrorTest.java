package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every error: its exact first line (problem, position, hint) and the caret under the right characters. */
class SyntaxErrorTest {

    static FilterSyntaxException reject(String expression) {
        FilterSyntaxException e = catchThrowableOfType(FilterSyntaxException.class, () -> FilterExpression.parse(expression));
        assertThat(e).as("parse(%s) should fail", expression).isNotNull();
        return e;
    }

    static Arguments e(String expression, int position, int length, String firstLine) {
        return Arguments.of(expression, position, length, firstLine);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                // fields
                e("htp.host contains \"api\"", 1, 8, "unknown field 'htp.host' at position 1; did you mean 'http.host'?"),
                e("HTTP.HOST", 1, 9, "unknown field 'HTTP.HOST' at position 1; did you mean 'http.host'?"),
                e("tcp.srcprot == 1", 1, 11, "unknown field 'tcp.srcprot' at position 1; did you mean 'tcp.srcport'?"),
                e("frame.number == 1", 1, 12, "unknown field 'frame.number' at position 1"),
                e("http.headr.host", 1, 15, "unknown field 'http.headr.host' at position 1"),
                e("tls && http.header", 8, 11, "missing header name in 'http.header' at position 8; "
                        + "write http.header.<name>, e.g. http.header.user-agent"),
                e("http.header.", 1, 12, "missing header name in 'http.header.' at position 1; "
                        + "write http.header.<name>, e.g. http.header.user-agent"),
                e("http.response.header == x", 1, 20, "missing header name in 'http.response.header' at position 1; "
                        + "write http.response.header.<name>, e.g. http.response.header.server"),
                e("http.header.a/b", 1, 15, "'a/b' is not a header field name at position 1"),
                // structure
                e("", 1, 1, "empty expression at position 1"),
                e("   ", 4, 1, "empty expression at position 4"),
                e("tcp.port == 80)", 15, 1, "unmatched ')' at position 15"),
                e("(tcp.port == 80", 1, 1, "unclosed '(' at position 1"),
                e("tls && ((tcp.port == 80)", 8, 1, "unclosed '(' at position 8"),
                e("(tcp.port == 80 foo)", 17, 3, "expected '&&', '||' or ')', found 'foo' at position 17"),
                e("tcp.port == 80 foo", 16, 3, "expected '&&', '||' or the end, found 'foo' at position 16"),
                e("tcp.port == 80 == 81", 16, 2, "expected '&&', '||' or the end, found '==' at position 16"),
                e("tls.sni not tcp.port", 9, 3, "expected '&&', '||' or the end, found 'not' at position 9"),
                e("tls \"x\"", 5, 3, "expected '&&', '||' or the end, found \"x\" at position 5"),
                e("tcp.port ==", 12, 1, "expected a value after '==', found the end at position 12"),
                e("tcp.port eq )", 13, 1, "expected a value after 'eq', found ')' at position 13"),
                e("tcp.port == 80 &&", 18, 1, "expected a field name, found the end at position 18"),
                e("tls ||", 7, 1, "expected a field name, found the end at position 7"),
                e("!", 2, 1, "expected a field name, found the end at position 2"),
                e("&& tcp.port", 1, 2, "expected a field name, found '&&' at position 1"),
                e("()", 2, 1, "expected a field name, found ')' at position 2"),
                e("\"GET\" == http.request.method", 1, 5, "expected a field name, found \"GET\" at position 1"),
                e("and", 1, 3, "expected a field name, found 'and' at position 1"),
                e("tls and or http", 9, 2, "expected a field name, found 'or' at position 9"),
                // characters
                e("tcp.port = 80", 10, 1, "unexpected '=' at position 10; compare with '=='"),
                e("tcp.port == 80 & tls", 16, 1, "unexpected '&' at position 16; '&&' or 'and' joins two tests"),
                e("tcp.port == 80 | tls", 16, 1, "unexpected '|' at position 16; '||' or 'or' joins two tests"),
                e("http.host == 'a'", 14, 1, "unexpected character \"'\" at position 14; strings take double quotes"),
                e("http.host[0:3] == \"abc\"", 10, 1,
                        "unexpected character '[' at position 10; slices such as field[0:3] are not supported"),
                e("tls.sni == a\\b", 13, 1, "unexpected character '\\' at position 13; a backslash belongs in a quoted string"),
                e("tcp.port == 80\u0000", 15, 1, "unexpected character U+0000 at position 15"),
                // strings
                e("http.host == \"abc", 14, 1, "unterminated string at position 14; a string ends with '\"'"),
                e("http.host == r\"abc\\\"", 14, 2, "unterminated string at position 14; a string ends with '\"'"),
                e("http.host == \"abc\\", 14, 1, "unterminated string at position 14; a string ends with '\"'"),
                e("http.host == \"\\d\"", 15, 2, "unknown escape '\\d' in a string at position 15; "
                        + "write \\\\ for a backslash, or use a raw string r\"...\""),
                e("http.host == \"\\x4\"", 15, 4, "'\\x' needs two hex digits at position 15; e.g. \\x41 for 'A'"),
                e("http.host == \"\\xg0\"", 15, 4, "'\\x' needs two hex digits at position 15; e.g. \\x41 for 'A'"),
                e("http.host == \"\\12\"", 15, 4, "an octal escape needs three digits at position 15; \\000 to \\377"),
                e("http.host == \"\\400\"", 15, 4, "octal escape '\\400' is above \\377 at position 15"),
                // types
                e("tcp.port contains \"x\"", 10, 8, "'contains' needs a string field; tcp.port is an integer field at position 10"),
                e("ip.addr matches \"x\"", 9, 7, "'matches' needs a string field; ip.addr is an IP address field at position 9"),
                e("ip.addr ~ \"x\"", 9, 1, "'~' needs a string field; ip.addr is an IP address field at position 9"),
                e("ip.addr > \"a\"", 11, 3, "expected an IP address for ip.addr, found \"a\" at position 11"),
                e("tcp.port == \"80\"", 13, 4, "expected an integer for tcp.port, found \"80\" at position 13"),
                e("tcp.port == abc", 13, 3, "expected an integer for tcp.port, found 'abc' at position 13"),
                e("tcp.port == 1.5", 13, 3, "expected an integer for tcp.port, found '1.5' at position 13"),
                e("tcp.port == 0x", 13, 2, "expected an integer for tcp.port, found '0x' at position 13"),
                e("tcp.port == 0xfg", 13, 4, "expected an integer for tcp.port, found '0xfg' at position 13"),
                e("tcp.port == 0b12", 13, 4, "expected an integer for tcp.port, found '0b12' at position 13"),
                e("tcp.port == ８０", 13, 2, "expected an integer for tcp.port, found '８０' at position 13"),
                e("tcp.port == 99999", 13, 5, "99999 is out of range for tcp.port (0 to 65535) at position 13"),
                e("tcp.port == 0x10000", 13, 7, "0x10000 is out of range for tcp.port (0 to 65535) at position 13"),
                e("tcp.port == -1", 13, 2, "-1 is out of range for tcp.port (0 to 65535) at position 13"),
                e("http.response.code == 1000", 23, 4, "1000 is out of range for http.response.code (0 to 999) at position 23"),
                e("tcp.stream == 9223372036854775808", 15, 19,
                        "9223372036854775808 is out of range for tcp.stream (0 to 9223372036854775807) at position 15"),
                e("tcp.port == 0120", 13, 4,
                        "'0120' has a leading zero at position 13; Wireshark reads that as octal; write the number without it"),
                e("ip.addr == example.com", 12, 11, "'example.com' is not an IP address at position 12; "
                        + "host names are not resolved; use tls.sni or http.host to select by name"),
                e("ip.addr == 10.0.0", 12, 6, "'10.0.0' is not an IP address at position 12"),
                e("ip.addr == fe80::1%eth0", 12, 12, "'fe80::1%eth0' is not an IP address at position 12"),
                e("ip.addr == 10.0.0.0/33", 12, 11,
                        "prefix length 33 is out of range for an IPv4 address (0 to 32) at position 12"),
                e("ip.addr == ::/200", 12, 6, "prefix length 200 is out of range for an IPv6 address (0 to 128) at position 12"),
                e("ip.addr == 10.0.0.0/", 12, 9, "'/' is not a prefix length at position 12"),
                e("ipv6.addr == 10.0.0.1", 14, 8, "'10.0.0.1' is not an IPv6 address at position 14; "
                        + "ipv6.addr holds IPv6 addresses only; ip.addr holds both families"),
                e("ipv6.src in {::1, 10.0.0.1}", 19, 8, "'10.0.0.1' is not an IPv6 address at position 19; "
                        + "ipv6.src holds IPv6 addresses only; ip.src holds both families"),
                e("ip.addr > 10.0.0.0/8", 11, 10,
                        "'>' cannot compare with a network at position 11; '==' tests membership of 10.0.0.0/8"),
                e("http.request == 1", 14, 2, "http.request can only be tested for presence at position 14; "
                        + "write 'http.request' or '!http.request'"),
                e("websocket not in {1}", 11, 6, "websocket can only be tested for presence at position 11; "
                        + "write 'websocket' or '!websocket'"),
                e("tls contains \"x\"", 5, 8, "tls can only be tested for presence at position 5; write 'tls' or '!tls'"),
                e("http.host == tcp.port", 14, 8, "cannot compare http.host (string) with tcp.port (integer) at position 14"),
                e("ip.src == http.request", 11, 12, "cannot compare ip.src (address) with http.request (presence) at position 11"),
                e("http.host matches tls.sni", 19, 7, "'matches' needs a regular expression, found the field 'tls.sni' "
                        + "at position 19; quote it to use it as a pattern"),
                e("plainsight.mode == revrse", 20, 6, "'revrse' is not a value of plainsight.mode at position 20; "
                        + "it is one of reverse, terminate, originate, proxy, transparent, offline"),
                e("plainsight.mode in {proxy \"Reverse\"}", 27, 9, "\"Reverse\" is not a value of plainsight.mode "
                        + "at position 27; it is one of reverse, terminate, originate, proxy, transparent, offline"),
                // regular expressions: the caret marks the pattern (Java gives only an index "near" the problem)
                e("http.request.uri matches \"(a\"", 26, 4,
                        "invalid regular expression \"(a\": Unclosed group at position 26"),
                e("http.host matches \"a)b\"", 19, 5,
                        "invalid regular expression \"a)b\": Unmatched closing ')' at position 19"),
                e("http.host matches \"[a\"", 19, 4,
                        "invalid regular expression \"[a\": Unclosed character class at position 19"),
                e("http.host matches *a", 19, 2,
                        "invalid regular expression '*a': Dangling meta character '*' at position 19"),
                e("http.host matches r\"\\p{Nope}\"", 19, 11,
                        "invalid regular expression r\"\\p{Nope}\": Unknown character property name {Nope} at position 19"),
                // sets
                e("tcp.port in 80", 13, 2, "expected '{' after 'in', found '80' at position 13"),
                e("tcp.port not in (80)", 17, 1, "expected '{' after 'not in', found '(' at position 17"),
                e("tcp.port in {}", 13, 2, "empty set at position 13"),
                e("tcp.port in {80, 443", 13, 1, "unclosed '{' at position 13"),
                e("tcp.port in {80,}", 17, 1, "expected a value in the set, found '}' at position 17"),
                e("tcp.port in {,80}", 14, 1, "expected a value in the set, found ',' at position 14"),
                e("tcp.port in {80 && 443}", 17, 2, "expected a value in the set, found '&&' at position 17"),
                e("tcp.port in {10..1}", 14, 5, "empty range: 10 is above 1 at position 14"),
                e("tcp.port in {1..}", 17, 1, "expected a value after '..', found '}' at position 17"),
                e("tcp.port in {1..\"2\"}", 17, 3, "expected an integer for tcp.port, found \"2\" at position 17"),
                e("ip.addr in {10.0.0.0/8..10.0.0.9}", 13, 20, "a range is between two addresses, not networks at position 13"),
                e("ip.addr in {10.0.0.1..::1}", 13, 13, "a range is between two addresses of the same family at position 13"),
                e("tls.sni in {tls.version}", 13, 11, "a set holds values, not fields such as 'tls.version' at position 13; "
                        + "quote it to mean the string"),
                e("tcp.port in {tcp.srcport}", 14, 11, "a set holds values, not fields such as 'tcp.srcport' at position 14"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void namesTheProblemAndItsPosition(String expression, int position, int length, String firstLine) {
        FilterSyntaxException e = reject(expression);
        assertThat(e.getMessage().lines().findFirst().orElseThrow()).isEqualTo("filter: " + firstLine);
        assertThat(e.position()).isEqualTo(position);
        assertThat(e.length()).isEqualTo(length);
        assertThat(e.expression()).isEqualTo(expression);
        String at = " at position " + position;
        String problem = firstLine.substring(0, firstLine.indexOf(at));
        assertThat(e.problem()).isEqualTo(problem);
        String rest = firstLine.substring(problem.length() + at.length());
        assertThat(e.hint()).isEqualTo(rest.startsWith("; ") ? rest.substring(2) : null);
    }

    @Test
    void limitsNesting() {
        String deep = "(".repeat(FilterParser.MAX_DEPTH) + "tls" + ")".repeat(FilterParser.MAX_DEPTH);
        assertThat(catchThrowableOfType(FilterSyntaxException.class, () -> FilterExpression.parse(deep))).isNull();
        FilterSyntaxException e = reject("(" + deep + ")");
        assertThat(e.problem()).isEqualTo("nested too deeply (more than 100 parentheses and negations)");
        assertThat(e.position()).isEqualTo(101);
        String nots = "!".repeat(FilterParser.MAX_DEPTH) + " not tls";
        assertThat(reject(nots).position()).isEqualTo(102);
        assertThat(reject("!(".repeat(60) + "tls" + ")".repeat(60)).position()).isEqualTo(101);
    }

    @Test
    void showsTheExpressionWithACaretLine() {
        assertThat(reject("htp.host contains \"api\"").getMessage()).isEqualTo("""
                filter: unknown field 'htp.host' at position 1; did you mean 'http.host'?
                  htp.host contains "api"
                  ^~~~~~~~""");
        assertThat(reject("ip.addr == 10.0.0.5 && tcp.port == 398360").getMessage()).isEqualTo("""
                filter: 398360 is out of range for tcp.port (0 to 65535) at position 36
                  ip.addr == 10.0.0.5 && tcp.port == 398360
                                                     ^~~~~~""");
        assertThat(reject("tcp.port ==").getMessage()).isEqualTo("""
                filter: expected a value after '==', found the end at position 12
                  tcp.port ==
                             ^""");
    }

    @Test
    void keepsTabsSoTheCaretLinesUp() {
        assertThat(reject("tls &&\tx.y").getMessage()).isEqualTo(
                "filter: unknown field 'x.y' at position 8\n  tls &&\tx.y\n        \t^~~");
    }

    @Test
    void showsOnlyTheLineOfTheErrorInAMultiLineExpression() {
        assertThat(reject("tcp.port == 443\n  && htp.host == \"x\"\n  && tls").getMessage()).isEqualTo("""
                filter: unknown field 'htp.host' at position 22 (line 2, column 6); did you mean 'http.host'?
                    && htp.host == "x"
                       ^~~~~~~~""");
        assertThat(reject("tls &&\r\n(http").getMessage()).isEqualTo("""
                filter: unclosed '(' at position 9 (line 2, column 1)
                  (http
                  ^""");
    }

    @Test
    void reportsTheFirstErrorFromTheLeft() {
        assertThat(reject("htp.host == \"unterminated").problem()).isEqualTo("unknown field 'htp.host'");
        assertThat(reject("tcp.port == 70000 && tcp.port contains 1").problem())
                .isEqualTo("70000 is out of range for tcp.port (0 to 65535)");
    }
}
