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

    @Override
    void close() throws IOException;
}
