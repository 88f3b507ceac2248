package io.plainsight.cli;

/** --rules names a file that cannot be used: the message names the file, the line and the cause (exit code 2). */
public final class BadRulesException extends RuntimeException {
    public BadRulesException(String message, Throwable cause) {
        super(message, cause);
    }
}
