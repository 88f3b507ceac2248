package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class OriginalDestinationTest {
    @Test
    void parsesSockaddrIn() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.order(ByteOrder.nativeOrder()).putShort(0, (short) 2);
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) 443);
        b.put(4, new byte[] {10, 0, 0, 2});
        assertThat(OriginalDestination.parse(b)).isEqualTo(new InetSocketAddress("10.0.0.2", 443));
    }

    @Test
    void parsesSockaddrIn6() {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.order(ByteOrder.nativeOrder()).putShort(0, (short) 10);
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) 8443);
        byte[] addr = new byte[16];
        addr[0] = (byte) 0xfd;
        addr[15] = 1;
        b.put(8, addr);
        assertThat(OriginalDestination.parse(b)).isEqualTo(new InetSocketAddress("fd00::1", 8443));
    }

    @Test
    void anUnknownFamilyIsNoDestination() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.order(ByteOrder.nativeOrder()).putShort(0, (short) 1);
        assertThat(OriginalDestination.parse(b)).isNull();
    }
}
