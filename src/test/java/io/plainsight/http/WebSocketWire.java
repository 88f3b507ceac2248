package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.event.Direction;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Frames, byte helpers and a recording listener for the WebSocket decoder's tests. */
final class WebSocketWire {
    private WebSocketWire() {}

    static final int FIN = 0x80;
    static final int RSV1 = 0x40;
    static final int RSV2 = 0x20;
    static final int RSV3 = 0x10;
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xa;
    static final byte[] KEY = {0x37, (byte) 0xfa, 0x21, 0x3d};
    static final long CONNECTION = 7;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A frame with first byte {@code b0}, minimal length encoding, masked with {@code key} unless it is null. */
    static byte[] frame(int b0, byte[] payload, byte[] key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int m = key != null ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(m | n);
        } else if (n < 65536) {
            out.write(m | 126);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(m | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >> shift));
            }
        }
        if (key != null) {
            out.writeBytes(key);
            byte[] masked = payload.clone();
            for (int i = 0; i < n; i++) {
                masked[i] ^= key[i & 3];
            }
            out.writeBytes(masked);
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    static byte[] client(int b0, byte[] payload) {
        return frame(b0, payload, KEY);
    }

    static byte[] server(int b0, byte[] payload) {
        return frame(b0, payload, null);
    }

    static byte[] closePayload(int code, String reason) {
        return cat(new byte[] {(byte) (code >> 8), (byte) code}, utf8(reason));
    }

    /** A message compressed as permessage-deflate sends it: sync-flushed, the final 00 00 ff ff removed. */
    static byte[] deflateMessage(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length || !deflater.needsInput());
        byte[] all = out.toByteArray();
        assertThat(Arrays.copyOfRange(all, all.length - 4, all.length)).isEqualTo(hex("0000ffff"));
        return Arrays.copyOf(all, all.length - 4);
    }

    /** One line per report: what the tests compare. Payloads of up to 40 bytes are shown, longer ones by CRC. */
    static String line(WebSocketMessage m) {
        StringBuilder s = new StringBuilder(arrow(m.direction())).append(m.type()).append(' ');
        byte[] p = m.payload();
        s.append(payload(m.type(), p));
        s.append(" size=").append(m.size()).append(" wire=").append(m.wireSize());
        if (m.compressed()) {
            s.append(" compressed");
        }
        if (m.truncated()) {
            s.append(" truncated");
        }
        if (m.type() == WebSocketMessage.Type.CLOSE) {
            s.append(" code=").append(m.closeCode());
            if (m.closeReason() != null) {
                s.append(" reason='").append(m.closeReason()).append('\'');
            }
        }
        if (m.note() != null) {
            s.append(" note=").append(m.note());
        }
        return s.toString();
    }

    static String payload(WebSocketMessage.Type type, byte[] p) {
        if (p.length > 40) {
            CRC32 crc = new CRC32();
            crc.update(p);
            return "<" + p.length + " bytes crc " + Long.toHexString(crc.getValue()) + ">";
        }
        return switch (type) {
            case BINARY, CLOSE -> "0x" + HexFormat.of().formatHex(p);
            default -> "'" + new String(p, StandardCharsets.UTF_8) + "'";
        };
    }

    static String arrow(Direction d) {
        return d == Direction.CLIENT_TO_SERVER ? "C>S " : "S>C ";
    }

    /** Records what a decoder reports, as lines, checking it says nothing more of a direction it gave up. */
    static final class Recorder implements DecodeListener {
        final List<WebSocketMessage> messages = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        private final boolean[] gaveUp = new boolean[2];

        @Override
        public void exchange(Exchange exchange) {
            throw new AssertionError("a WebSocket decoder reported an HTTP exchange");
        }

        @Override
        public void webSocket(WebSocketMessage m) {
            assertThat(m.connectionId()).isEqualTo(CONNECTION);
            assertThat(gaveUp[m.direction().ordinal()]).as("a report after undecodable").isFalse();
            assertThat(m.payload().length).isLessThanOrEqualTo((int) Math.min(Integer.MAX_VALUE, m.size()));
            messages.add(m);
            events.add(line(m));
        }

        @Override
        public void undecodable(long connectionId, Direction direction, long offset, String reason) {
            assertThat(connectionId).isEqualTo(CONNECTION);
            assertThat(gaveUp[direction.ordinal()]).as("undecodable twice").isFalse();
            gaveUp[direction.ordinal()] = true;
            events.add(arrow(direction) + "undecodable at " + offset + ": " + reason);
        }

        List<String> of(Direction d) {
            return events.stream().filter(e -> e.startsWith(arrow(d))).toList();
        }

        /** Client-to-server reports, then server-to-client ones. */
        List<String> lines() {
            List<String> out = new ArrayList<>(of(Direction.CLIENT_TO_SERVER));
            out.addAll(of(Direction.SERVER_TO_CLIENT));
            return out;
        }
    }

    enum Split { WHOLE, BYTES, RANDOM }

    /**
     * Feeds both streams to a new decoder, split and interleaved as {@code split} says (timestamps
     * 1, 2, ... per delivery), then ends it. Every buffer sits between junk bytes, its indexes are
     * checked unmoved, and its bytes are overwritten after each call so a kept reference shows.
     */
    static Recorder feed(String extensions, int maxBody, byte[] c2s, byte[] s2c, Split split, long seed) {
        Recorder r = new Recorder();
        WebSocketDecoder d = new WebSocketDecoder(CONNECTION, r, new DecodeOptions(maxBody, 65536), extensions);
        long ts = 1;
        for (int[] c : chunks(c2s.length, s2c.length, split, seed)) {
            deliver(d, c[0] == 0 ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT, ts++,
                    c[0] == 0 ? c2s : s2c, c[1], c[2]);
        }
        d.end(ts);
        return r;
    }

    static void deliver(ConnectionDecoder d, Direction direction, long ts, byte[] src, int from, int to) {
        int n = to - from;
        ByteBuf b = Unpooled.buffer(n + 8);
        b.writeBytes(new byte[] {1, 2, 3});
        b.writeBytes(src, from, n);
        b.writeBytes(new byte[] {4, 5, 6, 7, 8});
        b.readerIndex(3).writerIndex(3 + n);
        d.data(direction, ts, b);
        assertThat(b.readerIndex()).isEqualTo(3);
        assertThat(b.writerIndex()).isEqualTo(3 + n);
        byte[] junk = new byte[b.capacity()];
        Arrays.fill(junk, (byte) 0xee);
        b.setBytes(0, junk);
    }

    /** {direction, from, to} deliveries. */
    static List<int[]> chunks(int c2s, int s2c, Split split, long seed) {
        List<int[]> out = new ArrayList<>();
        switch (split) {
            case WHOLE -> {
                if (c2s > 0) {
                    out.add(new int[] {0, 0, c2s});
                }
                if (s2c > 0) {
                    out.add(new int[] {1, 0, s2c});
                }
            }
            case BYTES -> {
                for (int i = 0; i < Math.max(c2s, s2c); i++) {
                    if (i < c2s) {
                        out.add(new int[] {0, i, i + 1});
                    }
                    if (i < s2c) {
                        out.add(new int[] {1, i, i + 1});
                    }
                }
            }
            case RANDOM -> {
                Random r = new Random(seed);
                List<int[]> a = pieces(0, c2s, r);
                List<int[]> b = pieces(1, s2c, r);
                int i = 0;
                int j = 0;
                while (i < a.size() || j < b.size()) {
                    if (j == b.size() || (i < a.size() && r.nextBoolean())) {
                        out.add(a.get(i++));
                    } else {
                        out.add(b.get(j++));
                    }
                }
            }
        }
        return out;
    }

    private static List<int[]> pieces(int direction, int n, Random r) {
        List<int[]> out = new ArrayList<>();
        int at = 0;
        while (at < n) {
            int size = r.nextInt(4) == 0 ? 1 + r.nextInt(Math.max(1, n / 3)) : 1 + r.nextInt(20);
            int to = Math.min(n, at + size);
            out.add(new int[] {direction, at, to});
            at = to;
        }
        return out;
    }

    /**
     * Decodes whole, byte by byte and in {@code randomRuns} random splits, asserts that every way
     * gives the same reports per direction, and returns the whole one.
     */
    static Recorder decodeEveryWay(String extensions, int maxBody, byte[] c2s, byte[] s2c, int randomRuns) {
        Recorder whole = feed(extensions, maxBody, c2s, s2c, Split.WHOLE, 0);
        Recorder bytes = feed(extensions, maxBody, c2s, s2c, Split.BYTES, 0);
        assertThat(bytes.lines()).as("byte by byte").isEqualTo(whole.lines());
        for (int seed = 1; seed <= randomRuns; seed++) {
            Recorder random = feed(extensions, maxBody, c2s, s2c, Split.RANDOM, seed);
            assertThat(random.lines()).as("random split, seed %d", seed).isEqualTo(whole.lines());
        }
        return whole;
    }

    static List<String> decode(String extensions, byte[] c2s, byte[] s2c) {
        return decodeEveryWay(extensions, 1 << 20, c2s, s2c, 30).lines();
    }
}
