package io.plainsight.http;

/**
 * Builds the decoder that takes over a connection after an HTTP/1.1 Upgrade (101) or a CONNECT 2xx.
 * {@link Http1Decoder} calls at most one of these per connection, once the response that switches
 * has been read, and then passes every later byte of both directions (and the end) to the decoder
 * returned. That decoder counts offsets and reports exchanges on its own, from the first byte
 * after the switch.
 */
public interface UpgradeHandler {
    /**
     * 101 to "websocket": a decoder for the frames that follow, or null to stop decoding.
     * {@code extensions} is the 101's Sec-WebSocket-Extensions (or null).
     */
    ConnectionDecoder webSocket(long connectionId, String extensions);

    /**
     * 101 to "h2c": a decoder for HTTP/2 that follows; {@code upgradeRequest} is the request that
     * asked (it becomes stream 1, whose response comes over HTTP/2). Null stops decoding.
     */
    ConnectionDecoder h2c(long connectionId, HttpMessage upgradeRequest);

    /**
     * CONNECT answered 2xx: what is tunnelled may be anything; return a decoder or null (then the
     * rest is not decoded). {@code authority} is the CONNECT request-target ("host:port").
     */
    ConnectionDecoder tunnel(long connectionId, String authority);

    /** Decodes nothing after a switch. */
    UpgradeHandler NONE = new UpgradeHandler() {
        @Override
        public ConnectionDecoder webSocket(long connectionId, String extensions) {
            return null;
        }

        @Override
        public ConnectionDecoder h2c(long connectionId, HttpMessage upgradeRequest) {
            return null;
        }

        @Override
        public ConnectionDecoder tunnel(long connectionId, String authority) {
            return null;
        }

        @Override
        public String toString() {
            return "UpgradeHandler.NONE";
        }
    };
}
