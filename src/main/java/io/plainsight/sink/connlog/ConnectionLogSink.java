package io.plainsight.sink.connlog;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import io.plainsight.sink.exchange.OutputFile;
import io.plainsight.sink.exchange.PendingBytes;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The connection log ({@code --connections FILE}): JSON Lines, one line per connection when it
 * closes, like SSLsplit's connect log and PolarProxy's flow log: times, addresses, mode, SNI, TLS
 * of each leg with the certificates' SHA-256 and subject, JA3/JA4 of the client's ClientHello and
 * JA3S/JA4S of the server's ServerHello, bytes and packets each way, how it ended. It takes no
 * data events (the data path pays nothing for it); the fingerprints are computed here, on the sink
 * thread. Connections still open at shutdown get a line with {@code "open": true}. A file that
 * cannot be written is reported once and retried ({@link OutputFile}); the traffic goes on.
 */
public final class ConnectionLogSink implements Sink {
    private final OutputFile file;
    private final PendingBytes pending = new PendingBytes();
    private final ConnectionLogLine line = new ConnectionLogLine();
    private final Map<Long, ConnectionRecord> open = new HashMap<>();

    public ConnectionLogSink(OutputFile file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "connections";
    }

    @Override
    public boolean acceptsData() {
        return false;
    }

    @Override
    public void accept(CaptureEvent event) throws IOException {
        switch (event) {
            case ConnectionOpened o -> open.put(o.connectionId(), new ConnectionRecord(o));
            case TlsEstablished t -> {
                ConnectionRecord r = open.get(t.connectionId());
                if (r != null) {
                    r.tls(t);
                }
            }
            case ConnectionClosed c -> {
                ConnectionRecord r = open.remove(c.connectionId());
                if (r != null) {
                    write(r, c);
                }
            }
            case DataChunk d -> { }
            case WireChunk w -> { }
            case CapturedPacket p -> { }
            case TlsSecrets s -> { }
        }
    }

    private void write(ConnectionRecord r, ConnectionClosed c) throws IOException {
        line.write(pending, r, c);
        pending.write('\n');
        if (pending.full()) {
            flush();
        }
    }

    @Override
    public void flush() {
        pending.flushTo(file);
    }

    /** Writes the connections still open (marked open), then flushes and closes the file. */
    @Override
    public void close() throws IOException {
        for (ConnectionRecord r : open.values().stream()
                .sorted((a, b) -> Long.compare(a.opened.connectionId(), b.opened.connectionId())).toList()) {
            write(r, null);
        }
        open.clear();
        flush();
        file.close();
    }

    @Override
    public String toString() {
        return "connections " + file.describe();
    }
}
