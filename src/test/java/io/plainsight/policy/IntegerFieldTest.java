package io.plainsight.policy;

import static io.plainsight.policy.Sources.matches;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every operator on a single-valued integer field, in symbol and word forms. */
class IntegerFieldTest {
    private static final MapFieldSource SOURCE = Sources.connection("10.0.0.5", 39836, "192.0.2.80", 80)
            .put("http.response.code", 503)
            .put("http.content_length", Long.MAX_VALUE);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "tcp.dstport == 80 => true",
        "tcp.dstport == 79 => false",
        "tcp.dstport eq 80 => true",
        "tcp.dstport any_eq 80 => true",
        "tcp.dstport != 80 => false",
        "tcp.dstport != 79 => true",
        "tcp.dstport ne 79 => true",
        "tcp.dstport all_ne 79 => true",
        "tcp.dstport === 80 => true",
        "tcp.dstport all_eq 81 => false",
        "tcp.dstport !== 80 => false",
        "tcp.dstport ~= 81 => true",
        "tcp.dstport any_ne 81 => true",
        "tcp.dstport < 81 => true",
        "tcp.dstport < 80 => false",
        "tcp.dstport lt 81 => true",
        "tcp.dstport <= 80 => true",
        "tcp.dstport <= 79 => false",
        "tcp.dstport le 80 => true",
        "tcp.dstport > 79 => true",
        "tcp.dstport > 80 => false",
        "tcp.dstport gt 79 => true",
        "tcp.dstport >= 80 => true",
        "tcp.dstport >= 81 => false",
        "tcp.dstport ge 80 => true",
        "tcp.dstport == 0x50 => true",
        "tcp.dstport == 0X50 => true",
        "tcp.dstport == 0b1010000 => true",
        "tcp.dstport == 0 => false",
        "tcp.dstport in {443 80} => true",
        "tcp.dstport in {443, 8443} => false",
        "tcp.dstport in {1..79, 81..100} => false",
        "tcp.dstport in {1..80} => true",
        "tcp.dstport in {80..80} => true",
        "tcp.dstport in {0x4f .. 0x51} => true",
        "tcp.dstport not in {443} => true",
        "tcp.dstport not in {443, 80} => false",
        "tcp.dstport NOT IN {80} => false",
        "http.response.code >= 500 => true",
        "http.response.code >= 500 && http.response.code < 600 => true",
        "http.response.code in {500..599} => true",
        "http.content_length == 9223372036854775807 => true",
        "http.content_length == 0x7fffffffffffffff => true",
        "http.content_length > 0 => true",
        "tcp.stream == 7 => true",
        "tcp.dstport == 65535 => false",
    })
    void comparesNumerically(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, SOURCE)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "tcp.srcport > tcp.dstport => true",
        "tcp.srcport < tcp.dstport => false",
        "tcp.srcport == tcp.dstport => false",
        "tcp.srcport != tcp.dstport => true",
        "tcp.stream < tcp.dstport => true",
    })
    void comparesTwoFields(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, SOURCE)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void acceptsIntegerValuesFromASource() throws Exception {
        FieldSource ints = key -> key.equals("tcp.dstport") ? java.util.List.of(443) : java.util.List.of();
        assertThat(matches("tcp.port == 443", ints)).isTrue();
        assertThat(matches("tcp.port > 443", ints)).isFalse();
    }
}
