package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Feeds recorded chunks to a decoder, whole or cut into slices, each slice in a buffer with other
 * bytes before and after it (the decoder must read only the readable bytes and must not move the
 * indexes) that is overwritten after the call (the decoder must not keep it).
 */
final class Http2Feeding {
    private Http2Feeding() {}

    /** Makes a decoder reporting to the given listener. */
    interface Factory extends BiFunction<Long, DecodeListener, ConnectionDecoder> {}

    static final long CONNECTION = 7;

    static Factory h2(String scheme) {
        return (id, l) -> new Http2Decoder(id, l, DecodeOptions.defaults(), scheme);
    }

    static Factory h2(DecodeOptions options) {
        return (id, l) -> new Http2Decoder(id, l, options, "https");
    }

    /**
     * Decodes the chunks, each cut into slices of at most {@code maxSlice} bytes (random sizes
     * from 1 when {@code random} is not null; 0: whole chunks), then ends the connection if
     * {@code end}.
     */
    static RecordingListener decode(Factory factory, List<Http2Wire.Chunk> chunks, int maxSlice, Random random,
            boolean end) {
        RecordingListener l = new RecordingListener();
        ConnectionDecoder d = factory.apply(CONNECTION, l);
        long last = 0;
        for (Http2Wire.Chunk c : chunks) {
            byte[] b = c.bytes();
            int at = 0;
            while (at < b.length) {
                int n = maxSlice == 0 ? b.length - at
                        : Math.min(b.length - at, random == null ? maxSlice : 1 + random.nextInt(maxSlice));
                feed(d, c, b, at, n);
                at += n;
            }
            last = c.micros();
        }
        if (end) {
            d.end(last + 1);
        }
        return l;
    }

    private static void feed(ConnectionDecoder d, Http2Wire.Chunk c, byte[] b, int at, int n) {
        byte[] around = new byte[n + 7];
        Arrays.fill(around, (byte) 0x5A);
        System.arraycopy(b, at, around, 3, n);
        ByteBuf buf = Unpooled.wrappedBuffer(around);
        buf.setIndex(3, 3 + n);
        d.data(c.direction(), c.micros(), buf);
        assertThat(buf.readerIndex()).as("reader index after data()").isEqualTo(3);
        assertThat(buf.writerIndex()).as("writer index after data()").isEqualTo(3 + n);
        Arrays.fill(around, (byte) 0xEE); // a decoder that kept the buffer now sees garbage
    }

    /**
     * Decodes whole chunks, one byte at a time (unless the connection is over {@code byteLimit}
     * bytes) and in random slices with three seeds: every way must give the same result, which is
     * returned.
     */
    static RecordingListener decodeAllWays(Factory factory, List<Http2Wire.Chunk> chunks, boolean end) {
        RecordingListener whole = decode(factory, chunks, 0, null, end);
        String expected = whole.describe();
        long total = chunks.stream().mapToLong(c -> c.bytes().length).sum();
        if (total <= 2_000_000) {
            assertThat(decode(factory, chunks, 1, null, end).describe()).as("byte by byte").isEqualTo(expected);
        }
        for (long seed = 1; seed <= 3; seed++) {
            for (int max : new int[] {7, 100, 20_000}) {
                assertThat(decode(factory, chunks, max, new Random(seed * max), end).describe())
                        .as("random slices up to %d bytes, seed %d", max, seed).isEqualTo(expected);
            }
        }
        return whole;
    }

    static RecordingListener decodeAllWays(List<Http2Wire.Chunk> chunks) {
        return decodeAllWays(h2("https"), chunks, true);
    }
}
