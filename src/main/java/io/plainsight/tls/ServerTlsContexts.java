package io.plainsight.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Server-side Netty {@link SslContext}s (BoringSSL, TLS 1.2 and 1.3) for the client leg, all built
 * on one shared {@link ServerKeyManager}, so the certificate shown is chosen per connection.
 * A context is built once per ALPN choice (building costs tens of milliseconds) and reused.
 */
public final class ServerTlsContexts {
    /** Protocol versions offered to clients. */
    /** Native key material kept per certificate chain (forged chains are cached per host anyway). */
    static final int CACHED_CHAINS = 4096;

    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final ServerKeyManager keyManager;
    private final ConcurrentHashMap<String, SslContext> byAlpn = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<List<String>, SslContext> byAlpnList = new ConcurrentHashMap<>();
    private volatile TlsKeyLog keyLog;

    public ServerTlsContexts(ServerKeyManager keyManager) {
        this.keyManager = Objects.requireNonNull(keyManager, "keyManager");
    }

    /** The key manager every context uses. */
    public ServerKeyManager keyManager() {
        return keyManager;
    }

    /**
     * Makes every context, built or to be built, report its handshakes' secrets to {@code log}.
     * Call before traffic starts.
     */
    public void keyLog(TlsKeyLog log) {
        this.keyLog = log;
        byAlpn.values().forEach(log::install);
        byAlpnList.values().forEach(log::install);
    }

    /**
     * A context that selects {@code alpnOrNull} when the client offers it (the protocol the
     * upstream chose), or negotiates no ALPN at all for null. Built once per value.
     */
    public SslContext forAlpn(String alpnOrNull) {
        String key = alpnOrNull == null ? "" : alpnOrNull;
        return byAlpn.computeIfAbsent(key, k -> build(k.isEmpty() ? List.of() : List.of(k)));
    }

    /**
     * A context that picks, in the server's order of preference, the first of {@code serverPreference}
     * that the client offers (no ALPN when they share none, or when the list is empty).
     */
    public SslContext forAlpnList(List<String> serverPreference) {
        List<String> key = List.copyOf(serverPreference);
        if (key.size() == 1) {
            return forAlpn(key.get(0));
        }
        return byAlpnList.computeIfAbsent(key, this::build);
    }

    private SslContext build(List<String> alpn) {
        try {
            // the caching factory keeps each chain's native (BoringSSL) form per alias, so a forged
            // certificate is converted once, not at every handshake; entries whose alias the key
            // manager no longer knows are evicted
            SslContextBuilder b = SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(
                            new KeyManagerFactoryWrapper(keyManager), CACHED_CHAINS))
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols(PROTOCOLS);
            if (!alpn.isEmpty()) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn));
            }
            SslContext context = b.build();
            TlsKeyLog log = keyLog;
            if (log != null) {
                log.install(context);
            }
            return context;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the server TLS context (ALPN " + alpn + "): " + e, e);
        }
    }
}
