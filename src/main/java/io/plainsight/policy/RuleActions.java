package io.plainsight.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a rule does when it matches.
 *
 * @param parts audit part changes, in order ({@code parts: +EIJ})
 * @param audit {@code audit: on|off}, or null
 * @param stickyMicros {@code sticky: client 600s}: the window in microseconds; 0 when none
 * @param redact what to redact ({@link Redaction#NONE} when nothing)
 * @param capture {@code capture: off} (false), or null (connection level)
 * @param decrypt {@code decrypt: off} (false), or null (connection level)
 */
public record RuleActions(List<PartsChange> parts, Boolean audit, long stickyMicros, Redaction redact, Boolean capture,
        Boolean decrypt) {
    public RuleActions {
        parts = List.copyOf(parts);
    }

    /** Whether the rule acts on whole connections (capture, decrypt), decided when they open. */
    public boolean connectionLevel() {
        return capture != null || decrypt != null;
    }

    /** Whether it has any exchange-level action. */
    public boolean exchangeLevel() {
        return !parts.isEmpty() || audit != null || stickyMicros > 0 || !redact.isEmpty();
    }

    /** The actions in the line format: {@code parts +EIJ; sticky client 600s}. */
    public String text() {
        List<String> out = new ArrayList<>();
        for (PartsChange p : parts) {
            out.add("parts " + p);
        }
        if (audit != null) {
            out.add("audit " + (audit ? "on" : "off"));
        }
        if (stickyMicros > 0) {
            out.add("sticky client " + RuleReader.durationText(stickyMicros));
        }
        if (!redact.headers().isEmpty()) {
            out.add("redact header " + String.join(", ", redact.headers()));
        }
        if (!redact.params().isEmpty()) {
            out.add("redact param " + String.join(", ", redact.params()));
        }
        for (Pattern p : redact.bodyRegexes()) {
            out.add("redact body-regex " + RuleReader.quote(p.pattern()));
        }
        if (capture != null) {
            out.add("capture " + (capture ? "on" : "off"));
        }
        if (decrypt != null) {
            out.add("decrypt " + (decrypt ? "on" : "off"));
        }
        return String.join("; ", out);
    }
}
