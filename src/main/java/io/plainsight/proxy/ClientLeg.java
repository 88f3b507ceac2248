package io.plainsight.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.plainsight.event.Leg;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;

/** Finishes the client's TLS handshake once the upstream leg is ready, then starts relaying. */
final class ClientLeg {
    /** A plaintext fatal handshake_failure alert record: what a client gets when we cannot serve it. */
    private static final byte[] HANDSHAKE_FAILURE = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

    private ClientLeg() {}

    /**
     * Parses the ClientHello a hello handler peeked and records its SNI; when there is none or it is
     * malformed, fails the conversation (naming the cause) and {@code promise}, and returns null.
     */
    static ClientHello readHello(Conversation conv, io.netty.buffer.ByteBuf clientHello,
            io.netty.util.concurrent.Promise<Upstream> promise) {
        if (clientHello == null) {
            conv.fail("client sent no TLS ClientHello");
            promise.setFailure(new IllegalStateException("no ClientHello"));
            return null;
        }
        try {
            ClientHello hello = ClientHelloParser.parse(clientHello);
            conv.tap.clientHello(hello);
            conv.sni = hello.sni();
            conv.clientHello(Leg.CLIENT, handshakeMessage(HelloScanner.CLIENT_HELLO, clientHello));
            return hello;
        } catch (ClientHelloParser.MalformedClientHelloException e) {
            conv.fail("client " + e.getMessage());
            promise.setFailure(e);
            return null;
        }
    }

    /** A handshake message as sent: its type, its 3-byte length, then {@code body}. */
    static byte[] handshakeMessage(int type, io.netty.buffer.ByteBuf body) {
        int n = body.readableBytes();
        byte[] m = new byte[4 + n];
        m[0] = (byte) type;
        m[1] = (byte) (n >>> 16);
        m[2] = (byte) (n >>> 8);
        m[3] = (byte) n;
        body.getBytes(body.readerIndex(), m, 4, n);
        return m;
    }

    /**
     * Ends a client whose ClientHello we read but cannot answer (the upstream failed): a TLS alert
     * the client can report, then close.
     */
    static void refuse(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(HANDSHAKE_FAILURE))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /**
     * Replaces {@code hello} (the handler that read the ClientHello) with a server-side TLS handler
     * presenting a certificate for {@code name} (copying {@code upstreamLeaf} when given) and
     * selecting from {@code alpn}; calls {@code onDone} with null and activates the conversation
     * when the handshake succeeds, calls it with the cause (then fails the conversation) when not.
     */
    static void handshake(ChannelHandlerContext ctx, ChannelHandler hello, Conversation conv, ProxyTls tls, String name,
            List<String> alpn, X509Certificate upstreamLeaf, Consumer<Throwable> onDone) {
        SslHandler ssl;
        try {
            ssl = tls.clientLeg(ctx.alloc(), name, alpn, upstreamLeaf);
        } catch (RuntimeException e) {
            conv.fail("no certificate for '" + name + "': " + Failures.rootMessage(e));
            return;
        }
        conv.watchSecrets(Leg.CLIENT, ssl);
        HelloRecorder.addTo(ctx.pipeline(), conv, Leg.CLIENT, ssl);
        ctx.pipeline().replace(hello, "tls", ssl);
        ssl.handshakeFuture().addListener(hf -> {
            tls.clientLegDone(ssl);
            if (!hf.isSuccess()) {
                onDone.accept(hf.cause());
                conv.failed(true, false, hf.cause());
                return;
            }
            onDone.accept(null);
            conv.tlsEstablished(Leg.CLIENT, ssl);
            conv.activate();
        });
    }
}
