package io.plainsight.policy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code value matches "regex"}: {@link java.util.regex} searched anywhere in the value
 * ({@link Matcher#find()}), case-insensitive (ASCII letters, as the values are bytes) unless the
 * pattern says {@code (?-i)}. Each thread reuses one {@link Matcher}, so a test does not allocate.
 */
final class RegexTest implements ValueTest {
    private final Pattern pattern;
    private final ThreadLocal<Matcher> matcher;

    RegexTest(Pattern pattern) {
        this.pattern = pattern;
        this.matcher = ThreadLocal.withInitial(() -> pattern.matcher(""));
    }

    Pattern pattern() {
        return pattern;
    }

    @Override
    public boolean test(Object value) {
        Matcher m = matcher.get();
        boolean found = m.reset((String) value).find();
        m.reset(""); // do not keep the value reachable
        return found;
    }

    @Override
    public void print(StringBuilder out) {
        Values.quote(out, pattern.pattern());
    }
}
