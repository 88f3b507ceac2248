package io.plainsight.sink.har;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.plainsight.cli.Version;
import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.OutputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A HAR 1.2 file written incrementally: entries are appended as exchanges complete, and after
 * every flush the file ends with the closing brackets, so it is valid JSON that Chrome DevTools
 * and Firefox import while plainsight still runs. Nothing but the unflushed entries is kept in
 * memory. Recovery rule if the process is killed in the middle of a write: cut the file after the
 * last complete entry (the last line that is exactly "}") and append "]}}".
 */
public final class HarOutput implements ExchangeOutput {
    private static final byte[] TAIL = "\n]}}\n".getBytes(StandardCharsets.US_ASCII);
    /** Unflushed entries are written early past this size. */
    private static final int PENDING_LIMIT = 1 << 20;

    private final OutputFile file;
    private final int maxBody;
    private final JsonFactory json = new JsonFactory();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(64 * 1024);
    private long entriesEnd = -1;
    private boolean any;
    private long entries;

    public HarOutput(OutputFile file, int maxBody) {
        this.file = file;
        this.maxBody = maxBody;
    }

    private byte[] header() {
        return ("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"plainsight\",\"version\":\"" + Version.get()
                + "\"},\"pages\":[],\"entries\":[").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void exchange(ConnectionMeta connection, Exchange exchange) throws IOException {
        pending.write(any ? ",\n".getBytes(StandardCharsets.US_ASCII) : "\n".getBytes(StandardCharsets.US_ASCII));
        any = true;
        try (JsonGenerator g = json.createGenerator(pending)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            HarEntryWriter.write(g, connection, exchange, maxBody);
        }
        entries++;
        if (pending.size() >= PENDING_LIMIT) {
            flush();
        }
    }

    @Override
    public void webSocket(ConnectionMeta connection, WebSocketMessage message) {
        // HAR 1.2 has no WebSocket messages (Chrome's _webSocketMessages hang off the upgrade entry); see the flow log
    }

    @Override
    public void connectionClosed(ConnectionMeta connection, String undecodable) {
        // HAR lists HTTP exchanges only
    }

    @Override
    public void flush() {
        if (entriesEnd < 0) {
            byte[] h = header();
            if (!file.write(0, ByteBuffer.wrap(h))) {
                return;
            }
            entriesEnd = h.length;
            if (!file.isStdout() && !file.write(entriesEnd, ByteBuffer.wrap(TAIL))) {
                return;
            }
        }
        if (pending.size() == 0) {
            return;
        }
        byte[] body = pending.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(body.length + TAIL.length);
        out.put(body);
        if (!file.isStdout()) {
            out.put(TAIL); // keeps the file valid JSON after every flush
        }
        out.flip();
        if (file.write(entriesEnd, out)) {
            entriesEnd += body.length;
            pending.reset();
        } else if (pending.size() > 16 * PENDING_LIMIT) {
            pending.reset(); // the file keeps failing: do not grow without bound (counted by OutputFile)
            any = entriesEnd > header().length;
        }
    }

    /** Entries written (or pending). */
    public long entries() {
        return entries;
    }

    @Override
    public void close() {
        flush();
        if (file.isStdout()) {
            file.write(0, ByteBuffer.wrap(TAIL));
        }
        file.close();
    }

    @Override
    public String toString() {
        return "har " + file.describe();
    }
}
