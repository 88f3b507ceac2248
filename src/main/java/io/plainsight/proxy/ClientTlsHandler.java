package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.plainsight.event.Mode;
import java.util.List;

/**
 * Reads the client's ClientHello (without consuming it), opens the upstream leg with the client's
 * SNI and ALPN offer, then finishes the client's handshake with the ALPN the upstream chose and a
 * certificate for the name asked (copying the upstream's subject and SANs when re-encrypting).
 */
final class ClientTlsHandler extends SslClientHelloHandler<Upstream> {
    private boolean helloRead;
    private final Conversation conv;
    private final ProxySettings settings;
    private final ProxyTls tls;
    private final UpstreamConnector connector;

    ClientTlsHandler(Conversation conv, ProxySettings settings, ProxyTls tls, UpstreamConnector connector) {
        this.conv = conv;
        this.settings = settings;
        this.tls = tls;
        this.connector = connector;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) throws Exception {
        if (in.isReadable()) {
            if (!ClientHelloParser.mayStartTls(in.getUnsignedByte(in.readerIndex()))) {
                conv.fail("client did not speak TLS (first bytes: \"" + Failures.preview(in) + "\")");
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
        }
        super.decode(ctx, in, out);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent && !helloRead) {
            conv.fail("client closed its side before sending a complete TLS ClientHello");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected Future<Upstream> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        helloRead = true;
        Promise<Upstream> promise = ctx.executor().newPromise();
        ClientHello hello = ClientLeg.readHello(conv, clientHello, promise);
        if (hello == null) {
            return promise;
        }
        // the client's ALPN offer goes upstream as is (h2 works end to end without re-encoding)
        connector.connect(conv, hello.sni(), settings.mode() == Mode.REVERSE ? hello.alpn() : List.of(), promise);
        return promise;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<Upstream> future) {
        if (!future.isSuccess()) {
            ClientLeg.refuse(ctx);
            return;
        }
        Upstream up = future.getNow();
        String name = conv.sni != null ? conv.sni : settings.sniDefault();
        List<String> alpn = settings.mode() == Mode.REVERSE
                ? (up.alpn() == null ? List.of() : List.of(up.alpn()))
                : settings.alpn();
        ClientLeg.handshake(ctx, this, conv, tls, name, alpn, up.leaf(), cause -> { });
    }
}
