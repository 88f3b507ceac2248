package io.plainsight.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address literal of a filter: one IPv4 or IPv6 address, or a network in CIDR notation
 * ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). Parsed without name resolution; host bits of a
 * network are cleared ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}); an IPv4-mapped IPv6 address
 * ({@code ::ffff:10.0.0.1}) is the IPv4 address, as {@link java.net.InetAddress} makes it.
 */
final class IpNetwork {
    /** What {@link #compareTo} returns for addresses of different families. */
    static final int UNORDERED = Integer.MIN_VALUE;

    /**
     * Whether {@link Inet4Address#hashCode()} is the address as an int (it is in every OpenJDK, but
     * not specified): then IPv4 values are compared without {@link InetAddress#getAddress()}'s copy.
     */
    private static final boolean V4_HASH_IS_ADDRESS = checkV4Hash();

    private final byte[] bytes;
    private final int prefix;
    /** IPv4: the network and its mask as ints. */
    private final int v4;
    private final int v4Mask;

    private IpNetwork(byte[] bytes, int prefix) {
        this.bytes = bytes;
        this.prefix = prefix;
        int full = prefix / 8;
        if (full < bytes.length) {
            bytes[full] &= (byte) (0xff00 >>> (prefix % 8));
            Arrays.fill(bytes, full + 1, bytes.length, (byte) 0);
        }
        this.v4 = bytes.length == 4 ? toInt(bytes) : 0;
        this.v4Mask = prefix == 0 ? 0 : -1 << (32 - Math.min(prefix, 32));
    }

    private static int toInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static boolean checkV4Hash() {
        try {
            for (byte[] b : new byte[][] {{1, 2, 3, 4}, {(byte) 255, (byte) 254, (byte) 128, 0}, {0, 0, 0, 0}}) {
                if (InetAddress.getByAddress(b).hashCode() != toInt(b)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether {@code address} is in this network (false for the other family), without copying an IPv4 address. */
    boolean contains(InetAddress address) {
        if (V4_HASH_IS_ADDRESS && address instanceof Inet4Address) {
            return bytes.length == 4 && (address.hashCode() & v4Mask) == v4;
        }
        return contains(address.getAddress());
    }

    /** {@code address} compared with this address (see {@link #compareTo(byte[])}), without copying an IPv4 address. */
    int compareTo(InetAddress address) {
        if (V4_HASH_IS_ADDRESS && address instanceof Inet4Address) {
            return bytes.length == 4 ? Integer.compareUnsigned(address.hashCode(), v4) : UNORDERED;
        }
        return compareTo(address.getAddress());
    }

    /** Two addresses compared, unsigned byte by byte; {@link #UNORDERED} across families. */
    static int compare(InetAddress a, InetAddress b) {
        if (V4_HASH_IS_ADDRESS && a instanceof Inet4Address && b instanceof Inet4Address) {
            return Integer.compareUnsigned(a.hashCode(), b.hashCode());
        }
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        return x.length != y.length ? UNORDERED : Arrays.compareUnsigned(x, y);
    }

    /**
     * Parses {@code a.b.c.d}, an IPv6 address, either with {@code /prefix}.
     *
     * @return null when the text is not an address
     * @throws IllegalArgumentException when it is an address with an invalid prefix length (the
     *     message says why)
     */
    static IpNetwork parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] b = address.indexOf(':') >= 0 ? parse6(address) : parse4(address);
        if (b == null) {
            return null;
        }
        int bits = b.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'/" + p + "' is not a prefix length");
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                throw new IllegalArgumentException("prefix length " + prefix + " is out of range for an "
                        + (bits == 32 ? "IPv4" : "IPv6") + " address (0 to " + bits + ")");
            }
        }
        if (b.length == 16 && prefix >= 96 && isMapped(b)) {
            return new IpNetwork(Arrays.copyOfRange(b, 12, 16), prefix - 96);
        }
        return new IpNetwork(b, prefix);
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** Dotted quad, four decimal parts 0-255 without leading zeros; null otherwise. */
    static byte[] parse4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = s.length();
        while (true) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return null;
                }
            }
            if (i == start || (i - start > 1 && s.charAt(start) == '0') || v > 255) {
                return null;
            }
            out[part++] = (byte) v;
            if (i == n) {
                return part == 4 ? out : null;
            }
            if (s.charAt(i) != '.' || part == 4) {
                return null;
            }
            i++;
        }
    }

    /** RFC 4291 section 2.2 text forms (no zone id); null otherwise. */
    static byte[] parse6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(gap < 0 ? s : s.substring(0, gap), gap < 0);
        int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2), true);
        if (head == null || tail == null) {
            return null;
        }
        if (gap < 0 ? head.length != 8 : head.length + tail.length > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int g = 8 - tail.length + i;
            out[2 * g] = (byte) (tail[i] >> 8);
            out[2 * g + 1] = (byte) tail[i];
        }
        return out;
    }

    /** Colon-separated 16-bit groups; the last may be a dotted quad (two groups) when allowed. */
    private static int[] groups(String part, boolean ipv4Last) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] texts = part.split(":", -1);
        int[] out = new int[texts.length + 1];
        int n = 0;
        for (int i = 0; i < texts.length; i++) {
            String t = texts[i];
            if (t.indexOf('.') >= 0) {
                byte[] v4 = i == texts.length - 1 && ipv4Last ? parse4(t) : null;
                if (v4 == null) {
                    return null;
                }
                out[n++] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                out[n++] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                continue;
            }
            if (t.isEmpty() || t.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < t.length(); k++) {
                int d = hexDigit(t.charAt(k));
                if (d < 0) {
                    return null;
                }
                v = v << 4 | d;
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }

    /** The value of an ASCII hex digit, or -1. */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The address (masked to the prefix); not a copy. */
    byte[] bytes() {
        return bytes;
    }

    boolean isIpv6() {
        return bytes.length == 16;
    }

    /** Whether this is a network rather than one address (the prefix is shorter than the address). */
    boolean isNetwork() {
        return prefix < bytes.length * 8;
    }

    /** Whether {@code address} (4 or 16 bytes) is in this network; false for the other family. */
    boolean contains(byte[] address) {
        if (address.length != bytes.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != bytes[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || (address[full] & (0xff00 >>> rest) & 0xff) == (bytes[full] & 0xff);
    }

    /** {@code address} compared with this address, unsigned byte by byte; {@link #UNORDERED} across families. */
    int compareTo(byte[] address) {
        if (address.length != bytes.length) {
            return UNORDERED;
        }
        return Arrays.compareUnsigned(address, bytes);
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as "::"); "/prefix" for a network. */
    @Override
    public String toString() {
        String text = bytes.length == 4 ? format4(bytes) : format6(bytes);
        return isNetwork() ? text + "/" + prefix : text;
    }

    static String format4(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    static String format6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpNetwork n && n.prefix == prefix && Arrays.equals(n.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + prefix;
    }
}
