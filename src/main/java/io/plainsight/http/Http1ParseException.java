package io.plainsight.http;

/**
 * An HTTP/1.x message that does not follow RFC 9112: a malformed head, conflicting framing
 * headers or broken chunked framing. The message names the problem and ends with its offset,
 * e.g. {@code header line 3: space before colon (offset 57)}.
 */
public final class Http1ParseException extends Exception {
    private final String problem;
    private final long offset;

    /**
     * @param message what is wrong, without the offset (it is appended)
     * @param offset where the problem is: for a head, bytes from the start of the message (the
     *     reader index given to the parser); for a body, bytes from the start of the body; -1 when
     *     the problem is a conflict between header fields rather than one byte
     */
    public Http1ParseException(String message, int offset) {
        this(message, (long) offset);
    }

    /** As {@link #Http1ParseException(String, int)}, for offsets in bodies beyond 2 GiB. */
    public Http1ParseException(String message, long offset) {
        super(offset >= 0 ? message + " (offset " + offset + ")" : message);
        this.problem = message;
        this.offset = offset;
    }

    /** Where the problem is (see the constructor), or -1; Integer.MAX_VALUE if it is further. */
    public int offset() {
        return (int) Math.min(offset, Integer.MAX_VALUE);
    }

    /** Where the problem is, exact even in bodies beyond 2 GiB. */
    public long longOffset() {
        return offset;
    }

    /** The message without the offset suffix. */
    public String problem() {
        return problem;
    }
}
