package io.plainsight.cli;

/** A command could not start; the message says why, in one line. */
public final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public StartupException(String message) {
        super(message);
    }
}
