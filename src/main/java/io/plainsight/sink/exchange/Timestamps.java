package io.plainsight.sink.exchange;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO 8601 timestamps (UTC, milliseconds) as HAR and the flow log write them. */
public final class Timestamps {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    public static String iso(long micros) {
        return ISO.format(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000));
    }

    /** Milliseconds between two microsecond timestamps, never negative, 3 decimals. */
    public static double millis(long fromMicros, long toMicros) {
        return fromMicros <= 0 || toMicros <= 0 ? 0 : Math.max(0, toMicros - fromMicros) / 1000.0;
    }
}
