package io.plainsight.policy;

import static io.plainsight.policy.Sources.ip;
import static io.plainsight.policy.Sources.matches;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses compare as addresses: CIDR networks, IPv6 text forms, ordering, the two families. */
class AddressFieldTest {
    private static final MapFieldSource V4 = Sources.connection("10.0.0.5", 39836, "192.0.2.80", 443);
    private static final MapFieldSource V6 = Sources.connection("2001:db8::5", 50000, "2001:db8:1::80", 443);
    /** A client reaching plainsight over IPv4 whose backend is IPv6. */
    private static final MapFieldSource MIXED = Sources.connection("10.0.0.5", 39836, "2001:db8:1::80", 443);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "ip.addr == 10.0.0.5 => true",
        "ip.addr == 192.0.2.80 => true",
        "ip.addr == 10.0.0.6 => false",
        "ip.src == 10.0.0.5 => true",
        "ip.dst == 10.0.0.5 => false",
        "ip.addr == 10.0.0.0/8 => true",
        "ip.addr == 10.255.0.0/8 => true",
        "ip.addr == 10.0.0.4/31 => true",
        "ip.addr == 10.0.0.6/31 => false",
        "ip.addr == 0.0.0.0/0 => true",
        "ip.dst == 10.0.0.0/8 => false",
        "ip.addr eq 192.0.2.0/24 => true",
        "ip.addr != 10.0.0.0/8 => false",
        "ip.addr != 172.16.0.0/12 => true",
        "ip.dst != 10.0.0.0/8 => true",
        "ip.addr === 10.0.0.5 => false",
        "ip.src === 10.0.0.5 => true",
        "ip.addr !== 10.0.0.5 => true",
        "ip.src !== 10.0.0.5 => false",
        "ip.addr > 192.0.2.79 => true",
        "ip.addr > 192.0.2.80 => false",
        "ip.addr >= 192.0.2.80 => true",
        "ip.addr < 10.0.0.5 => false",
        "ip.addr <= 10.0.0.5 => true",
        "ip.src lt 128.0.0.0 => true",
        "ip.addr in {192.0.2.0/24 198.51.100.1} => true",
        "ip.src in {172.16.0.0/12, 192.168.0.0/16} => false",
        "ip.src in {10.0.0.1..10.0.0.9} => true",
        "ip.src in {10.0.0.6..10.0.0.9} => false",
        "ip.addr not in {10.0.0.0/8} => false",
        "ip.addr == ::1 => false",
        "ip.addr == ::ffff:10.0.0.5 => true",
        "ip.addr == ::/0 => false",
        "ip.addr != ::/0 => true",
        "ipv6.addr => false",
        "ipv6.addr == ::/0 => false",
        "ip.src == ip.dst => false",
        "ip.src < ip.dst => true",
        "ip.src != ip.dst => true",
        "ip.addr == 10.0.0.5 && tcp.port == 39836 => true",
        "ip.addr == 10.0.0.5 && tcp.port == 39837 => false",
    })
    void ipv4(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, V4)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "ip.addr == 2001:db8::5 => true",
        "ip.addr == 2001:DB8:0:0:0:0:0:5 => true",
        "ip.addr == 2001:0db8::0005 => true",
        "ip.addr == 2001:db8::6 => false",
        "ip.addr == 2001:db8::/32 => true",
        "ip.dst == 2001:db8:1::/48 => true",
        "ip.src == 2001:db8:1::/48 => false",
        "ip.addr == 2001:db8::4/127 => true",
        "ip.addr == 2001:db8::6/127 => false",
        "ip.addr == ::/0 => true",
        "ip.addr == 10.0.0.0/8 => false",
        "ip.addr == 0.0.0.0/0 => false",
        "ip.addr != 10.0.0.0/8 => true",
        "ip.addr > 10.0.0.1 => false",
        "ip.addr < 10.0.0.1 => false",
        "ip.addr > 2001:db8::5 => true",
        "ipv6.addr == 2001:db8::5 => true",
        "ipv6.src == 2001:db8::5 => true",
        "ipv6.dst == 2001:db8::5 => false",
        "ipv6.addr => true",
        "ip.addr in {2001:db8::1..2001:db8::ffff} => true",
    })
    void ipv6(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, V6)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", value = {
        "ipv6.addr => true",
        "ipv6.src => false",
        "ipv6.dst => true",
        "ipv6.addr === 2001:db8:1::80 => true",
        "ip.addr === 2001:db8:1::80 => false",
        "ipv6.addr != 2001:db8:1::80 => false",
        "ip.addr != 2001:db8:1::80 => false",
        "ip.addr != 10.0.0.0/8 => false",
        "ipv6.addr != 2001:db8::/32 => false",
        "ipv6.addr != 2001:db9::/32 => true",
        "ip.src == ip.dst => false",
        "ip.src != ip.dst => true",
        "ip.src < ip.dst => false",
        "ip.src > ip.dst => false",
    })
    void mixedFamilies(String expression, boolean expected) throws Exception {
        assertThat(matches(expression, MIXED)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void sameAddressOnBothEnds() throws Exception {
        MapFieldSource loop = Sources.connection("127.0.0.1", 40000, "127.0.0.1", 8080);
        assertThat(matches("ip.src == ip.dst", loop)).isTrue();
        assertThat(matches("ip.addr === 127.0.0.1", loop)).isTrue();
        assertThat(matches("ip.addr !== 127.0.0.1", loop)).isFalse();
        assertThat(ip("127.0.0.1")).isEqualTo(loop.values("ip.src").get(0));
    }
}
