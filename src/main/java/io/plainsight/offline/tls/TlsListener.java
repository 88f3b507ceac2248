package io.plainsight.offline.tls;

import io.netty.buffer.ByteBuf;
import io.plainsight.proxy.ClientHello;

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
     * Unless {@link #keepsPlaintext}, {@code data} belongs to the decryptor and is reused: it is
     * valid only during the call, so copy what you keep, and do not change its indexes. With
     * {@link #keepsPlaintext}, {@code data} is the listener's: a heap buffer over an array of its
     * own that it may keep, hand on or drop.
     */
    void plaintext(boolean fromClient, long timestampMicros, ByteBuf data);

    /**
     * Whether this listener keeps every plaintext byte (e.g. publishes it as events): the decryptor
     * then decrypts each record into a fresh array and hands it over, instead of decrypting into
     * its reused buffer for the listener to copy (measured: the copy into a pooled buffer cost ~0.4 s
     * of the decrypting thread per GB of plaintext). Asked once, when the decryptor is made.
     * Default: false.
     */
    default boolean keepsPlaintext() {
        return false;
    }

    /**
     * Something worth knowing that did not stop decryption: 0-RTT data skipped, an alert, a
     * connection cut short inside a record. Default: ignored.
     */
    default void note(String message) {}

    /**
     * A ClientHello was read (every handshake's, renegotiations included), before the handshake is
     * known: what it offers (SNI, versions, ALPN) decides filters when plaintext (0-RTT early data)
     * comes before the {@link #handshake}. {@code message} is the handshake message (type, length,
     * body), or null for an SSLv2-format hello. Default: ignored.
     */
    default void clientHello(ClientHello hello, byte[] message) {}

    /**
     * The keys of a handshake as NSS key log lines (each ending in '\n'), once per handshake, as
     * soon as they are found and before any plaintext they decrypt: for SSL 3.0 to TLS 1.2 a
     * {@code CLIENT_RANDOM} line with the master secret (however it was found: key log, RSA key,
     * PSK, session cache), for TLS 1.3 the key log's traffic secrets of its client random (the early
     * traffic secret, when 0-RTT is decrypted, may come in a call of its own before the rest).
     * Default: ignored.
     */
    default void secrets(String keyLogLines) {}

    /**
     * The connection cannot be (fully) decrypted, with the precise reason (for example "no key for
     * client_random 1a2b..." or "MAC failure at server->client record 7"). Called at most once
     * per connection; plaintext already delivered stays valid, and a direction the reason does
     * not name may go on delivering plaintext (a later failure of it becomes a {@link #note}).
     */
    void failed(String reason);
}
