package io.plainsight.http;

/** What {@link Http2Decoder} knows of one open HTTP/2 stream: its exchange and how far each side got. */
final class Http2StreamState {
    final Exchange exchange;
    /** The client ended its side of the stream (END_STREAM), or never had one to send (push, h2c upgrade). */
    boolean requestEnded;
    /** The final (non-1xx) response header block was decoded: later blocks from the server are trailers. */
    boolean responseHead;
    /** The exchange went to the listener: nothing may change it any more. */
    boolean reported;

    Http2StreamState(Exchange exchange) {
        this.exchange = exchange;
    }

    int id() {
        return exchange.streamId;
    }
}
