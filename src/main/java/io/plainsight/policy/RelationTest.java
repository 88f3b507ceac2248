package io.plainsight.policy;

import java.net.InetAddress;

/**
 * {@code value REL literal}: integers numerically, strings by UTF-16 code unit (byte order for
 * the ISO-8859-1 strings of {@link FieldSource}), addresses as unsigned bytes; a network literal
 * with {@code ==}/{@code !=} tests membership.
 */
record RelationTest(Rel rel, Object literal) implements ValueTest {
    @Override
    public boolean test(Object value) {
        if (literal instanceof IpNetwork network && (rel == Rel.EQ || rel == Rel.NE)) {
            boolean in = network.contains((InetAddress) value);
            return rel == Rel.EQ ? in : !in;
        }
        return rel.holds(Values.compare(value, literal));
    }

    @Override
    public void print(StringBuilder out) {
        Values.print(out, literal);
    }
}
