package io.plainsight.policy;

import io.plainsight.policy.Token.Kind;

/**
 * Splits a filter expression into tokens, one at a time (so the first error from the left is the
 * one reported). Words run until white space or one of {@code ( ) { } [ ] , " ' ! = < > & | ~ \}
 * or {@code ..}; strings are double-quoted with escapes, or raw ({@code r"..."}, no escapes).
 */
final class FilterLexer {
    private final String text;
    private int pos;

    FilterLexer(String text) {
        this.text = text;
    }

    Token next() throws FilterSyntaxException {
        int n = text.length();
        while (pos < n && isSpace(text.charAt(pos))) {
            pos++;
        }
        if (pos >= n) {
            return new Token(Kind.EOF, n, n, "", null);
        }
        int start = pos;
        char c = text.charAt(pos);
        switch (c) {
            case '(': return punct(Kind.LPAREN, 1);
            case ')': return punct(Kind.RPAREN, 1);
            case '{': return punct(Kind.LBRACE, 1);
            case '}': return punct(Kind.RBRACE, 1);
            case ',': return punct(Kind.COMMA, 1);
            case '"': return string(start, start + 1, false);
            case '=':
                if (startsWith("===")) {
                    return punct(Kind.ALL_EQ, 3);
                }
                if (startsWith("==")) {
                    return punct(Kind.EQ, 2);
                }
                throw error(start, 1, "unexpected '='", "compare with '=='");
            case '!':
                if (startsWith("!==")) {
                    return punct(Kind.ANY_NE, 3);
                }
                return startsWith("!=") ? punct(Kind.NE, 2) : punct(Kind.BANG, 1);
            case '<': return startsWith("<=") ? punct(Kind.LE, 2) : punct(Kind.LT, 1);
            case '>': return startsWith(">=") ? punct(Kind.GE, 2) : punct(Kind.GT, 1);
            case '~': return startsWith("~=") ? punct(Kind.ANY_NE, 2) : punct(Kind.TILDE, 1);
            case '&':
                if (startsWith("&&")) {
                    return punct(Kind.AND, 2);
                }
                throw error(start, 1, "unexpected '&'", "'&&' or 'and' joins two tests");
            case '|':
                if (startsWith("||")) {
                    return punct(Kind.OR, 2);
                }
                throw error(start, 1, "unexpected '|'", "'||' or 'or' joins two tests");
            case '.':
                if (startsWith("..")) {
                    return punct(Kind.RANGE, 2);
                }
                break;
            case 'r':
                if (startsWith("r\"")) {
                    return string(start, start + 2, true);
                }
                break;
            default:
                break;
        }
        if (!isWordChar(c)) {
            int len = Character.charCount(text.codePointAt(start));
            throw error(start, len, "unexpected character " + quoteChar(text.codePointAt(start)), hintFor(c));
        }
        while (pos < n && isWordChar(text.charAt(pos)) && !startsWith("..")) {
            pos++;
        }
        String word = text.substring(start, pos);
        Latin1 literal = new Latin1();
        for (int i = start; i < pos; ) {
            int cp = text.codePointAt(i);
            literal.appendUtf8(cp);
            i += Character.charCount(cp);
        }
        return new Token(Kind.WORD, start, pos, word, literal.value());
    }

    private Token punct(Kind kind, int length) {
        int start = pos;
        pos += length;
        return new Token(kind, start, pos, text.substring(start, pos), null);
    }

    private boolean startsWith(String s) {
        return text.startsWith(s, pos);
    }

