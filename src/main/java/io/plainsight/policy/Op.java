package io.plainsight.policy;

/**
 * A comparison operator: its canonical symbol, how the values of a multi-valued field combine, and
 * the relation each value is tested with.
 */
enum Op {
    /** {@code ==}, {@code eq}, {@code any_eq}: some value is equal (or in the network). */
    EQ("==", Quantifier.ANY, Rel.EQ),
    /** {@code !=}, {@code ne}, {@code all_ne}: the field is present and every value differs. */
    NE("!=", Quantifier.ALL, Rel.NE),
    /** {@code ===}, {@code all_eq}: the field is present and every value is equal. */
    ALL_EQ("===", Quantifier.ALL, Rel.EQ),
    /** {@code !==}, {@code ~=}, {@code any_ne}: some value differs. */
    ANY_NE("!==", Quantifier.ANY, Rel.NE),
    LT("<", Quantifier.ANY, Rel.LT),
    LE("<=", Quantifier.ANY, Rel.LE),
    GT(">", Quantifier.ANY, Rel.GT),
    GE(">=", Quantifier.ANY, Rel.GE),
    /** Some value contains the string (case-sensitive). */
    CONTAINS("contains", Quantifier.ANY, null),
    /** Some value matches the regular expression (case-insensitive, anywhere in the value). */
    MATCHES("matches", Quantifier.ANY, null),
    /** Some value is a member of the set. */
    IN("in", Quantifier.ANY, null),
    /** No value is a member of the set ({@code !(f in {...})}: true when the field is absent). */
    NOT_IN("not in", Quantifier.NONE, null);

    /** How the results for the values of a field combine. */
    enum Quantifier {
        /** Some value passes; false when absent. */
        ANY,
        /** The field is present and every value passes. */
        ALL,
        /** No value passes; true when absent. */
        NONE
    }

    final String symbol;
    final Quantifier quantifier;
    final Rel rel;

    Op(String symbol, Quantifier quantifier, Rel rel) {
        this.symbol = symbol;
        this.quantifier = quantifier;
        this.rel = rel;
    }

    boolean ordering() {
        return this == LT || this == LE || this == GT || this == GE;
    }

    /** The operator a token stands for (symbols and word forms), or null. */
    static Op of(Token t) {
        return switch (t.kind()) {
            case EQ -> EQ;
            case NE -> NE;
            case ALL_EQ -> ALL_EQ;
            case ANY_NE -> ANY_NE;
            case LT -> LT;
            case LE -> LE;
            case GT -> GT;
            case GE -> GE;
            case TILDE -> MATCHES;
            case WORD -> switch (t.text().toLowerCase(java.util.Locale.ROOT)) {
                case "eq", "any_eq" -> EQ;
                case "ne", "all_ne" -> NE;
                case "all_eq" -> ALL_EQ;
                case "any_ne" -> ANY_NE;
                case "lt" -> LT;
                case "le" -> LE;
                case "gt" -> GT;
                case "ge" -> GE;
                case "contains" -> CONTAINS;
                case "matches" -> MATCHES;
                case "in" -> IN;
                default -> null;
            };
            default -> null;
        };
    }
}
