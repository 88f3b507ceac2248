package io.plainsight.policy;

/** A set member {@code low..high}: the value is between the bounds, both included. */
record RangeTest(Object low, Object high) implements ValueTest {
    @Override
    public boolean test(Object value) {
        int c = Values.compare(value, low);
        return c != IpNetwork.UNORDERED && c >= 0 && Values.compare(value, high) <= 0;
    }

    @Override
    public void print(StringBuilder out) {
        Values.print(out, low);
        out.append("..");
        Values.print(out, high);
    }
}
