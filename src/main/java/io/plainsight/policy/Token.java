package io.plainsight.policy;

import java.util.Locale;

/**
 * A token of a filter expression.
 *
 * @param start index of its first character in the expression (0-based)
 * @param end index after its last character
 * @param text the characters as typed
 * @param value WORD and STRING: the literal's value, bytes as ISO-8859-1 characters (UTF-8 encoded,
 *     escapes decoded); null for the others
 */
record Token(Kind kind, int start, int end, String text, String value) {
    enum Kind {
        WORD, STRING, LPAREN, RPAREN, LBRACE, RBRACE, COMMA, RANGE,
        AND, OR, BANG, EQ, NE, ALL_EQ, ANY_NE, LT, LE, GT, GE, TILDE, EOF
    }

    /** Whether this is the word {@code keyword} (keywords are case-insensitive). */
    boolean isWord(String keyword) {
        return kind == Kind.WORD && text.toLowerCase(Locale.ROOT).equals(keyword);
    }

    /** How messages name the token: {@code 'foo'}, {@code "a string"}, {@code the end}. */
    String describe() {
        return switch (kind) {
            case EOF -> "the end";
            case STRING -> text.length() > 40 ? text.substring(0, 37) + "..." : text;
            default -> "'" + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + "'";
        };
    }

    int length() {
        return end - start;
    }
}
