package io.plainsight.sink.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
    /** RFC 1071 section 3's example: words 0001 f203 f4f5 f6f7 sum to ddf2 (checksum 220d). */
    @Test
    void rfc1071Example() {
        ByteBuf b = Unpooled.wrappedBuffer(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        assertThat(Checksums.finish(Checksums.sum(b, 0, 8))).isEqualTo(0x220d);
    }

    @Test
    void directMemoryPathEqualsCheckedPathForEveryLengthAndOffset() {
        Random random = new Random(42);
        ByteBuf direct = Unpooled.directBuffer(4096);
        byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        direct.writeBytes(bytes);
        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length < 200; length++) {
                long expected = Checksums.sumChecked(heap, offset, length);
                assertThat(Checksums.finish(Checksums.sum(direct, offset, length)))
                        .as("offset %d length %d", offset, length).isEqualTo(Checksums.finish(expected));
            }
        }
        assertThat(Checksums.finish(Checksums.sum(direct, 3, 4000))).isEqualTo(Checksums.finish(Checksums.sumChecked(heap, 3, 4000)));
        direct.release();
    }

    @Test
    void arrayPathEqualsCheckedPathForEveryLengthAndOffset() {
        Random random = new Random(7);
        byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        ByteBuf sliced = Unpooled.wrappedBuffer(bytes, 5, 4000); // an array offset
        assertThat(sliced.hasArray()).isTrue();
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length < 200; length++) {
                long expected = Checksums.sumChecked(heap, offset, length);
                assertThat(Checksums.finish(Checksums.sum(heap, offset, length)))
                        .as("offset %d length %d", offset, length).isEqualTo(Checksums.finish(expected));
                assertThat(Checksums.finish(Checksums.sum(sliced, offset, length)))
                        .as("slice offset %d length %d", offset, length)
                        .isEqualTo(Checksums.finish(Checksums.sumChecked(heap, offset + 5, length)));
            }
        }
    }
}
