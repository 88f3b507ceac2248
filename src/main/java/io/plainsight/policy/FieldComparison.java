package io.plainsight.policy;

import java.util.List;

/**
 * {@code field OP field} ({@code ip.src == ip.dst}, {@code tcp.srcport > tcp.dstport}): tested
 * on every pair of values. ANY operators need one pair that passes; {@code !=} and {@code ===}
 * need both fields present and every pair to pass.
 */
record FieldComparison(Field left, Op op, Field right) implements Node {
    @Override
    public boolean eval(FieldSource source) {
        boolean all = op.quantifier == Op.Quantifier.ALL;
        boolean seen = false;
        for (String lk : left.keyArray()) {
            List<Object> lv = source.values(lk);
            if (lv == null) {
                continue;
            }
            for (int i = 0, n = lv.size(); i < n; i++) {
                Object a = lv.get(i);
                if (!left.accepts(lk, a)) {
                    continue;
                }
                for (String rk : right.keyArray()) {
                    List<Object> rv = source.values(rk);
                    if (rv == null) {
                        continue;
                    }
                    for (int j = 0, m = rv.size(); j < m; j++) {
                        Object b = rv.get(j);
                        if (!right.accepts(rk, b)) {
                            continue;
                        }
                        seen = true;
                        boolean pass = op == Op.CONTAINS
                                ? ((String) a).contains((String) b)
                                : op.rel.holds(Values.compareValues(a, b));
                        if (pass != all) {
                            return pass; // ANY: one passed; ALL: one failed
                        }
                    }
                }
            }
        }
        return all && seen;
    }

    @Override
    public int precedence() {
        return TEST;
    }

    @Override
    public void print(StringBuilder out) {
        out.append(left.name()).append(' ').append(op.symbol).append(' ').append(right.name());
    }
}
