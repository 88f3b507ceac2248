package io.plainsight.offline.tls;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Helpers that take one TCP stream of a fixture apart, change it, and feed it to a decryptor. */
final class Streams {
    private Streams() {}

    static List<Segments.Chunk> stream(String fixture, int stream) throws IOException {
        return Segments.load(fixture).chunks().stream().filter(c -> c.stream() == stream).toList();
    }

    /** All bytes of one direction, concatenated. */
    static byte[] direction(List<Segments.Chunk> chunks, boolean fromClient) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Segments.Chunk c : chunks) {
            if (c.fromClient() == fromClient) {
                out.writeBytes(c.bytes());
            }
        }
        return out.toByteArray();
    }

    /** Stream offsets of the record headers of one direction (an SSLv2 hello counts as one record). */
    static List<Integer> recordStarts(byte[] direction) {
        List<Integer> starts = new ArrayList<>();
        int p = 0;
        while (p + 5 <= direction.length) {
            starts.add(p);
            if ((direction[p] & 0x80) != 0 && p == 0) {
                p += 2 + (((direction[0] & 0x7f) << 8) | (direction[1] & 0xff));
            } else {
                p += 5 + (((direction[p + 3] & 0xff) << 8) | (direction[p + 4] & 0xff));
            }
        }
        return starts;
    }

    /** The chunks with the byte at {@code offset} of one direction flipped. */
    static List<Segments.Chunk> flip(List<Segments.Chunk> chunks, boolean fromClient, long offset) {
        List<Segments.Chunk> out = new ArrayList<>();
        long pos = 0;
        for (Segments.Chunk c : chunks) {
            byte[] b = c.bytes();
            if (c.fromClient() == fromClient) {
                if (offset >= pos && offset < pos + b.length) {
                    b = b.clone();
                    b[(int) (offset - pos)] ^= 1;
                }
                pos += c.bytes().length;
            }
            out.add(new Segments.Chunk(c.frame(), c.timestampMicros(), c.stream(), c.fromClient(), b));
        }
        return out;
    }

    /** Feeds chunks to a new decryptor; {@code between} runs before each chunk (its index given to {@code at}). */
    static Recorder feed(List<Segments.Chunk> chunks, DecryptionKeys keys, InetSocketAddress server) {
        return feed(chunks, keys, server, null);
    }

    interface Before {
        /** Called before chunk {@code index}; return false to skip it. */
        boolean chunk(int index, Segments.Chunk c, TlsStreamDecryptor d);
    }

    static Recorder feed(List<Segments.Chunk> chunks, DecryptionKeys keys, InetSocketAddress server, Before before) {
        Recorder r = new Recorder();
        TlsStreamDecryptor d = new TlsStreamDecryptor(1, keys, r, server);
        for (int i = 0; i < chunks.size(); i++) {
            Segments.Chunk c = chunks.get(i);
            if (before == null || before.chunk(i, c, d)) {
                d.data(c.fromClient(), c.timestampMicros(), Unpooled.wrappedBuffer(c.bytes()));
            }
        }
        d.end(0);
        return r;
    }

    static DecryptionKeys keys(Consumer<DecryptionKeys> setup) {
        DecryptionKeys k = new DecryptionKeys();
        setup.accept(k);
        return k;
    }

    static void keyLog(DecryptionKeys k, String resource) {
        try (var in = Streams.class.getResourceAsStream("/offline/tls/" + resource)) {
            k.addKeyLog(resource, new StringReader(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
