package io.plainsight.policy;

import java.util.List;

/**
 * What the capture rules decided for one exchange (set on the exchange before any output sees it).
 *
 * @param matches the rules that matched, in rule order
 * @param partChanges audit part changes in order, each ModSecurity {@code ctl:auditLogParts} style:
 *     "+EIJ" appends, "-E" removes, "=ABFHZ" replaces
 * @param audit true / false when a rule said {@code audit: on|off}; null when none did
 * @param stickyUntilMicros when this exchange's client is under a sticky full capture: the time it
 *     ends (microseconds since the epoch); 0 when it is not
 * @param sanitised what was redacted, ModSecurity style lines for the H part, e.g.
 *     {@code Sanitised-Request-Headers: "Authorization"}, {@code Sanitised-Args: "password"}
 */
public record RuleVerdict(List<RuleMatch> matches, List<String> partChanges, Boolean audit, long stickyUntilMicros,
        List<String> sanitised) {
    /** No rule matched, nothing redacted. */
    public static final RuleVerdict NONE = new RuleVerdict(List.of(), List.of(), null, 0, List.of());

    public RuleVerdict {
        matches = List.copyOf(matches);
        partChanges = List.copyOf(partChanges);
        sanitised = List.copyOf(sanitised);
    }

    /** Whether the client is under a sticky full capture. */
    public boolean sticky() {
        return stickyUntilMicros != 0;
    }
}
