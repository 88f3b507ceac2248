package io.plainsight.tls;

import io.netty.buffer.Unpooled;
import io.plainsight.offline.tls.ServerHello;
import io.plainsight.proxy.ClientHello;
import io.plainsight.proxy.ClientHelloParser;

/**
 * Parses whole hello handshake messages (type byte, 3-byte length, body), as
 * {@code TlsEstablished.clientHello()} and {@code serverHello()} hold them, for the fingerprints.
 * Pure: bytes in, values out.
 */
public final class HelloMessages {
    static final int CLIENT_HELLO = 1;

    private HelloMessages() {}

    /**
     * The ClientHello in {@code message}.
     *
     * @throws IllegalArgumentException naming the problem when it is not a well-formed ClientHello
     */
    public static ClientHello clientHello(byte[] message) {
        if (message.length < 4 || message[0] != CLIENT_HELLO) {
            throw new IllegalArgumentException("not a ClientHello handshake message");
        }
        int len = ((message[1] & 0xff) << 16) | ((message[2] & 0xff) << 8) | (message[3] & 0xff);
        if (len > message.length - 4) {
            throw new IllegalArgumentException("ClientHello of " + len + " bytes, " + (message.length - 4) + " given");
        }
        try {
            return ClientHelloParser.parse(Unpooled.wrappedBuffer(message, 4, len));
        } catch (ClientHelloParser.MalformedClientHelloException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The ServerHello in {@code message}.
     *
     * @throws IllegalArgumentException naming the problem when it is not a well-formed ServerHello
     */
    public static ServerHello serverHello(byte[] message) {
        return ServerHello.ofMessage(message);
    }
}
