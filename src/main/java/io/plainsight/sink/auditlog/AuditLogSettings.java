package io.plainsight.sink.auditlog;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How the audit log is written.
 *
 * @param parts the parts of every entry before rules change them ({@code --audit-parts})
 * @param engine which exchanges are logged ({@code --audit-engine})
 * @param relevantStatus with {@link AuditEngine#RELEVANT_ONLY}: response statuses that make an
 *     exchange relevant, searched in the status code's digits ({@code --audit-relevant-status})
 * @param format native (ModSecurity 2.9 serial) or JSON (libmodsecurity 3)
 * @param storageDir for the concurrent layout: the directory of the entry files (the audit log
 *     file then holds the index lines); null for a serial log
 * @param zone the time zone of the timestamps and of the concurrent layout's directory names
 */
public record AuditLogSettings(AuditParts parts, AuditEngine engine, Pattern relevantStatus, AuditFormat format,
        Path storageDir, ZoneId zone) {
    /** ModSecurity's recommended {@code SecAuditLogRelevantStatus}: 5xx, and 4xx but 404. */
    public static final String DEFAULT_RELEVANT_STATUS = "^(?:5|4(?!04))";

    public AuditLogSettings {
        Objects.requireNonNull(parts, "parts");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(relevantStatus, "relevantStatus");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(zone, "zone");
    }

    /** ModSecurity's defaults: parts ABCFHZ, engine On, serial native format, the local time zone. */
    public static AuditLogSettings defaults() {
        return new AuditLogSettings(AuditParts.DEFAULT, AuditEngine.ON, relevantStatus(DEFAULT_RELEVANT_STATUS),
                AuditFormat.NATIVE, null, ZoneId.systemDefault());
    }

    /**
     * A relevant-status expression (Java regular expression syntax, which covers PCRE's usual
     * subset such as look-ahead).
     *
     * @throws IllegalArgumentException when it does not compile
     */
    public static Pattern relevantStatus(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + regex + "': not a regular expression: " + e.getDescription()
                    + " near index " + e.getIndex(), e);
        }
    }

    public AuditLogSettings withParts(AuditParts p) {
        return new AuditLogSettings(p, engine, relevantStatus, format, storageDir, zone);
    }

    public AuditLogSettings withEngine(AuditEngine e) {
        return new AuditLogSettings(parts, e, relevantStatus, format, storageDir, zone);
    }

    public AuditLogSettings withRelevantStatus(Pattern p) {
        return new AuditLogSettings(parts, engine, p, format, storageDir, zone);
    }

    public AuditLogSettings withFormat(AuditFormat f) {
        return new AuditLogSettings(parts, engine, relevantStatus, f, storageDir, zone);
    }

    public AuditLogSettings withStorageDir(Path dir) {
        return new AuditLogSettings(parts, engine, relevantStatus, format, dir, zone);
    }

    public AuditLogSettings withZone(ZoneId z) {
        return new AuditLogSettings(parts, engine, relevantStatus, format, storageDir, z);
    }
}
