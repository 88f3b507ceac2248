package io.plainsight.policy;

import static io.plainsight.policy.Sources.matches;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ANY and ALL: a field with several values (tcp.port is two ports, repeated header lines, a header
 * of the request and of the response) and a field that is absent.
 */
class MultiValueTest {
    private static final MapFieldSource SOURCE = Sources.connection("10.0.0.5", 39836, "192.0.2.80", 443)
            .put("http.header.cookie", "a=1", "b=2")
            .put("http.header.content-type", "application/json")
            .put("http.response.header.content-type", "text/html")
            .put("http.response.header.set-cookie", "s=1", "s=1");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        // two ports: ANY for ==, ordering, in; ALL for != and ===
        "tcp.port == 39836 => true",
        "tcp.port == 443 => true",
        "tcp.port == 80 => false",
        "tcp.port != 443 => false",
        "tcp.port != 80 => true",
        "tcp.port !== 443 => true",
        "tcp.port ~= 443 => true",
        "tcp.port === 443 => false",
        "tcp.port > 40000 => false",
        "tcp.port > 1000 => true",
        "tcp.port < 1024 => true",
        "tcp.port in {443} => true",
        "tcp.port in {80, 8080} => false",
        "tcp.port not in {443} => false",
        "tcp.port not in {80} => true",
        "!(tcp.port == 443) => false",
        // repeated header lines
        "http.cookie == \"a=1\" => true",
        "http.cookie == \"b=2\" => true",
        "http.cookie != \"a=1\" => false",
        "http.cookie != \"c=3\" => true",
        "http.cookie === \"a=1\" => false",
        "http.cookie !== \"a=1\" => true",
        "http.cookie contains \"b=\" => true",
        "http.cookie matches \"^B=\" => true",
        "http.set_cookie === \"s=1\" => true",
        "http.set_cookie !== \"s=1\" => false",
        // one header of the request, one of the response
        "http.content_type == \"text/html\" => true",
        "http.content_type contains \"json\" => true",
        "http.content_type != \"text/html\" => false",
        "http.content_type === \"text/html\" => false",
        // absent: every comparison is false except not in, and the negations
        "http.referer => false",
        "http.referer == \"x\" => false",
        "http.referer != \"x\" => false",
        "http.referer === \"x\" => false",
        "http.referer !== \"x\" => false",
        "http.referer < \"x\" => false",
        "http.referer contains \"\" => false",
        "http.referer matches \"\" => false",
        "http.referer in {x, y} => false",
        "http.referer not in {x, y} => true",
        "!(http.referer == \"x\") => true",
        "!http.referer => true",
        "http.response.code != 200 => false",
    })
    void anyAndAll(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, SOURCE)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "http.cookie == http.set_cookie => false",
        "http.cookie != http.set_cookie => true",
        "http.cookie contains http.set_cookie => false",
        "http.set_cookie === http.set_cookie => true",
        "http.cookie === http.cookie => false",
        "http.cookie == http.cookie => true",
        "http.cookie != http.referer => false",
        "http.cookie == http.referer => false",
    })
    void fieldAgainstField(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, SOURCE)).isEqualTo(expected);
    }
}
