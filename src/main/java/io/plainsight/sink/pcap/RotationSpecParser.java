package io.plainsight.sink.pcap;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code --rotate} values; see {@link Rotation#parse}. */
final class RotationSpecParser {
    private RotationSpecParser() {}

    private static final Pattern SPEC = Pattern.compile("(\\d{1,9})\\s*([a-z]+)");

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
            case "s" -> new Rotation.ByTime(Duration.ofSeconds(n));
            case "m", "min" -> new Rotation.ByTime(Duration.ofMinutes(n));
            case "h" -> new Rotation.ByTime(Duration.ofHours(n));
            case "d" -> new Rotation.ByTime(Duration.ofDays(n));
            case "b" -> new Rotation.BySize(n);
            case "kb", "k" -> new Rotation.BySize(n * 1000L);
            case "mb" -> new Rotation.BySize(n * 1000_000L);
            case "gb" -> new Rotation.BySize(n * 1000_000_000L);
            case "kib" -> new Rotation.BySize(n << 10);
            case "mib" -> new Rotation.BySize(n << 20);
            case "gib" -> new Rotation.BySize(n << 30);
            default -> throw new IllegalArgumentException(error);
        };
    }
}
