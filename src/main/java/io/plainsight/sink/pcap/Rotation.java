package io.plainsight.sink.pcap;

import java.time.Duration;

/**
 * When a pcap directory sink starts a new file ({@code --rotate}): every period of wall-clock time,
 * aligned to the UTC epoch (hourly at :00), or when a file would exceed a size.
 */
public sealed interface Rotation {
    /** Hourly, the default. */
    Rotation HOURLY = new ByTime(Duration.ofHours(1));

    /** A new file for each aligned period of event time. */
    record ByTime(Duration period) implements Rotation {
        public ByTime {
            if (period.toSeconds() < 1) {
                throw new IllegalArgumentException("rotation period " + period + ": expected at least 1s");
            }
        }

        /** The start (microseconds since the epoch) of the period that holds {@code micros}. */
        public long periodStart(long micros) {
            long p = period.toNanos() / 1000;
            return Math.floorDiv(micros, p) * p;
        }
    }

    /** A new file before a record that would make the current one larger than {@code maxBytes}. */
    record BySize(long maxBytes) implements Rotation {
        public BySize {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("rotation size " + maxBytes + ": expected at least 1 byte");
            }
        }
    }

    /**
     * Parses a {@code --rotate} value: a duration ({@code 30s}, {@code 15m}, {@code 1h},
     * {@code 1d}) or a size ({@code 500KB}, {@code 100MB}, {@code 1GB}: powers of 1000; {@code KiB},
     * {@code MiB}, {@code GiB}: powers of 1024). Units are case-insensitive; {@code m} is minutes.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static Rotation parse(String spec) {
        return RotationSpecParser.parse(spec);
    }
}
