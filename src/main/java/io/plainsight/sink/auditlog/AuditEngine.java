package io.plainsight.sink.auditlog;

import java.util.Locale;

/** Which exchanges are logged (ModSecurity's {@code SecAuditEngine}). */
public enum AuditEngine {
    /** Every exchange. */
    ON,
    /**
     * Only relevant ones: a rule matched, or the response status matches the relevant-status
     * expression (rules can still force logging on or off).
     */
    RELEVANT_ONLY;

    /**
     * {@code On} or {@code RelevantOnly}, case-insensitive.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static AuditEngine parse(String text) {
        return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
            case "on" -> ON;
            case "relevantonly" -> RELEVANT_ONLY;
            default -> throw new IllegalArgumentException("'" + text + "': expected On or RelevantOnly");
        };
    }
}
