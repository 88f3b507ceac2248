package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import io.plainsight.event.Direction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The two byte streams of an HTTP/2 connection, as chunks in relay order: built with Netty's
 * {@link DefaultHttp2FrameWriter} (one per side, each with its own HPACK encoder) or by hand, or
 * read from a recorded fixture file.
 *
 * <p>Fixture files are text: {@code #} comment lines, then one line per chunk
 * {@code C|S MICROS HEX} (client to server or server to client, microseconds since the start, the
 * bytes).
 */
final class Http2Wire {
    /** One slice of bytes relayed in one direction. */
    record Chunk(Direction direction, long micros, byte[] bytes) {}

    private final List<Chunk> chunks = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    final Side client = new Side(Direction.CLIENT_TO_SERVER);
    final Side server = new Side(Direction.SERVER_TO_CLIENT);
    private long micros = 1_000;

    /** The frames one side writes; each {@link Http2Wire#client}/{@link Http2Wire#server} call makes one chunk. */
    final class Side {
        final Direction direction;
        final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE);
        final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter(encoder);
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Side(Direction direction) {
            this.direction = direction;
        }

        private Side collect() {
            ctx.flush();
            for (Object o; (o = channel.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                out.writeBytes(bytes);
            }
            return this;
        }

        Side preface() {
            out.writeBytes(Http2FrameReader.PREFACE);
            return this;
        }

        Side settings(Http2Settings settings) {
            writer.writeSettings(ctx, settings, ctx.newPromise());
            return collect();
        }

        Side settings() {
            return settings(new Http2Settings());
        }

        Side settingsAck() {
            writer.writeSettingsAck(ctx, ctx.newPromise());
            return collect();
        }

        Side headers(int stream, Http2Headers headers, boolean endStream) {
            return headers(stream, headers, 0, endStream);
        }

        Side headers(int stream, Http2Headers headers, int padding, boolean endStream) {
            writer.writeHeaders(ctx, stream, headers, padding, endStream, ctx.newPromise());
            return collect();
        }

        Side headersWithPriority(int stream, Http2Headers headers, int dependency, int padding, boolean endStream) {
            writer.writeHeaders(ctx, stream, headers, dependency, (short) 42, false, padding, endStream, ctx.newPromise());
            return collect();
        }

        Side data(int stream, byte[] data, int padding, boolean endStream) {
            writer.writeData(ctx, stream, Unpooled.wrappedBuffer(data), padding, endStream, ctx.newPromise());
            return collect();
        }

        Side data(int stream, String data, boolean endStream) {
            return data(stream, data.getBytes(StandardCharsets.UTF_8), 0, endStream);
        }

        Side pushPromise(int stream, int promised, Http2Headers headers) {
            writer.writePushPromise(ctx, stream, promised, headers, 0, ctx.newPromise());
            return collect();
        }

        Side rst(int stream, long code) {
            writer.writeRstStream(ctx, stream, code, ctx.newPromise());
            return collect();
        }

        Side goAway(int lastStream, long code, String debug) {
            writer.writeGoAway(ctx, lastStream, code, Unpooled.copiedBuffer(debug, StandardCharsets.US_ASCII),
                    ctx.newPromise());
            return collect();
        }

        Side ping() {
            writer.writePing(ctx, false, 0x0102030405060708L, ctx.newPromise());
            return collect();
        }

        Side windowUpdate(int stream, int increment) {
            writer.writeWindowUpdate(ctx, stream, increment, ctx.newPromise());
            return collect();
        }

        Side priority(int stream, int dependency) {
            writer.writePriority(ctx, stream, dependency, (short) 16, false, ctx.newPromise());
            return collect();
        }

        /** A frame as given, header and payload; nothing is checked. */
        Side frame(int type, int flags, int stream, byte[] payload) {
            out.writeBytes(frameBytes(type, flags, stream, payload));
            return this;
        }

        Side raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        /** A header block from this side's encoder (keeping its table in step), for frames built by hand. */
        byte[] block(Http2Headers headers) {
            ByteBuf b = Unpooled.buffer();
            try {
                encoder.encodeHeaders(1, headers, b);
            } catch (Http2Exception e) {
                throw new AssertionError(e);
            }
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            return bytes;
        }

        /** Sets the size of the dynamic table this side's encoder uses (signalled in its next block). */
        Side encoderTableSize(long size) {
            try {
                encoder.configuration().maxHeaderTableSize(size);
            } catch (Http2Exception e) {
                throw new AssertionError(e);
            }
            return this;
        }

        /** Lets this side's writer send frames up to {@code size} bytes. */
        Side maxFrameSize(int size) {
            try {
                writer.maxFrameSize(size);
            } catch (Http2Exception e) {
                throw new AssertionError(e);
            }
            return this;
        }

        private void flushChunk() {
            if (out.size() > 0) {
                chunks.add(new Chunk(direction, micros, out.toByteArray()));
                micros += 1_000;
                out.reset();
            }
        }
    }

    /** Adds one client-to-server chunk of what {@code frames} writes. */
    Http2Wire client(Consumer<Side> frames) {
        frames.accept(client);
        client.flushChunk();
        return this;
    }

    /** Adds one server-to-client chunk of what {@code frames} writes. */
    Http2Wire server(Consumer<Side> frames) {
        frames.accept(server);
        server.flushChunk();
        return this;
    }

    /** The usual start: the client's preface and SETTINGS, the server's SETTINGS, both acknowledged. */
    Http2Wire handshake() {
        client(c -> c.preface().settings());
        server(s -> s.settings().settingsAck());
        return client(Side::settingsAck);
    }

    List<Chunk> chunks() {
        return List.copyOf(chunks);
    }

    static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers(false).method(method).path(path).scheme("https").authority("example.test")
                .add("user-agent", "h2-test/1").add("accept", "*/*");
    }

    static Http2Headers response(int status) {
        return new DefaultHttp2Headers(false).status(Integer.toString(status)).add("server", "h2-test")
                .add("content-type", "text/plain");
    }

    static Http2Headers fields(String... nameValues) {
        Http2Headers h = new DefaultHttp2Headers(false);
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    static final short END_STREAM = Http2Flags.END_STREAM;
    static final short END_HEADERS = Http2Flags.END_HEADERS;
    static final short PADDED = Http2Flags.PADDED;

    // ---- fixture files

    static List<Chunk> read(Path file) {
        try {
            return parse(Files.readAllLines(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Chunk> parse(List<String> lines) {
        List<Chunk> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            Direction d = switch (f[0]) {
                case "C" -> Direction.CLIENT_TO_SERVER;
                case "S" -> Direction.SERVER_TO_CLIENT;
                default -> throw new IllegalArgumentException("bad fixture line: " + line);
            };
            out.add(new Chunk(d, Long.parseLong(f[1]), HexFormat.of().parseHex(f[2])));
        }
        return out;
    }

    static void write(Path file, List<String> comments, List<Chunk> chunks) {
        StringBuilder s = new StringBuilder();
        for (String c : comments) {
            s.append("# ").append(c).append('\n');
        }
        for (Chunk c : chunks) {
            s.append(c.direction() == Direction.CLIENT_TO_SERVER ? 'C' : 'S').append(' ').append(c.micros()).append(' ')
                    .append(HexFormat.of().formatHex(c.bytes())).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, s, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All bytes of one direction, concatenated. */
    static byte[] stream(List<Chunk> chunks, Direction d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Chunk c : chunks) {
            if (c.direction() == d) {
                out.writeBytes(c.bytes());
            }
        }
        return out.toByteArray();
    }
}
