package io.plainsight.policy;

/**
 * A rules file that cannot be used. The message names the file, the line (and column when known)
 * and the cause: {@code rules.yaml line 4, column 12: rule 1001: unknown field 'htp.host'}.
 */
public final class RulesException extends Exception {
    private final int line;

    public RulesException(String source, int line, int column, String problem) {
        super(source + (line > 0 ? " line " + line + (column > 0 ? ", column " + column : "") : "") + ": " + problem);
        this.line = line;
    }

    public RulesException(String message, Throwable cause) {
        super(message, cause);
        this.line = 0;
    }

    /** The line of the problem (1-based), or 0. */
    public int line() {
        return line;
    }
}
