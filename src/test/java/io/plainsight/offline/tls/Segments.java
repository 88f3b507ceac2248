package io.plainsight.offline.tls;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A TCP stream fixture made by {@code src/test/resources/offline/tls/make_fixtures.py}: the bytes
 * of every TCP stream of a capture, per direction, in capture order.
 */
record Segments(List<Chunk> chunks) {
    /** Bytes that became deliverable in order at {@code frame}. */
    record Chunk(int frame, long timestampMicros, int stream, boolean fromClient, byte[] bytes) {}

    static Segments load(String name) throws IOException {
        String resource = "/offline/tls/segments/" + name + ".segments.gz";
        InputStream raw = Segments.class.getResourceAsStream(resource);
        if (raw == null) {
            throw new IOException("no test resource " + resource);
        }
        List<Chunk> chunks = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            while (true) {
                int frame;
                try {
                    frame = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                long micros = in.readLong();
                int stream = in.readUnsignedShort();
                boolean fromClient = in.readUnsignedByte() == 0;
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                chunks.add(new Chunk(frame, micros, stream, fromClient, b));
            }
        }
        return new Segments(chunks);
    }
}
