package io.plainsight.offline.tls;

import java.util.Arrays;
import java.util.HexFormat;

/** A byte string as a map key (client random, session ID, ticket). The array is not copied: do not modify it. */
final class Bytes {
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] bytes;
    private final int hash;

    Bytes(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    byte[] array() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && b.hash == hash && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }

    static String hex(byte[] b) {
        return b == null ? "(none)" : HEX.formatHex(b);
    }

    /** The first {@code n} bytes in hex, with "..." when there are more. */
    static String shortHex(byte[] b, int n) {
        return b.length <= n ? HEX.formatHex(b) : HEX.formatHex(b, 0, n) + "...";
    }
}
