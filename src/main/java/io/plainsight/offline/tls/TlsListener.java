package io.plainsight.offline.tls;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link TlsStreamDecryptor} reports about one connection. Called on the thread that feeds
 * the decryptor, in capture order. An exception thrown by the listener propagates to the caller of
 * {@code data}/{@code gap}/{@code end}, and the decryptor then ignores the connection's rest.
 */
public interface TlsListener {
    /**
     * A handshake's parameters, once known: for TLS 1.2 and earlier when its keys are first
     * needed, for TLS 1.3 when the EncryptedExtensions are read (or, when they cannot be
     * decrypted, at the ServerHello). Renegotiations report again.
     */
    void handshake(TlsHandshakeInfo info);

    /**
     * The plaintext of one application_data record (never empty), in the order of the stream.
     * {@code data} belongs to the decryptor and is reused: it is valid only during the call, so
     * copy what you keep, and do not change its indexes.
     */
    void plaintext(boolean fromClient, long timestampMicros, ByteBuf data);

    /**
     * Something worth knowing that did not stop decryption: 0-RTT data skipped, an alert, a
     * connection cut short inside a record. Default: ignored.
     */
    default void note(String message) {}

    /**
     * The connection cannot be (fully) decrypted, with the precise reason (for example "no key for
     * client_random 1a2b..." or "MAC failure at server->client record 7"). Called at most once
     * per connection; plaintext already delivered stays valid, and a direction the reason does
     * not name may go on delivering plaintext (a later failure of it becomes a {@link #note}).
     */
    void failed(String reason);
}
