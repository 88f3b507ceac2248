package io.plainsight.sink.auditlog;

import java.util.Locale;

/** How entries are written (ModSecurity's {@code SecAuditLogFormat}). */
public enum AuditFormat {
    /** ModSecurity 2.9's native serial format: boundaries and parts. */
    NATIVE,
    /** libmodsecurity 3's JSON: one object per line. */
    JSON;

    /**
     * {@code native} or {@code json}, case-insensitive.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static AuditFormat parse(String text) {
        return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
            case "native" -> NATIVE;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("'" + text + "': expected native or json");
        };
    }
}
