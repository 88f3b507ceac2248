package io.plainsight.http;

import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request or response as decoded from the captured bytes (HTTP/1.x or HTTP/2). Filled in
 * by a decoder as the message arrives; outputs read it once its exchange is reported.
 */
public final class HttpMessage {
    /** Request or response. */
    public enum Kind { REQUEST, RESPONSE }

    public final Kind kind;
    /** Request: the method ("GET"; HTTP/2 :method). */
    public String method;
    /** Request: the request-target as sent (origin form "/a?b", absolute form, authority form; HTTP/2 :path). */
    public String target;
    /** Request: "http" or "https" when known (HTTP/2 :scheme; else from the connection), or null. */
    public String scheme;
    /** Request: the Host header or HTTP/2 :authority, or null. */
    public String authority;
    /** Response: the status code. */
    public int status;
    /** Response: the reason phrase (HTTP/1 only; empty for HTTP/2). */
    public String reason;
    /** "HTTP/1.0", "HTTP/1.1" or "HTTP/2". */
    public String version;
    /** Header fields in wire order, duplicates kept, names as sent (HTTP/2: without pseudo-headers). */
    public final List<Http1Header> headers = new ArrayList<>();
    /** Trailer fields (chunked trailers, HTTP/2 trailing HEADERS). */
    public final List<Http1Header> trailers = new ArrayList<>();
    /** When the first byte of the message was seen, and when its last byte was (0 while incomplete). */
    public long startMicros;
    public long endMicros;
    /** Bytes of the head on the wire (HTTP/2: HEADERS and CONTINUATION payloads, compressed). */
    public long headerBytes;
    /** Bytes of the body on the wire (HTTP/1: including chunk framing; HTTP/2: DATA payloads including padding). */
    public long wireBodyBytes;
    /** The body after transfer framing is removed (de-chunked), before any content decoding. */
    public BodyCapture body;
    /** Whether the message ended as its framing says (false: cut short by the end of the connection or an error). */
    public boolean complete;

    public HttpMessage(Kind kind, int maxBody) {
        this.kind = kind;
        this.body = new BodyCapture(maxBody);
    }

    /** The first value of a header (case-insensitive), or null. */
    public String header(String name) {
        for (Http1Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The URL as the client meant it: scheme://authority/target, or the target when that is already absolute. */
    public String url() {
        if (target == null) {
            return null;
        }
        if (target.contains("://") || authority == null || "CONNECT".equals(method)) {
            return target;
        }
        return (scheme != null ? scheme : "http") + "://" + authority + (target.startsWith("/") ? target : "/" + target);
    }
}
