package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressCacheTest {
    final AddressCache cache = new AddressCache();

    @Test
    void theSameAddressIsTheSameInstanceAndAnotherIsAnother() throws Exception {
        byte[] b = {0, 10, 0, 0, 1, 10, 0, 0, 2};
        InetAddress a1 = cache.ipv4(b, 1);
        InetAddress a2 = cache.ipv4(b, 5);
        assertThat(cache.ipv4(b.clone(), 1)).isSameAs(a1);
        assertThat(a1).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(a2).isEqualTo(InetAddress.getByName("10.0.0.2"));
    }

    @Test
    void slotCollisionsNeverMixAddressesUp() throws Exception {
        // 100,000 addresses through a 4096-slot table: each lookup still returns its own address
        byte[] b = new byte[4];
        for (int i = 0; i < 100_000; i++) {
            b[0] = 10;
            b[1] = (byte) (i >> 16);
            b[2] = (byte) (i >> 8);
            b[3] = (byte) i;
            assertThat(cache.ipv4(b, 0).getAddress()).isEqualTo(b);
        }
    }

    @Test
    void anIpv4MappedIpv6AddressStaysIpv6() {
        byte[] b = new byte[16];
        b[10] = (byte) 0xFF;
        b[11] = (byte) 0xFF;
        b[12] = (byte) 192;
        b[15] = 1;
        InetAddress a = cache.ipv6(b, 0);
        assertThat(a).isInstanceOf(Inet6Address.class);
        assertThat(cache.ipv6(b.clone(), 0)).isSameAs(a);
    }
}
