package io.plainsight.sink.exchange;

import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import java.io.IOException;

/** A consumer of decoded exchanges (HAR, flow log, console). Called on the exchange sink's thread. */
public interface ExchangeOutput extends AutoCloseable {
    void exchange(ConnectionMeta connection, Exchange exchange) throws IOException;

    void webSocket(ConnectionMeta connection, WebSocketMessage message) throws IOException;

    /** A connection ended; {@code connection.exchanges} says whether any HTTP was decoded on it. */
    void connectionClosed(ConnectionMeta connection, String undecodable) throws IOException;

    void flush() throws IOException;

    /**
     * Whether this output reads the bytes of response bodies ({@code exchange.response.body}); when
     * no output does (and no capture rules may look at them), the decoders only count them.
     */
    default boolean readsResponseBodies() {
        return true;
    }

    @Override
    void close() throws IOException;
}
