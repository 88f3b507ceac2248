package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpNetworkTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.5, 10.0.0.5",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "10.1.2.3/8, 10.0.0.0/8",
        "10.1.2.3/32, 10.1.2.3",
        "192.168.77.1/20, 192.168.64.0/20",
        "0.0.0.0/0, 0.0.0.0/0",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "fe80::1:2:3:4/64, fe80::/64",
        "2001:db8::/32, 2001:db8::/32",
        "2001:db8::ffff/127, 2001:db8::fffe/127",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "::ffff:10.0.0.1, 10.0.0.1",
        "::ffff:10.0.0.1/104, 10.0.0.0/8",
        "::ffff:0:0/95, ::fffe:0:0/95",
    })
    void parsesAndPrintsCanonically(String text, String canonical) {
        IpNetwork n = IpNetwork.parse(text);
        assertThat(n).isNotNull();
        assertThat(n.toString()).isEqualTo(canonical);
        assertThat(IpNetwork.parse(canonical)).isEqualTo(n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "10.0.0", "10.0.0.0.1", "10.0.0.256", "010.0.0.1", "10..0.1", "10.0.0.1.",
        ".10.0.0.1", "1234.0.0.1", "a.b.c.d", "example.com", "-1.0.0.0", "10.0.0.１",
        ":", ":::", "1:::2", "1::2::3", ":1", "1:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8",
        "12345::", "g::", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "fe80::1%eth0", "::１"})
    void rejectsWhatIsNotAnAddress(String text) {
        assertThat(IpNetwork.parse(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        "10.0.0.0/33 => prefix length 33 is out of range for an IPv4 address (0 to 32)",
        "::/129 => prefix length 129 is out of range for an IPv6 address (0 to 128)",
        "10.0.0.0/ => '/' is not a prefix length",
        "10.0.0.0/x => '/x' is not a prefix length",
        "10.0.0.0/1234 => '/1234' is not a prefix length",
    })
    void rejectsBadPrefixLengths(String text, String message) {
        assertThatThrownBy(() -> IpNetwork.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.255.255.255, true",
        "10.0.0.0/8, 11.0.0.0, false",
        "10.0.0.0/8, 9.255.255.255, false",
        "192.168.64.0/20, 192.168.79.255, true",
        "192.168.64.0/20, 192.168.80.0, false",
        "192.168.64.0/20, 192.168.63.255, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "0.0.0.0/0, ::1, false",
        "10.0.0.5, 10.0.0.5, true",
        "10.0.0.5, 10.0.0.6, false",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/32, 2001:db9::, false",
        "fe80::/10, febf::1, true",
        "fe80::/10, fec0::1, false",
        "::/0, 10.0.0.1, false",
        "::1, ::1, true",
    })
    void containsByPrefix(String network, String address, boolean expected) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(IpNetwork.parse(network).contains(a.getAddress())).isEqualTo(expected);
        assertThat(IpNetwork.parse(network).contains(a)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.5, 10.0.0.5, 0",
        "10.0.0.5, 10.0.0.6, 1",
        "10.0.0.5, 10.0.0.4, -1",
        "10.0.0.5, 200.0.0.1, 1",
        "200.0.0.1, 10.0.0.5, -1",
        "::2, ::1, -1",
        "::1, ::ffff:1, 1",
    })
    void comparesUnsigned(String literal, String address, int sign) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(Integer.signum(IpNetwork.parse(literal).compareTo(a.getAddress()))).isEqualTo(sign);
        assertThat(Integer.signum(IpNetwork.parse(literal).compareTo(a))).isEqualTo(sign);
        assertThat(Integer.signum(IpNetwork.compare(a, InetAddress.getByName(literal)))).isEqualTo(sign);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.5, ::1", "::1, 10.0.0.5"})
    void familiesAreUnordered(String literal, String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(IpNetwork.parse(literal).compareTo(a.getAddress())).isEqualTo(IpNetwork.UNORDERED);
        assertThat(IpNetwork.parse(literal).compareTo(a)).isEqualTo(IpNetwork.UNORDERED);
        assertThat(IpNetwork.compare(a, InetAddress.getByName(literal))).isEqualTo(IpNetwork.UNORDERED);
    }

    @org.junit.jupiter.api.Test
    void ipv4IntPathAgreesWithTheBytePathEverywhere() throws Exception {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] a = new byte[4];
            byte[] n = new byte[4];
            random.nextBytes(a);
            random.nextBytes(n);
            if (i % 2 == 0) {
                System.arraycopy(a, 0, n, 0, random.nextInt(4)); // share a prefix half of the time
            }
            IpNetwork net = IpNetwork.parse(IpNetwork.format4(n) + "/" + random.nextInt(33));
            InetAddress address = InetAddress.getByAddress(a);
            assertThat(net.contains(address)).as("%s in %s", address, net).isEqualTo(net.contains(a));
            IpNetwork one = IpNetwork.parse(IpNetwork.format4(n));
            assertThat(Integer.signum(one.compareTo(address))).isEqualTo(Integer.signum(one.compareTo(a)));
        }
    }
}
