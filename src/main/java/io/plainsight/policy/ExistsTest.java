package io.plainsight.policy;

import java.util.List;

/** A bare field: true when the field has at least one value ({@code http.request}, {@code tls.sni}). */
record ExistsTest(Field field) implements Node {
    @Override
    public boolean eval(FieldSource source) {
        for (String key : field.keyArray()) {
            List<Object> values = source.values(key);
            if (values == null) {
                continue;
            }
            for (int i = 0, n = values.size(); i < n; i++) {
                if (field.accepts(key, values.get(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public int precedence() {
        return TEST;
    }

    @Override
    public void print(StringBuilder out) {
        out.append(field.name());
    }
}
