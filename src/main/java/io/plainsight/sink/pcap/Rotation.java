package io.plainsight.sink.pcap;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    Pattern SPEC = Pattern.compile("(\\d{1,9})\\s*([a-z]+)");

    /**
     * Parses a {@code --rotate} value: a duration ({@code 30s}, {@code 15m}, {@code 1h},
     * {@code 1d}) or a size ({@code 500KB}, {@code 100MB}, {@code 1GB}: powers of 1000; {@code KiB},
     * {@code MiB}, {@code GiB}: powers of 1024).
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static Rotation parse(String spec) {
        String error = "--rotate '" + spec + "': expected a duration like 1h, 15m, 30s or a size like 100MB";
        if (spec == null) {
            throw new IllegalArgumentException(error);
        }
        Matcher m = SPEC.matcher(spec.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(error);
        }
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
            throw new IllegalArgumentException(error + " (it must not be zero)");
        }
        return switch (m.group(2)) {
            case "s" -> new ByTime(Duration.ofSeconds(n));
            case "m", "min" -> new ByTime(Duration.ofMinutes(n));
            case "h" -> new ByTime(Duration.ofHours(n));
            case "d" -> new ByTime(Duration.ofDays(n));
            case "b" -> new BySize(n);
            case "kb", "k" -> new BySize(n * 1000L);
            case "mb" -> new BySize(n * 1000_000L);
            case "gb" -> new BySize(n * 1000_000_000L);
            case "kib" -> new BySize(n << 10);
            case "mib" -> new BySize(n << 20);
            case "gib" -> new BySize(n << 30);
            default -> throw new IllegalArgumentException(error);
        };
    }
}
