package io.plainsight.policy;

import java.util.List;

/**
 * {@code field OP literal}: each value of the field is tested, and the results combine by the
 * operator's {@link Op.Quantifier} (some value; every value of a present field; no value).
 */
record ValueComparison(Field field, Op op, ValueTest test) implements Node {
    @Override
    public boolean eval(FieldSource source) {
        Op.Quantifier q = op.quantifier;
        boolean seen = false;
        for (String key : field.keyArray()) {
            List<Object> values = source.values(key);
            if (values == null) {
                continue;
            }
            for (int i = 0, n = values.size(); i < n; i++) {
                Object v = values.get(i);
                if (!field.accepts(key, v)) {
                    continue;
                }
                seen = true;
                boolean pass = test.test(v);
                if (q == Op.Quantifier.ANY) {
                    if (pass) {
                        return true;
                    }
                } else if (pass == (q == Op.Quantifier.NONE)) {
                    return false; // ALL: one failed; NONE: one passed
                }
            }
        }
        return switch (q) {
            case ANY -> false;
            case ALL -> seen;
            case NONE -> true;
        };
    }

    @Override
    public int precedence() {
        return TEST;
    }

    @Override
    public void print(StringBuilder out) {
        out.append(field.name()).append(' ').append(op.symbol).append(' ');
        test.print(out);
    }
}
