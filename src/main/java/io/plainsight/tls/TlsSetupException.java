package io.plainsight.tls;

/**
 * A TLS setup problem the user must fix (a missing, unreadable or corrupt certificate or key file,
 * a wrong password, a key that does not match its certificate). The message names the input and
 * the cause, ready to be shown as is.
 */
public class TlsSetupException extends RuntimeException {
    public TlsSetupException(String message) {
        super(message);
    }

    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The cause's own message, or its class name when it has none; for "file X: &lt;reason&gt;" texts.
     * Public for the key loading of offline decryption (io.plainsight.offline.tls).
     */
    public static String reason(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            Throwable c = t.getCause();
            return c != null && c != t ? reason(c) : t.getClass().getSimpleName();
        }
        return t instanceof java.nio.file.NoSuchFileException ? "no such file"
                : t instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : m;
    }
}
