package io.plainsight.policy;

import java.util.List;

/**
 * One change of the audit log parts, with ModSecurity's {@code ctl:auditLogParts} semantics:
 * {@code +EIJ} appends parts, {@code -E} removes them, {@code =ABFHZ} replaces the whole set.
 *
 * @param op '+', '-' or '='
 * @param parts the part letters (A to K, Z), at least one
 */
public record PartsChange(char op, String parts) {
    /** The part letters ModSecurity 2.9 knows, in their canonical order. */
    public static final String LETTERS = "ABCDEFGHIJKZ";

    public PartsChange {
        if (op != '+' && op != '-' && op != '=') {
            throw new IllegalArgumentException("parts '" + op + parts + "': expected +, - or = before the part letters");
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("parts '" + op + "': no part letters after '" + op + "'");
        }
        for (int i = 0; i < parts.length(); i++) {
            if (LETTERS.indexOf(parts.charAt(i)) < 0) {
                throw new IllegalArgumentException("parts '" + op + parts + "': '" + parts.charAt(i)
                        + "' is not an audit log part (expected letters of " + LETTERS + ")");
            }
        }
    }

    /**
     * Parses {@code +EIJ}, {@code -E} or {@code =ABFHZ} (a bare {@code ABFHZ} is rejected, so that
     * a rule never replaces the parts by accident).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static PartsChange parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("parts: empty; expected e.g. +EIJ, -E or =ABFHZ");
        }
        char op = t.charAt(0);
        if (op != '+' && op != '-' && op != '=') {
            throw new IllegalArgumentException("parts '" + t + "': start with + (add), - (remove) or = (replace), e.g. +"
                    + t);
        }
        return new PartsChange(op, t.substring(1).toUpperCase(java.util.Locale.ROOT));
    }

    /** The parts after this change, in canonical order (A B C ... K Z). */
    public String apply(String base) {
        StringBuilder out = new StringBuilder();
        for (char c : LETTERS.toCharArray()) {
            boolean inBase = base.indexOf(c) >= 0;
            boolean here = parts.indexOf(c) >= 0;
            boolean keep = switch (op) {
                case '+' -> inBase || here;
                case '-' -> inBase && !here;
                default -> here;
            };
            if (keep) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Applies {@code changes} (texts like "+EIJ") in order to {@code base}. */
    public static String applyAll(String base, List<String> changes) {
        String parts = base;
        for (String c : changes) {
            parts = parse(c).apply(parts);
        }
        return parts;
    }

    @Override
    public String toString() {
        return op + parts;
    }
}
