package io.plainsight.sink.auditlog;

import java.util.Locale;

/**
 * Which parts of a transaction an audit log entry holds (ModSecurity's {@code SecAuditLogParts}):
 * letters A to K and Z. A (header) and Z (end marker) are always present. D and G are accepted,
 * as ModSecurity 2.9 accepts them, and never written (ModSecurity never implemented them).
 * Immutable.
 */
public final class AuditParts {
    /** The order parts appear in an entry (ModSecurity 2.9's {@code sec_audit_logger}). */
    public static final String OUTPUT_ORDER = "ABCIFEHJKZ";
    /** {@code SecAuditLogParts}' default. */
    public static final AuditParts DEFAULT = parse("ABCFHZ");
    /** Everything that can be written: a sticky full capture. */
    public static final AuditParts ALL = parse("ABCEFHIJKZ");

    private static final String VALID = "ABCDEFGHIJKZ";

    /** One bit per letter, bit (letter - 'A'). */
    private final int bits;

    private AuditParts(int bits) {
        this.bits = bits | bit('A') | bit('Z');
    }

    private static int bit(char part) {
        return 1 << (part - 'A');
    }

    /**
     * Parts from letters such as {@code ABCFHZ} (case-insensitive, any order; A and Z are added).
     *
     * @throws IllegalArgumentException naming the first letter that is not a part
     */
    public static AuditParts parse(String letters) {
        return new AuditParts(bitsOf(letters));
    }

    private static int bitsOf(String letters) {
        if (letters == null || letters.isEmpty()) {
            throw new IllegalArgumentException("no parts given; expected letters from " + VALID + ", e.g. ABCFHZ");
        }
        int bits = 0;
        for (char c : letters.toUpperCase(Locale.ROOT).toCharArray()) {
            if (VALID.indexOf(c) < 0) {
                throw new IllegalArgumentException("'" + c + "' is not an audit log part; expected letters from " + VALID);
            }
            bits |= bit(c);
        }
        return bits;
    }

    /**
     * These parts changed the way ModSecurity's {@code ctl:auditLogParts} changes them: {@code +EIJ}
     * adds, {@code -E} removes, {@code =ABFHZ} (or plain {@code ABFHZ}) replaces. A and Z stay.
     *
     * @throws IllegalArgumentException if the change holds a letter that is not a part
     */
    public AuditParts apply(String change) {
        if (change == null || change.isEmpty()) {
            throw new IllegalArgumentException("empty audit log parts change; expected +LETTERS, -LETTERS or =LETTERS");
        }
        char op = change.charAt(0);
        return switch (op) {
            case '+' -> new AuditParts(bits | bitsOf(change.substring(1)));
            case '-' -> new AuditParts(bits & ~bitsOf(change.substring(1)));
            case '=' -> new AuditParts(bitsOf(change.substring(1)));
            default -> new AuditParts(bitsOf(change));
        };
    }

    /** Whether the part (an upper-case letter) is included. */
    public boolean has(char part) {
        return part >= 'A' && part <= 'Z' && (bits & bit(part)) != 0;
    }

    /** The letters in alphabetical order, e.g. {@code ABCFHZ}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (char c : VALID.toCharArray()) {
            if (has(c)) {
                s.append(c);
            }
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditParts p && p.bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }
}
