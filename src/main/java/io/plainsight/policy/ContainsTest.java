package io.plainsight.policy;

/** {@code value contains "needle"}: a case-sensitive substring test. */
record ContainsTest(String needle) implements ValueTest {
    @Override
    public boolean test(Object value) {
        return ((String) value).contains(needle);
    }

    @Override
    public void print(StringBuilder out) {
        Values.quote(out, needle);
    }
}
