package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimestampUnitTest {
    @Test
    void powersOfTen() {
        assertThat(TimestampUnit.of(6).toMicros(1_700_000_000_123_456L)).isEqualTo(1_700_000_000_123_456L);
        assertThat(TimestampUnit.of(9).toMicros(1_700_000_000_123_456_789L)).isEqualTo(1_700_000_000_123_456L);
        assertThat(TimestampUnit.of(3).toMicros(1_700_000_000_123L)).isEqualTo(1_700_000_000_123_000L);
        assertThat(TimestampUnit.of(0).toMicros(1_700_000_000L)).isEqualTo(1_700_000_000_000_000L);
        assertThat(TimestampUnit.of(18).toMicros(1_000_000_000_000L)).isEqualTo(1);
        // an unsigned 64-bit count of nanoseconds beyond Long.MAX_VALUE
        assertThat(TimestampUnit.of(9).toMicros(-1L)).isEqualTo(Long.divideUnsigned(-1L, 1000));
        assertThat(TimestampUnit.of(19)).isNull();
    }

    @Test
    void powersOfTwo() {
        // 2^-20 s: 1.5 s is 1.5 * 2^20 units
        assertThat(TimestampUnit.of(0x94).toMicros(3L << 19)).isEqualTo(1_500_000);
        assertThat(TimestampUnit.of(0x94).toMicros((1_700_000_000L << 20) + 1)).isEqualTo(1_700_000_000_000_000L);
        assertThat(TimestampUnit.of(0x80).toMicros(7)).isEqualTo(7_000_000);
        // 2^-60 s: precision beyond 2^-40 is dropped, not overflowed
        assertThat(TimestampUnit.of(0x80 | 60).toMicros(5L << 59)).isEqualTo(2_500_000);
        assertThat(TimestampUnit.of(0x80 | 63).toMicros(Long.MIN_VALUE)).isEqualTo(1_000_000);
        assertThat(TimestampUnit.of(0x80 | 64)).isNull();
    }

    @Test
    void interfaceOffsetIsAdded() {
        CaptureInterface f = new CaptureInterface(1, 0, TimestampUnit.of(0x94), 1_000_000_000L * 1_000_000L);
        assertThat(f.micros(700_000_000L << 20)).isEqualTo(1_700_000_000_000_000L);
    }
}
