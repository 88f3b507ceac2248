package io.plainsight.policy;

import static io.plainsight.policy.Sources.matches;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every operator on string fields; literals quoted, raw, unquoted, escaped; case rules of contains and matches. */
class StringFieldTest {
    /** "café" as the HTTP decoder gives it: the UTF-8 bytes as ISO-8859-1 characters. */
    private static final String CAFE_BYTES = new String("/café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

    private static final MapFieldSource SOURCE = new MapFieldSource()
            .present("http.request")
            .put("http.request.method", "POST")
            .put("http.host", "api.example.com")
            .put("http.request.uri", "/Admin/users?id=1")
            .put("http.request.full_uri", "https://api.example.com/Admin/users?id=1")
            .put("http.request.version", "HTTP/1.1")
            .put("tls.sni", "example.com")
            .put("plainsight.mode", "reverse")
            .put("http.header.user-agent", "curl/8.5.0")
            .put("http.header.x-path", CAFE_BYTES)
            .put("http.header.x-quote", "say \"hi\"\\");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "http.request.method == \"POST\" => true",
        "http.request.method == POST => true",
        "http.request.method == post => false",
        "http.request.method eq \"GET\" => false",
        "http.request.method != GET => true",
        "http.request.method != POST => false",
        "http.request.method === POST => true",
        "http.request.method !== POST => false",
        "http.request.method > GET => true",
        "http.request.method >= POST => true",
        "http.request.method < POSTX => true",
        "http.request.method <= POS => false",
        "http.request.method in {GET POST} => true",
        "http.request.method in {\"GET\", \"PUT\"} => false",
        "http.request.method in {\"A\"..\"Q\"} => true",
        "http.request.method in {\"Q\"..\"Z\"} => false",
        "http.request.method not in {GET, HEAD} => true",
        "http.host contains \"api\" => true",
        "http.host contains api => true",
        "http.host contains \"API\" => false",
        "http.host contains \"\" => true",
        "http.host contains \"example.com\" => true",
        "http.request.uri matches \"^/admin\" => true",
        "http.request.uri matches \"^/ADMIN/USERS\" => true",
        "http.request.uri matches \"(?-i)^/admin\" => false",
        "http.request.uri matches \"(?-i)^/Admin\" => true",
        "http.request.uri matches \"users\" => true",
        "http.request.uri matches \"users$\" => false",
        "http.request.uri matches \"id=\\\\d+$\" => true",
        "http.request.uri matches r\"id=\\d+$\" => true",
        "http.request.uri ~ \"USERS\" => true",
        "http.request.full_uri matches \"^https://[^/]+/admin\" => true",
        "http.request.version == \"HTTP/1.1\" => true",
        "tls.sni == \"example.com\" => true",
        "tls.sni == example.com => true",
        "tls.sni == \"EXAMPLE.com\" => false",
        "plainsight.mode == reverse => true",
        "plainsight.mode in {proxy, transparent} => false",
        "plainsight.mode > rev => true",
        "plainsight.mode < r => false",
        "http.user_agent contains \"curl/\" => true",
        "http.header.user-agent matches \"^curl/8\\\\.\" => true",
        "http.header.User-Agent == \"curl/8.5.0\" => true",
        "http.header.x-quote == \"say \\\"hi\\\"\\\\\" => true",
        "http.header.x-quote contains \"\\\\\" => true",
        "http.header.x-path == \"/café\" => true",
        "http.header.x-path == \"/caf\\xc3\\xa9\" => true",
        "http.header.x-path == \"/caf\\303\\251\" => true",
        "http.header.x-path == \"/caf\\xe9\" => false",
        "http.header.x-path contains é => true",
        "http.request.method == \"\\x50OST\" => true",
        "http.request.method == \"\\120OST\" => true",
        "http.host contains tls.sni => true",
        "tls.sni contains http.host => false",
        "http.host == tls.sni => false",
        "http.host > tls.sni => false",
        "http.host < tls.sni => true",
    })
    void comparesStrings(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, SOURCE)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
        "\\a\\b\\f\\n\\r\\t\\v => 7 8 12 10 13 9 11",
        "\\\"\\\\ => 34 92",
        "\\x00\\xff\\xAb => 0 255 171",
        "\\000\\377\\101 => 0 255 65",
        "é => 195 169",
        "€ => 226 130 172",
        "\uD83D\uDE00 => 240 159 152 128",
    })
    void decodesEscapesAndEncodesUtf8(String body, String bytes) throws Exception {
        RelationTest t = (RelationTest) ((ValueComparison) parse("tls.sni == \"" + body + "\"")).test();
        String value = (String) t.literal();
        assertThat(value.chars().mapToObj(Integer::toString).toList()).containsExactly(bytes.split(" "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
        "r\"\\d\" => \\d",
        "r\"a\\\"b\" => a\\\"b",
        "r\"\\\\\" => \\\\",
        "r\"\" => ''",
    })
    void rawStringsKeepBackslashes(String literal, String value) throws Exception {
        RelationTest t = (RelationTest) ((ValueComparison) parse("tls.sni == " + literal)).test();
        assertThat(t.literal()).isEqualTo(value);
    }

    private static Node parse(String expression) throws FilterSyntaxException {
        return FilterExpression.parse(expression).root();
    }
}
