package io.plainsight.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.plainsight.tls.CertificateAuthority;
import io.plainsight.tls.CertificateForger;
import io.plainsight.tls.ForgedCertificateCache;
import io.plainsight.tls.KeyMaterial;
import io.plainsight.tls.ServerKeyManager;
import io.plainsight.tls.ServerTlsContexts;
import io.plainsight.tls.TlsKeyLog;
import io.plainsight.tls.UpstreamTlsContexts;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * The TLS wiring of the relay modes: imported certificates by SNI, otherwise certificates forged
 * by the plainsight CA (copying the upstream's subject and SANs when there is an upstream
 * certificate), one server context per ALPN choice, upstream contexts per ALPN offer.
 */
public final class DefaultProxyTls implements ProxyTls {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("plainsight");

    private final ServerKeyManager keyManager;
    private final ServerTlsContexts serverContexts;
    private final UpstreamTlsContexts upstreamContexts;
    private final CertificateForger forger;
    private final ForgedCertificateCache cache;
    private TlsKeyLog keyLog;

    private DefaultProxyTls(ServerKeyManager keyManager, UpstreamTlsContexts upstreamContexts, CertificateForger forger) {
        this.keyManager = keyManager;
        this.serverContexts = keyManager == null ? null : new ServerTlsContexts(keyManager);
        this.upstreamContexts = upstreamContexts;
        this.forger = forger;
        this.cache = forger == null ? null : new ForgedCertificateCache();
    }

    /**
     * For reverse and terminate: imported certificates (domains to key material) win for the SNIs
     * they cover; every other name gets a certificate forged by the CA in {@code home}.
     */
    public static DefaultProxyTls forReverse(Path home, List<Path> upstreamCa, boolean insecure,
            Map<List<String>, KeyMaterial> imported) {
        ServerKeyManager km = new ServerKeyManager();
        imported.forEach(km::addImported);
        CertificateForger forger = new CertificateForger(CertificateAuthority.loadOrCreate(home));
        return new DefaultProxyTls(km, new UpstreamTlsContexts(upstreamCa, insecure), forger);
    }

    /** For originate: only the upstream leg is TLS. */
    /** For the forward and transparent proxies: every certificate forged by the CA in {@code home}. */
    public static DefaultProxyTls forInterception(Path home, List<Path> upstreamCa, boolean insecure) {
        return forReverse(home, upstreamCa, insecure, Map.of());
    }

    public static DefaultProxyTls forOriginate(List<Path> upstreamCa, boolean insecure) {
        return new DefaultProxyTls(null, new UpstreamTlsContexts(upstreamCa, insecure), null);
    }

    @Override
    public SslHandler clientLeg(ByteBufAllocator alloc, String name, List<String> alpn, X509Certificate upstreamLeaf) {
        SslContext ctx = alpn.size() == 1 ? serverContexts.forAlpn(alpn.get(0))
                : alpn.isEmpty() ? serverContexts.forAlpn(null) : serverContexts.forAlpnList(alpn);
        SslHandler handler = ctx.newHandler(alloc);
        if (keyManager.importedFor(name) == null) {
            KeyMaterial forged = upstreamLeaf != null
                    ? cache.get(ForgedCertificateCache.upstreamKey(upstreamLeaf, name), () -> forger.forgeLike(upstreamLeaf, name))
                    : cache.get(name, () -> forger.forgeFor(name));
            keyManager.assign(handler.engine(), forged);
        }
        return handler;
    }

    @Override
    public synchronized TlsKeyLog enableKeyLog() {
        if (keyLog != null) {
            return keyLog;
        }
        String unavailable = TlsKeyLog.unavailableReason();
        if (unavailable != null) {
            log.warn("TLS key log: not available: {}; no secrets will be written", unavailable);
            return null;
        }
        TlsKeyLog k = new TlsKeyLog();
        if (serverContexts != null) {
            serverContexts.keyLog(k);
        }
        upstreamContexts.keyLog(k);
        keyLog = k;
        return k;
    }

    @Override
    public CertificateAuthority authority() {
        return forger == null ? null : forger.ca();
    }

    @Override
    public void clientLegDone(SslHandler handler) {
        keyManager.release(handler.engine());
    }

    @Override
    public SslHandler upstreamLeg(ByteBufAllocator alloc, String sni, String host, int port, List<String> alpnOffer) {
        return upstreamContexts.newHandler(alloc, sni, host, port, alpnOffer);
    }

    /**
     * Does once, before the first client, what the first connection would otherwise wait for:
     * loading the TLS libraries, building the common contexts, forging a first certificate.
     */
    public void warmUp(String name) {
        if (serverContexts != null) {
            serverContexts.forAlpn(null);
            serverContexts.forAlpn("h2");
            serverContexts.forAlpn("http/1.1");
            cache.get(name, () -> forger.forgeFor(name));
        }
        upstreamContexts.forAlpnOffer(List.of());
        upstreamContexts.forAlpnOffer(List.of("h2", "http/1.1"));
    }

    /** Forging statistics: certificates forged, cache hits. */
    public long forged() {
        return cache == null ? 0 : cache.forged();
    }

    public long cacheHits() {
        return cache == null ? 0 : cache.hits();
    }
}
