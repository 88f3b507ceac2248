package io.plainsight.sink.auditlog;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The timestamps of the audit log, in one time zone. Pure (it caches the text of the last second). Not thread-safe. */
final class AuditTime {
    /** Part A: {@code 21/Nov/2025:17:00:00.001000 +0100}. */
    private static final String PART_A = "dd/MMM/yyyy:HH:mm:ss.SSSSSS Z";
    /** ModSecurity's {@code current_logtime} (index lines): {@code 21/Nov/2025:17:00:00 +0100}. */
    private static final String LOG_TIME = "dd/MMM/yyyy:HH:mm:ss Z";
    /** C's {@code asctime} without the newline (libmodsecurity 3's {@code time_stamp}): {@code Fri Nov 21 17:00:00 2025}. */
    private static final String ASC_TIME = "EEE MMM ppd HH:mm:ss yyyy";
    /** The concurrent layout's entry path without the unique id: {@code 20251121/20251121-1700/20251121-170000}. */
    private static final String STORAGE_PATH = "yyyyMMdd/yyyyMMdd-HHmm/yyyyMMdd-HHmmss";

    private final DateTimeFormatter partA;
    private final DateTimeFormatter logTime;
    private final DateTimeFormatter ascTime;
    private final DateTimeFormatter storagePath;

    AuditTime(ZoneId zone) {
        this.partA = DateTimeFormatter.ofPattern(PART_A, Locale.ENGLISH).withZone(zone);
        this.logTime = DateTimeFormatter.ofPattern(LOG_TIME, Locale.ENGLISH).withZone(zone);
        this.ascTime = DateTimeFormatter.ofPattern(ASC_TIME, Locale.ENGLISH).withZone(zone);
        this.storagePath = DateTimeFormatter.ofPattern(STORAGE_PATH, Locale.ENGLISH).withZone(zone);
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    String partA(long micros) {
        return partA.format(instant(micros));
    }

    // part A of the last second formatted, its fraction's 6 digits to be filled in per entry
    private long partASecond = Long.MIN_VALUE;
    private byte[] partABytes;
    private int partAFraction;

    /**
     * Appends {@link #partA(long)}'s text. The text of a whole second is formatted once (entries
     * come many per second) and each entry's microseconds written into its fraction: the zone's
     * offset changes only at whole seconds, so the bytes are the same.
     */
    void partA(long micros, AuditBytes out) {
        long second = Math.floorDiv(micros, 1_000_000L);
        if (second != partASecond) {
            String text = partA.format(Instant.ofEpochSecond(second));
            partABytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            partAFraction = text.lastIndexOf('.') + 1;
            partASecond = second;
        }
        out.bytes(partABytes, 0, partAFraction);
        out.zeroPadded((int) Math.floorMod(micros, 1_000_000L), 6);
        out.bytes(partABytes, partAFraction + 6, partABytes.length - partAFraction - 6);
    }

    String logTime(long micros) {
        return logTime.format(instant(micros));
    }

    String ascTime(long micros) {
        return ascTime.format(instant(micros));
    }

    String storagePath(long micros) {
        return storagePath.format(instant(micros));
    }
}
