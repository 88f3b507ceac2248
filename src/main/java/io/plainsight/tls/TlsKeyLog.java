package io.plainsight.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.KeyLogCallback;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS key log lines (NSS format: "CLIENT_RANDOM ..." for TLS 1.2, the TLS 1.3 traffic secrets)
 * from BoringSSL, per connection. BoringSSL reports them through a callback set on an
 * {@code SSL_CTX} ({@code SSL_CTX_set_keylog_callback}), which tcnative exposes as
 * {@link io.netty.internal.tcnative.SSLContext#setKeyLogCallback}; the callback is told the
 * {@code SSL*} of the connection, which {@link #watch} maps to whoever asked for that
 * connection's lines.
 *
 * <p>The callback is set on tcnative's own context pointer, the {@code ctx} field of
 * {@link ReferenceCountedOpenSslContext} (read by reflection): {@code sslCtxPointer()} returns
 * the raw {@code SSL_CTX*} instead, and passing that to tcnative crashes the JVM.
 *
 * <p>Cost: nothing until {@link #install} is called (the proxy calls it only when some output
 * wants the secrets); then, per handshake, one upcall per secret (1 for TLS 1.2, 5 for TLS 1.3)
 * and a map lookup. BoringSSL calls it inside the handshake, on the thread driving the engine
 * (the channel's event loop).
 */
public final class TlsKeyLog {
    private static final Logger log = LoggerFactory.getLogger(TlsKeyLog.class);

    private static final Field CTX_FIELD = ctxField();

    private final Map<Long, Consumer<String>> bySsl = new ConcurrentHashMap<>();
    private final Set<Long> installed = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final KeyLogCallback callback = this::handle;
    private volatile boolean warned;

    /** Why key logging cannot work in this process (no BoringSSL/tcnative), or null when it can. */
    public static String unavailableReason() {
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            return "the native TLS library (netty-tcnative) is not available"
                    + (cause == null ? "" : ": " + cause.getMessage());
        }
        if (CTX_FIELD == null) {
            return "this Netty version has no ReferenceCountedOpenSslContext.ctx field";
        }
        return null;
    }

    /**
     * Makes {@code context}'s handshakes report their secrets to this key log (idempotent). Never
     * throws: a context that cannot (not a native one) is logged, once, and its handshakes' secrets
     * are missing from the outputs.
     *
     * @return whether the context reports to this key log
     */
    public boolean install(SslContext context) {
        String problem = null;
        if (!(context instanceof ReferenceCountedOpenSslContext native_) || CTX_FIELD == null) {
            problem = context.getClass().getName() + " is not a BoringSSL context";
        } else {
            try {
                long ctx = CTX_FIELD.getLong(native_);
                if (ctx == 0) {
                    problem = "the TLS context was already released";
                } else if (installed.contains(ctx)) {
                    return true;
                } else if (io.netty.internal.tcnative.SSLContext.setKeyLogCallback(ctx, callback)) {
                    installed.add(ctx);
                    return true;
                } else {
                    problem = "the native TLS library refused the key log callback";
                }
            } catch (IllegalAccessException | RuntimeException | LinkageError e) {
                problem = "cannot reach the native TLS context: " + e;
            }
        }
        if (!warned) {
            warned = true;
            log.warn("TLS key log: {}: the secrets of its handshakes will be missing", problem);
        }
        return false;
    }

    /**
     * Sends the key log lines of {@code handler}'s handshake to {@code onLine} (each line without
     * its newline), until the handshake ends (successfully or not). Call before the handler sees
     * its first byte. A handler whose engine is not BoringSSL's is ignored.
     */
    public void watch(SslHandler handler, Consumer<String> onLine) {
        if (!(handler.engine() instanceof ReferenceCountedOpenSslEngine engine)) {
            return;
        }
        long ssl = engine.sslPointer();
        if (ssl == 0) {
            return;
        }
        Long key = ssl;
        bySsl.put(key, onLine);
        handler.handshakeFuture().addListener(f -> bySsl.remove(key, onLine));
    }

    /** Connections whose handshakes are being watched (for tests). */
    int watched() {
        return bySsl.size();
    }

    private void handle(long ssl, byte[] line) {
        Consumer<String> onLine = bySsl.get(ssl);
        if (onLine == null) {
            return;
        }
        try {
            onLine.accept(new String(line, StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            // never let an exception unwind into the native handshake
            log.warn("TLS key log: a key log line was lost: {}", e.toString());
        }
    }

    private static Field ctxField() {
        try {
            Field f = ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
