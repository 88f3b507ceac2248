package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.plainsight.event.Direction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The bytes of one connection as steps in relay order (a direction and its bytes; step i carries
 * timestamp i + 1), and the ways of feeding them to a decoder that a relay can produce:
 * <ul>
 * <li>{@link Feed#whole}: one data event per step;
 * <li>{@link Feed#bytes}: one event per byte, steps in order;
 * <li>{@link Feed#split}: each step cut at random places, steps in order;
 * <li>{@link Feed#interleaved}: cut at random places, and the two directions interleaved at random
 *     as far as causality allows: a server step starts only once every client step before it has
 *     been sent (a response follows its request), while a client step may run ahead of earlier
 *     server steps (a pipelining client) unless it was added with {@link #clientAfter} (bytes that
 *     a client sends only once it has the response, such as WebSocket frames after the 101).
 * </ul>
 * Every event arrives in a buffer whose reader index is not 0; after each call the test checks
 * that the decoder moved neither index nor changed the reference count, and then overwrites the
 * bytes, so a decoder that kept a reference instead of a copy decodes garbage.
 */
final class Conversation {
    record Step(Direction direction, byte[] bytes, boolean waits) {}

    record Event(Direction direction, long micros, byte[] bytes) {}

    /** A way of cutting and ordering the steps into data events. */
    record Feed(String name, long seed) {
        static Feed whole() {
            return new Feed("whole", 0);
        }

        static Feed bytes() {
            return new Feed("bytes", 0);
        }

        static Feed split(long seed) {
            return new Feed("split", seed);
        }

        static Feed interleaved(long seed) {
            return new Feed("interleaved", seed);
        }

        /** Whole, byte by byte, and {@code randoms} seeds each of split and interleaved. */
        static List<Feed> all(int randoms) {
            List<Feed> feeds = new ArrayList<>(List.of(whole(), bytes()));
            for (int s = 1; s <= randoms; s++) {
                feeds.add(split(s));
                feeds.add(interleaved(s));
            }
            return feeds;
        }

        @Override
        public String toString() {
            return seed == 0 ? name : name + "#" + seed;
        }
    }

    final List<Step> steps = new ArrayList<>();

    Conversation client(String iso) {
        return add(Direction.CLIENT_TO_SERVER, latin1(iso), false);
    }

    /** Client bytes sent only after every earlier server step arrived. */
    Conversation clientAfter(String iso) {
        return add(Direction.CLIENT_TO_SERVER, latin1(iso), true);
    }

    Conversation server(String iso) {
        return add(Direction.SERVER_TO_CLIENT, latin1(iso), true);
    }

    Conversation add(Direction d, byte[] bytes, boolean waits) {
        steps.add(new Step(d, bytes, waits || d == Direction.SERVER_TO_CLIENT));
        return this;
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** All bytes of one direction. */
    byte[] all(Direction d) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        steps.stream().filter(s -> s.direction == d).forEach(s -> out.writeBytes(s.bytes));
        return out.toByteArray();
    }

    /** The data events of a feed. */
    List<Event> events(Feed feed) {
        List<Event> out = new ArrayList<>();
        Random r = new Random(feed.seed * 7919 + steps.size());
        switch (feed.name) {
            case "whole" -> {
                for (int i = 0; i < steps.size(); i++) {
                    out.add(new Event(steps.get(i).direction, i + 1, steps.get(i).bytes));
                }
            }
            case "bytes" -> {
                for (int i = 0; i < steps.size(); i++) {
                    for (byte b : steps.get(i).bytes) {
                        out.add(new Event(steps.get(i).direction, i + 1, new byte[] {b}));
                    }
                }
            }
            case "split" -> {
                for (int i = 0; i < steps.size(); i++) {
                    for (byte[] piece : cut(steps.get(i).bytes, r)) {
                        out.add(new Event(steps.get(i).direction, i + 1, piece));
                    }
                }
            }
            case "interleaved" -> interleave(r, out);
            default -> throw new IllegalArgumentException(feed.name);
        }
        return out;
    }

    private void interleave(Random r, List<Event> out) {
        List<List<byte[]>> pieces = new ArrayList<>();
        for (Step s : steps) {
            pieces.add(new ArrayList<>(cut(s.bytes, r)));
        }
        boolean[] done = new boolean[steps.size()];
        while (true) {
            List<Integer> ready = new ArrayList<>();
            for (Direction d : Direction.values()) {
                int next = -1;
                for (int i = 0; i < steps.size(); i++) {
                    if (!done[i] && steps.get(i).direction == d) {
                        next = i;
                        break;
                    }
                }
                if (next >= 0 && (!steps.get(next).waits || allDone(done, next, d.reverse()))) {
                    ready.add(next);
                }
            }
            if (ready.isEmpty()) {
                break;
            }
            int i = ready.get(r.nextInt(ready.size()));
            List<byte[]> left = pieces.get(i);
            if (!left.isEmpty()) {
                out.add(new Event(steps.get(i).direction, i + 1, left.remove(0)));
            }
            if (left.isEmpty()) {
                done[i] = true;
            }
        }
    }

    private boolean allDone(boolean[] done, int before, Direction d) {
        for (int i = 0; i < before; i++) {
            if (steps.get(i).direction == d && !done[i]) {
                return false;
            }
        }
        return true;
    }

    /** Random cuts: sometimes single bytes, sometimes a few, sometimes large parts. */
    private static List<byte[]> cut(byte[] bytes, Random r) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int n = switch (r.nextInt(4)) {
                case 0 -> 1;
                case 1 -> 1 + r.nextInt(8);
                case 2 -> 1 + r.nextInt(Math.max(1, bytes.length / 3));
                default -> bytes.length;
            };
            n = Math.min(n, bytes.length - at);
            out.add(java.util.Arrays.copyOfRange(bytes, at, at + n));
            at += n;
        }
        return out;
    }

    /** Decodes the conversation fed as {@code feed} and returns the recorder. */
    DecodeRecorder decode(Feed feed, DecodeOptions options, String scheme, boolean decodeAfterSwitch) {
        return decode(feed, options, scheme, decodeAfterSwitch, false, null);
    }

    /**
     * As {@link #decode(Feed, DecodeOptions, String, boolean)}; with {@code offHeap} every event
     * comes in a pooled direct buffer, as the proxy taps them, and the decoder takes head lines
     * from {@code lines} (null: no cache), as an exchange sink's decoders do.
     */
    DecodeRecorder decode(Feed feed, DecodeOptions options, String scheme, boolean decodeAfterSwitch, boolean offHeap,
            Http1LineCache lines) {
        DecodeRecorder rec = new DecodeRecorder();
        rec.decodeAfterSwitch = decodeAfterSwitch;
        Http1Decoder d = new Http1Decoder(7, rec, options, scheme, rec, lines);
        for (Event e : events(feed)) {
            feed(d, e.direction, e.micros, e.bytes, offHeap);
        }
        d.end(steps.size() + 1);
        d.end(steps.size() + 2); // a second end changes nothing
        feed(d, Direction.CLIENT_TO_SERVER, steps.size() + 3, latin1("GET /after-end HTTP/1.1\r\n\r\n"), offHeap);
        return rec;
    }

    /** Gives {@code bytes} to the decoder the way a relay would, and checks it kept no reference. */
    static void feed(ConnectionDecoder d, Direction direction, long micros, byte[] bytes) {
        feed(d, direction, micros, bytes, false);
    }

    static void feed(ConnectionDecoder d, Direction direction, long micros, byte[] bytes, boolean offHeap) {
        ByteBuf buf = offHeap ? ByteBufAllocator.DEFAULT.directBuffer(bytes.length + 8) : Unpooled.buffer(bytes.length + 8);
        buf.writeBytes(latin1("JNK"));
        buf.writeBytes(bytes);
        buf.writeBytes(latin1("JUNK"));
        buf.readerIndex(3);
        buf.writerIndex(3 + bytes.length);
        d.data(direction, micros, buf);
        assertThat(buf.readerIndex()).as("reader index").isEqualTo(3);
        assertThat(buf.writerIndex()).as("writer index").isEqualTo(3 + bytes.length);
        assertThat(buf.refCnt()).as("reference count").isEqualTo(1);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.setByte(i, '#');
        }
        buf.release();
    }
}