    private Token string(int open, int bodyStart, boolean raw) throws FilterSyntaxException {
        int n = text.length();
        Latin1 value = new Latin1();
        pos = bodyStart;
        while (true) {
            if (pos >= n) {
                throw error(open, bodyStart - open, "unterminated string", "a string ends with '\"'");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            if (c == '\\' && raw) {
                value.append('\\');
                pos++;
                if (pos < n) {
                    int cp = text.codePointAt(pos);
                    value.appendUtf8(cp);
                    pos += Character.charCount(cp);
                }
                continue;
            }
            if (c == '\\') {
                escape(value);
                continue;
            }
            int cp = text.codePointAt(pos);
            value.appendUtf8(cp);
            pos += Character.charCount(cp);
        }
        return new Token(Kind.STRING, open, pos, text.substring(open, pos), value.value());
    }

    /** Decodes the escape at {@code pos} (a backslash) into {@code value}. */
    private void escape(Latin1 value) throws FilterSyntaxException {
        int at = pos;
        int n = text.length();
        if (at + 1 >= n) {
            pos = n;
            return; // the loop reports the unterminated string
        }
        char e = text.charAt(at + 1);
        int simple = switch (e) {
            case '"' -> '"';
            case '\\' -> '\\';
            case 'a' -> 7;
            case 'b' -> 8;
            case 'f' -> 12;
            case 'n' -> 10;
            case 'r' -> 13;
            case 't' -> 9;
            case 'v' -> 11;
            default -> -1;
        };
        if (simple >= 0) {
            value.append((char) simple);
            pos = at + 2;
            return;
        }
        if (e == 'x') {
            int hi = at + 2 < n ? IpNetwork.hexDigit(text.charAt(at + 2)) : -1;
            int lo = at + 3 < n ? IpNetwork.hexDigit(text.charAt(at + 3)) : -1;
            if (hi < 0 || lo < 0) {
                throw error(at, Math.min(4, n - at), "'\\x' needs two hex digits", "e.g. \\x41 for 'A'");
            }
            value.append((char) (hi << 4 | lo));
            pos = at + 4;
            return;
        }
        if (e >= '0' && e <= '7') {
            int v = 0;
            for (int k = 1; k <= 3; k++) {
                char d = at + k < n ? text.charAt(at + k) : 'x';
                if (d < '0' || d > '7') {
                    throw error(at, Math.min(4, n - at), "an octal escape needs three digits", "\\000 to \\377");
                }
                v = v * 8 + (d - '0');
            }
            if (v > 0xff) {
                throw error(at, 4, "octal escape '" + text.substring(at, at + 4) + "' is above \\377", null);
            }
            value.append((char) v);
            pos = at + 4;
            return;
        }
        int len = 1 + Character.charCount(text.codePointAt(at + 1));
        throw error(at, len, "unknown escape '" + text.substring(at, at + len) + "' in a string",
                "write \\\\ for a backslash, or use a raw string r\"...\"");
    }

    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    static boolean isWordChar(char c) {
        return !isSpace(c) && !Character.isISOControl(c) && "(){}[],\"'!=<>&|~\\".indexOf(c) < 0;
    }

    private static String hintFor(char c) {
        return switch (c) {
            case '[', ']' -> "slices such as field[0:3] are not supported";
            case '\'' -> "strings take double quotes";
            case '\\' -> "a backslash belongs in a quoted string";
            default -> null;
        };
    }

    static String quoteChar(int cp) {
        if (cp == '\'') {
            return "\"'\"";
        }
        if (Character.isISOControl(cp) || Character.isSpaceChar(cp)) {
            return String.format("U+%04X", cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }

    private FilterSyntaxException error(int index, int length, String problem, String hint) {
        return new FilterSyntaxException(text, index, length, problem, hint);
    }

    /** A literal being built: bytes as ISO-8859-1 characters. */
    private static final class Latin1 {
        private final StringBuilder chars = new StringBuilder();

        void append(char b) {
            chars.append(b);
        }

        void appendUtf8(int cp) {
            if (cp < 0x80) {
                append((char) cp);
            } else if (cp < 0x800) {
                append((char) (0xc0 | cp >> 6));
                append((char) (0x80 | cp & 0x3f));
            } else if (cp < 0x10000) {
                if (Character.isSurrogate((char) cp)) {
                    append('?'); // an unpaired surrogate has no UTF-8 form
                    return;
                }
                append((char) (0xe0 | cp >> 12));
                append((char) (0x80 | cp >> 6 & 0x3f));
                append((char) (0x80 | cp & 0x3f));
            } else {
                append((char) (0xf0 | cp >> 18));
                append((char) (0x80 | cp >> 12 & 0x3f));
                append((char) (0x80 | cp >> 6 & 0x3f));
                append((char) (0x80 | cp & 0x3f));
            }
        }

        String value() {
            return chars.toString();
        }
    }
}
