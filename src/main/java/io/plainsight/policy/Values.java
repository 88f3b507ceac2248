package io.plainsight.policy;

import java.net.InetAddress;

/** Comparisons of field values (Long, String, InetAddress) with literals and with each other. */
final class Values {
    private Values() {}

    /**
     * A field value compared with a literal of the field's type (Long, String or a single-address
     * {@link IpNetwork}); {@link IpNetwork#UNORDERED} for an address of the other family.
     */
    static int compare(Object value, Object literal) {
        if (literal instanceof Long l) {
            return Long.compare(((Number) value).longValue(), l);
        }
        if (literal instanceof String s) {
            return ((String) value).compareTo(s);
        }
        return ((IpNetwork) literal).compareTo((InetAddress) value);
    }

    /** Two field values of the same type compared; {@link IpNetwork#UNORDERED} for addresses of different families. */
    static int compareValues(Object a, Object b) {
        if (a instanceof Number x) {
            return Long.compare(x.longValue(), ((Number) b).longValue());
        }
        if (a instanceof String s) {
            return s.compareTo((String) b);
        }
        return IpNetwork.compare((InetAddress) a, (InetAddress) b);
    }

    /** Two literals of the same type compared (range bounds); {@link IpNetwork#UNORDERED} across families. */
    static int compareLiterals(Object a, Object b) {
        if (a instanceof Long x) {
            return Long.compare(x, (Long) b);
        }
        if (a instanceof String s) {
            return s.compareTo((String) b);
        }
        return ((IpNetwork) b).compareTo(((IpNetwork) a).bytes());
    }

    /** A literal in canonical form: decimal integer, quoted string, address or network. */
    static void print(StringBuilder out, Object literal) {
        if (literal instanceof String s) {
            quote(out, s);
        } else {
            out.append(literal);
        }
    }

    /**
     * A string in double quotes: {@code "} and {@code \} escaped, printable ASCII as is, every other
     * character (a byte, see {@link FieldSource}) as {@code \xNN}.
     */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", c & 0xff));
            }
        }
        out.append('"');
    }
}
