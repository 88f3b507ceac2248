package io.plainsight.sink.exchange;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import io.plainsight.http.ConnectionDecoder;
import io.plainsight.http.DecodeListener;
import io.plainsight.http.DecodeOptions;
import io.plainsight.http.Http1Decoder;
import io.plainsight.http.Http1LineCache;
import io.plainsight.http.Http2Decoder;
import io.plainsight.http.HttpMessage;
import io.plainsight.http.UpgradeHandler;
import io.plainsight.http.WebSocketDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Chooses the decoder of a connection: HTTP/2 when ALPN said h2 or the client sent the HTTP/2
 * preface, HTTP/1 when the client's first bytes are an HTTP method, nothing otherwise (the
 * connection stays a plain flow with byte counts). HTTP/1 upgrades hand over to WebSocket or
 * HTTP/2 (h2c), and a CONNECT tunnel's bytes are looked at afresh.
 *
 * <p>The HTTP/1 decoders it makes share a cache of parsed head lines: use one factory per thread
 * (an exchange sink's); not thread-safe.
 */
public final class HttpDecoders implements DecoderFactory {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final DecodeOptions options;
    /** HTTP/1 head lines parsed before, shared by this factory's decoders. */
    private final Http1LineCache lines = new Http1LineCache();

    public HttpDecoders(DecodeOptions options) {
        this.options = options;
    }

    @Override
    public DecoderFactory withoutResponseBodies() {
        return options.maxResponseBody() == 0 ? this : new HttpDecoders(options.withoutResponseBodies());
    }

    @Override
    public ConnectionDecoder create(ConnectionMeta c, Direction direction, ByteBuf first, DecodeListener listener) {
        String scheme = c.scheme();
        if ("h2".equals(c.alpn())) {
            return new Http2Decoder(c.id(), listener, options, scheme);
        }
        if (direction != Direction.CLIENT_TO_SERVER) {
            return null; // server speaks first: not HTTP
        }
        if (startsWith(first, PREFACE)) {
            return new Http2Decoder(c.id(), listener, options, scheme);
        }
        if (looksLikeHttp1Request(first)) {
            return new Http1Decoder(c.id(), listener, options, scheme, upgrades(listener, scheme), lines);
        }
        return null;
    }

    private UpgradeHandler upgrades(DecodeListener listener, String scheme) {
        return new UpgradeHandler() {
            @Override
            public ConnectionDecoder webSocket(long connectionId, String extensions) {
                return new WebSocketDecoder(connectionId, listener, options, extensions);
            }

            @Override
            public ConnectionDecoder h2c(long connectionId, HttpMessage upgradeRequest) {
                return Http2Decoder.afterUpgrade(connectionId, listener, options, upgradeRequest);
            }

            @Override
            public ConnectionDecoder tunnel(long connectionId, String authority) {
                return new SniffingDecoder(connectionId, listener, (d, first, l) -> {
                    if (d == Direction.CLIENT_TO_SERVER && looksLikeHttp1Request(first)) {
                        return new Http1Decoder(connectionId, l, options, "http", this, lines);
                    }
                    if (d == Direction.CLIENT_TO_SERVER && startsWith(first, PREFACE)) {
                        return new Http2Decoder(connectionId, l, options, "http");
                    }
                    return null;
                });
            }
        };
    }

    static boolean startsWith(ByteBuf buf, byte[] prefix) {
        int n = Math.min(buf.readableBytes(), prefix.length);
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (buf.getByte(buf.readerIndex() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** An HTTP method token followed by a space: "GET ", "POST ", "M-SEARCH ", ... */
    static boolean looksLikeHttp1Request(ByteBuf buf) {
        int r = buf.readerIndex();
        int n = Math.min(buf.readableBytes(), 24);
        for (int i = 0; i < n; i++) {
            int b = buf.getByte(r + i) & 0xFF;
            if (b == ' ') {
                return i > 0;
            }
            boolean token = (b >= 'A' && b <= 'Z') || b == '-' || b == '_';
            if (!token) {
                return false;
            }
        }
        return false;
    }
}
