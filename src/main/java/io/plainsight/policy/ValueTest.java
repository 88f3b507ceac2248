package io.plainsight.policy;

/** A test of one field value against the literal(s) of a comparison. */
sealed interface ValueTest permits RelationTest, ContainsTest, RegexTest, RangeTest, SetTest {
    /** Whether {@code value} (of the field's type; see {@link FieldSource}) passes. */
    boolean test(Object value);

    /** The literal side in canonical form (after the operator). */
    void print(StringBuilder out);
}
