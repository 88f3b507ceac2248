package io.plainsight.policy;

/** {@code value in {a, b, c..d}}: the value equals a member (is in a network member, in a range). */
record SetTest(ValueTest[] members) implements ValueTest {
    @Override
    public boolean test(Object value) {
        for (ValueTest m : members) {
            if (m.test(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void print(StringBuilder out) {
        out.append('{');
        for (int i = 0; i < members.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            members[i].print(out);
        }
        out.append('}');
    }
}
