package io.plainsight.policy;

/** A relation between a field value and a literal (or another field's value). */
enum Rel {
    EQ, NE, LT, LE, GT, GE;

    /**
     * Whether the relation holds for a comparison result {@code c} (negative, zero, positive as from
     * {@code compareTo}); values that cannot be ordered ({@link IpNetwork#UNORDERED}: IPv4 against
     * IPv6) are only unequal.
     */
    boolean holds(int c) {
        if (c == IpNetwork.UNORDERED) {
            return this == NE;
        }
        return switch (this) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }
}
