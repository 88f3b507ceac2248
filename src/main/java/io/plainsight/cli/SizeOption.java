package io.plainsight.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes as typed on the command line: {@code 0}, {@code 4096}, {@code 64k}, {@code 1MiB}, {@code 10MB}. */
final class SizeOption {
    private static final Pattern FORM = Pattern.compile("(\\d{1,12})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    private SizeOption() {}

    static long parse(String option, String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text + "': expected a size like 0, 4096, 64KiB, 1MiB or 10MB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        return switch (unit) {
            case "k", "kib" -> n << 10;
            case "kb" -> n * 1000;
            case "m", "mib" -> n << 20;
            case "mb" -> n * 1000_000;
            case "g", "gib" -> n << 30;
            case "gb" -> n * 1000_000_000;
            default -> n;
        };
    }
}
