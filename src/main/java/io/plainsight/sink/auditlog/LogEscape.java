package io.plainsight.sink.auditlog;

/**
 * ModSecurity 2's escaping of text it writes into log fields ({@code log_escape},
 * {@code log_escape_nq}) and its URL encoding of reconstructed form bodies ({@code strnurlencat}).
 * Input strings hold bytes as ISO-8859-1 characters, as plainsight decodes HTTP fields. Pure.
 */
final class LogEscape {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogEscape() {}

    /**
     * {@code log_escape}: backspace, newline, carriage return, tab and vertical tab as {@code \b \n
     * \r \t \v}, a backslash doubled, a double quote as {@code \"}, other bytes below 0x20 and from
     * 0x7f up as {@code \xhh}.
     */
    static String quoted(String s) {
        return escape(s, true);
    }

    /** {@code log_escape_nq}: the same but double quotes are left as they are. */
    static String unquoted(String s) {
        return escape(s, false);
    }

    private static String escape(String s, boolean quotes) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i) & 0xff;
            switch (c) {
                case '\b' -> out.append("\\b");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0b -> out.append("\\v");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append(quotes ? "\\\"" : "\"");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append("\\x").append(HEX[c >>> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * {@code strnurlencat}: letters, digits and {@code *} as they are, a space as {@code +},
     * every other byte as {@code %hh}.
     */
    static void urlEncode(StringBuilder out, byte[] bytes) {
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == ' ') {
                out.append('+');
            } else if (c == '*' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    /** Java text (any Unicode) as the ISO-8859-1 string of its UTF-8 bytes, ready for {@link #quoted}. */
    static String utf8Bytes(String s) {
        return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
