package io.plainsight.sink.pcap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Names of rotated capture files: {@code plainsight-YYYYMMDD-HHMMSS[-N].pcap} (or another extension), in UTC. */
public final class CaptureFileNames {
    private CaptureFileNames() {}

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** The base name for a file starting at {@code micros}. */
    static String baseName(long micros) {
        return "plainsight-" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L))) ;
    }

    /** A name in {@code dir} that does not exist yet: the base name, else with -1, -2, ... */
    static Path unused(Path dir, long micros) {
        return unused(dir, micros, ".pcap");
    }

    /** A name in {@code dir} ending in {@code extension} (".pcapng") that does not exist yet. */
    public static Path unused(Path dir, long micros, String extension) {
        String base = baseName(micros);
        Path p = dir.resolve(base + extension);
        for (int n = 1; Files.exists(p); n++) {
            p = dir.resolve(base + "-" + n + extension);
        }
        return p;
    }
}
