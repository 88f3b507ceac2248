package io.plainsight.offline.tls;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A TlsListener that keeps everything for assertions: plaintext per direction, handshakes, notes, the failure. */
final class Recorder implements TlsListener {
    final Direction c2s = new Direction();
    final Direction s2c = new Direction();
    final List<TlsHandshakeInfo> handshakes = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    final List<String> events = new ArrayList<>();

    static final class Direction {
        int records;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Long> timestamps = new ArrayList<>();

        String sha256() {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void handshake(TlsHandshakeInfo info) {
        handshakes.add(info);
        events.add("handshake " + info.version() + " " + info.cipherSuite());
    }

    /** Whether plaintext is taken over ({@link #keepsPlaintext}): kept as handed over, read only at {@link #readKept}. */
    private final boolean keeps;
    private final List<Object[]> kept = new ArrayList<>();

    Recorder() {
        this(false);
    }

    Recorder(boolean keeps) {
        this.keeps = keeps;
    }

    @Override
    public boolean keepsPlaintext() {
        return keeps;
    }

    /**
     * With {@link #keepsPlaintext}: appends the kept buffers' bytes to their directions, now that
     * decryption is over (what a later record's decryption overwrote would show), and checks that
     * no two kept buffers share an array.
     */
    void readKept() {
        java.util.Set<byte[]> arrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Object[] k : kept) {
            ByteBuf data = (ByteBuf) k[1];
            if (!arrays.add(data.array())) {
                throw new AssertionError("two plaintext buffers share an array");
            }
            byte[] b = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), b);
            ((Direction) k[0]).bytes.writeBytes(b);
        }
        kept.clear();
    }

    @Override
    public void plaintext(boolean fromClient, long timestampMicros, ByteBuf data) {
        Direction d = fromClient ? c2s : s2c;
        d.records++;
        d.timestamps.add(timestampMicros);
        if (keeps) {
            kept.add(new Object[] {d, data});
            events.add((fromClient ? "c2s " : "s2c ") + data.readableBytes());
            return;
        }
        byte[] b = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), b);
        d.bytes.writeBytes(b);
        events.add((fromClient ? "c2s " : "s2c ") + b.length);
    }

    @Override
    public void note(String message) {
        notes.add(message);
        events.add("note " + message);
    }

    @Override
    public void failed(String reason) {
        failures.add(reason);
        events.add("failed " + reason);
    }

    /** The cipher suites of all handshakes, without repeats, as "A / B" (the TSV's form without code points). */
    String cipherSuites() {
        List<String> names = new ArrayList<>();
        for (TlsHandshakeInfo h : handshakes) {
            if (!names.contains(h.cipherSuite())) {
                names.add(h.cipherSuite());
            }
        }
        return String.join(" / ", names);
    }
}
