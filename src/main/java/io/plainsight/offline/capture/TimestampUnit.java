package io.plainsight.offline.capture;

/**
 * A pcapng interface's timestamp resolution ({@code if_tsresol}): the low 7 bits are an exponent,
 * of 10 when the high bit is clear (6 = microseconds, the default; 9 = nanoseconds), of 2 when it
 * is set (0x94 = 2^-20 s). Converts timestamps in that unit to microseconds, rounding down.
 */
record TimestampUnit(boolean powerOfTwo, int exponent) {
    static final TimestampUnit MICROS = new TimestampUnit(false, 6);
    static final TimestampUnit NANOS = new TimestampUnit(false, 9);

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** The unit of an {@code if_tsresol} byte; null if the reader cannot use it (an exponent of 10 above 18, of 2 above 63). */
    static TimestampUnit of(int tsresol) {
        int e = tsresol & 0x7F;
        boolean two = (tsresol & 0x80) != 0;
        if (two ? e > 63 : e > 18) {
            return null;
        }
        return new TimestampUnit(two, e);
    }

    /** Microseconds in {@code units} (an unsigned 64-bit count of this unit). */
    long toMicros(long units) {
        if (powerOfTwo) {
            int e = exponent;
            if (e > 40) { // keep (fraction * 10^6) inside 64 bits: drop sub-microsecond bits
                units >>>= e - 40;
                e = 40;
            }
            long mask = (1L << e) - 1;
            return (units >>> e) * 1_000_000L + (((units & mask) * 1_000_000L) >>> e);
        }
        if (exponent >= 6) {
            return Long.divideUnsigned(units, POW10[exponent - 6]);
        }
        return units * POW10[6 - exponent];
    }

    @Override
    public String toString() {
        return powerOfTwo ? "2^-" + exponent + " s" : "10^-" + exponent + " s";
    }
}
