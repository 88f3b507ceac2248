package io.plainsight.policy;

/**
 * A filter expression that cannot be used: bad syntax, an unknown field, a value of the wrong type,
 * an invalid regular expression. The message names the problem and its position, then shows the
 * expression with a caret line under the offending token, like Wireshark:
 *
 * <pre>
 * filter: unknown field 'htp.host' at position 1; did you mean 'http.host'?
 *   htp.host contains "api"
 *   ^~~~~~~~
 * </pre>
 *
 * An expression of several lines shows only the line with the error, and the first line adds
 * {@code (line L, column C)} after the position.
 */
public final class FilterSyntaxException extends Exception {
    private final String expression;
    private final int index;
    private final int length;
    private final String problem;
    private final String hint;

    FilterSyntaxException(String expression, int index, int length, String problem, String hint) {
        super(format(expression, index, length, problem, hint));
        this.expression = expression;
        this.index = index;
        this.length = length;
        this.problem = problem;
        this.hint = hint;
    }

    /** Where the error is: 1 for the first character; the length plus one for "the end". */
    public int position() {
        return index + 1;
    }

    /** How many characters the caret line marks (at least 1). */
    public int length() {
        return length;
    }

    /** What is wrong, without position or hint: {@code unknown field 'htp.host'}. */
    public String problem() {
        return problem;
    }

    /** A suggestion ({@code did you mean 'http.host'?}), or null. */
    public String hint() {
        return hint;
    }

    /** The expression as given. */
    public String expression() {
        return expression;
    }

    private static String format(String expression, int index, int length, String problem, String hint) {
        int lineStart = expression.lastIndexOf('\n', index - 1) + 1;
        int lineEnd = expression.indexOf('\n', index);
        if (lineEnd < 0) {
            lineEnd = expression.length();
        }
        StringBuilder out = new StringBuilder("filter: ").append(problem).append(" at position ").append(index + 1);
        if (expression.indexOf('\n') >= 0) {
            int line = 1;
            for (int i = 0; i < lineStart; i++) {
                if (expression.charAt(i) == '\n') {
                    line++;
                }
            }
            out.append(" (line ").append(line).append(", column ").append(index - lineStart + 1).append(')');
        }
        if (hint != null) {
            out.append("; ").append(hint);
        }
        String line = expression.substring(lineStart, lineEnd);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        out.append("\n  ").append(line).append("\n  ");
        for (int i = lineStart; i < index; i++) {
            out.append(expression.charAt(i) == '\t' ? '\t' : ' ');
        }
        out.append('^');
        int marked = Math.min(Math.max(length, 1), Math.max(lineEnd - index, 1));
        out.append("~".repeat(marked - 1));
        return out.toString();
    }
}
