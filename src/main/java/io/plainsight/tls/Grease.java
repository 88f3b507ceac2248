package io.plainsight.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa, which clients put among their cipher
 * suites, extensions, groups, versions and signature algorithms to keep servers tolerant. JA3 and
 * JA4 leave them out.
 */
final class Grease {
    private Grease() {}

    static boolean is(int value) {
        return (value & 0x0f0f) == 0x0a0a && (value >>> 8) == (value & 0xff);
    }

    /** {@code values} without the GREASE ones, in order. */
    static List<Integer> without(List<Integer> values) {
        List<Integer> out = new ArrayList<>(values.size());
        for (int v : values) {
            if (!is(v)) {
                out.add(v);
            }
        }
        return out;
    }
}
