package io.plainsight.http;

/**
 * Limits of the decoders.
 *
 * @param maxBody body bytes kept per message (and per WebSocket message) for display; larger
 *     bodies are counted and marked truncated
 * @param maxHead largest HTTP/1 head or HTTP/2 header block accepted (bigger: the flow is noted as
 *     undecodable)
 */
public record DecodeOptions(int maxBody, int maxHead) {
    public static final int DEFAULT_MAX_BODY = 1024 * 1024;

    public static DecodeOptions defaults() {
        return new DecodeOptions(DEFAULT_MAX_BODY, Http1HeadParser.DEFAULT_MAX_HEAD);
    }
}
