package io.plainsight.http;

import java.util.ArrayList;
import java.util.List;

/**
 * One request and its response on one connection (HTTP/1.x: in order; HTTP/2: one stream). Reported
 * by a decoder when the response ends, or when the connection ends before it does.
 */
public final class Exchange {
    public final long connectionId;
    /** HTTP/2 stream id; 0 for HTTP/1.x. */
    public final int streamId;
    public final HttpMessage request;
    /** Null when no response came (see {@link #notes}). */
    public HttpMessage response;
    /** Interim (1xx) responses before the final one, in order. */
    public final List<HttpMessage> interim = new ArrayList<>();
    /** Things a reader should know: "response missing: the connection closed", "server push", "RST_STREAM CANCEL", ... */
    public final List<String> notes = new ArrayList<>();
    /** HTTP/2 server push: the promised request (the stream that promised it is in the notes). */
    public boolean pushed;
    /** What the capture rules decided for this exchange (never null; set before outputs see it). */
    public io.plainsight.policy.RuleVerdict verdict = io.plainsight.policy.RuleVerdict.NONE;

    public Exchange(long connectionId, int streamId, HttpMessage request) {
        this.connectionId = connectionId;
        this.streamId = streamId;
        this.request = request;
    }
}
