package io.plainsight.offline.tls;

import io.netty.buffer.ByteBuf;
import io.plainsight.proxy.ClientHello;

/**
 * Wraps what a {@link TlsListener} throws in a {@link ListenerException}, so that the decryptor
 * tells the listener's exceptions (which propagate) from its own (which must not).
 */
record GuardedListener(TlsListener listener) implements TlsListener {
    /** What the listener threw, on its way out of the decryptor. */
    static final class ListenerException extends RuntimeException {
        ListenerException(RuntimeException cause) {
            super(cause);
        }
    }

    @Override
    public void handshake(TlsHandshakeInfo info) {
        try {
            listener.handshake(info);
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }

    @Override
    public void plaintext(boolean fromClient, long timestampMicros, ByteBuf data) {
        try {
            listener.plaintext(fromClient, timestampMicros, data);
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }

    @Override
    public boolean keepsPlaintext() {
        try {
            return listener.keepsPlaintext();
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }

    @Override
    public void note(String message) {
        try {
            listener.note(message);
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }

    @Override
    public void clientHello(ClientHello hello, byte[] message) {
        try {
            listener.clientHello(hello, message);
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }

    @Override
    public void secrets(String keyLogLines) {
        try {
            listener.secrets(keyLogLines);
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }

    @Override
    public void failed(String reason) {
        try {
            listener.failed(reason);
        } catch (RuntimeException e) {
            throw new ListenerException(e);
        }
    }
}
