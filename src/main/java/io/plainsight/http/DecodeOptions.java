package io.plainsight.http;

/**
 * Limits of the decoders.
 *
 * @param maxBody body bytes kept per request (and per WebSocket message) for display; larger
 *     bodies are counted and marked truncated
 * @param maxHead largest HTTP/1 head or HTTP/2 header block accepted (bigger: the flow is noted as
 *     undecodable)
 * @param maxResponseBody body bytes kept per response: {@code maxBody}, or 0 when no output
 *     reads response bodies (their sizes are still counted)
 */
public record DecodeOptions(int maxBody, int maxHead, int maxResponseBody) {
    public static final int DEFAULT_MAX_BODY = 1024 * 1024;

    /** Requests and responses alike keep up to {@code maxBody} bytes. */
    public DecodeOptions(int maxBody, int maxHead) {
        this(maxBody, maxHead, maxBody);
    }

    public static DecodeOptions defaults() {
        return new DecodeOptions(DEFAULT_MAX_BODY, Http1HeadParser.DEFAULT_MAX_HEAD);
    }

    /** The same limits, but response bodies are only counted, not kept (no copy of their bytes). */
    public DecodeOptions withoutResponseBodies() {
        return new DecodeOptions(maxBody, maxHead, 0);
    }
}
