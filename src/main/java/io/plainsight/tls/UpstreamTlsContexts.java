package io.plainsight.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Client-side Netty {@link SslContext}s (BoringSSL, TLS 1.2 and 1.3) for connecting to backends.
 * Trust is the JDK's default trust store plus extra PEM anchors ({@code --upstream-ca FILE}), or
 * nothing is checked at all ({@code --upstream-insecure}). Unless insecure, the server's chain and
 * its host name (endpoint identification "HTTPS": DNS names, and IP SANs for IP literals) are
 * verified; a failure surfaces as an {@link javax.net.ssl.SSLHandshakeException} whose message or
 * cause names the reason. Contexts are built once per ALPN offer list.
 */
public final class UpstreamTlsContexts {
    private final boolean insecure;
    private final TrustManagerFactory trust;
    private final ConcurrentHashMap<List<String>, SslContext> byOffer = new ConcurrentHashMap<>();
    private volatile TlsKeyLog keyLog;

    /**
     * @param extraCaFiles PEM files with additional trust anchors (each may hold several)
     * @param insecure trust any server certificate and skip host name checks
     * @throws TlsSetupException naming a CA file that is missing, unreadable or holds no certificate
     */
    public UpstreamTlsContexts(List<Path> extraCaFiles, boolean insecure) {
        this.insecure = insecure;
        this.trust = insecure ? InsecureTrustManagerFactory.INSTANCE : trustWithExtras(extraCaFiles);
    }

    /** Verifying with the JDK default trust store only. */
    public static UpstreamTlsContexts jdkDefaults() {
        return new UpstreamTlsContexts(List.of(), false);
    }

    /** Whether certificates are not checked. */
    public boolean insecure() {
        return insecure;
    }

    /**
     * Makes every context, built or to be built, report its handshakes' secrets to {@code log}.
     * Call before traffic starts.
     */
    public void keyLog(TlsKeyLog log) {
        this.keyLog = log;
        byOffer.values().forEach(log::install);
    }

    /** The context offering {@code alpnOffer} as is (empty list or null: no ALPN). */
    public SslContext forAlpnOffer(List<String> alpnOffer) {
        List<String> key = alpnOffer == null ? List.of() : List.copyOf(alpnOffer);
        return byOffer.computeIfAbsent(key, this::build);
    }

    /**
     * A handler for one connection to {@code host:port}: sends SNI = host when it is a DNS name (not
     * an IP literal) and, unless insecure, verifies the chain and the host name.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, List<String> alpnOffer) {
        return forAlpnOffer(alpnOffer).newHandler(alloc, HostNames.unbracket(host), port);
    }

    /**
     * A handler that sends SNI {@code sni} (when it is a DNS name) but connects to {@code host}:
     * the certificate must match the SNI or, failing that, {@code host} (the JDK trust manager
     * checks the requested server name first, then the peer host). A reverse proxy forwards the
     * client's SNI while the operator named the backend: either identity is the backend's.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String sni, String host, int port, List<String> alpnOffer) {
        String peer = HostNames.unbracket(host);
        SslHandler handler = forAlpnOffer(alpnOffer).newHandler(alloc, peer, port);
        if (sni != null && !sni.equalsIgnoreCase(peer) && !HostNames.isIpLiteral(sni)) {
            javax.net.ssl.SSLParameters params = handler.engine().getSSLParameters();
            params.setServerNames(List.of(new javax.net.ssl.SNIHostName(sni)));
            handler.engine().setSSLParameters(params);
        }
        return handler;
    }

    /**
     * The reason a backend handshake failed. Netty reports certificate problems as an
     * {@link javax.net.ssl.SSLHandshakeException} "General OpenSslEngine problem" whose cause chain
     * holds the reason; this returns the most specific message in the chain, e.g. "unable to find
     * valid certification path to requested target" or "No subject alternative DNS name matching
     * x found ...".
     */
    public static String describe(Throwable t) {
        String best = null;
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank()) {
                best = m;
            }
        }
        return best == null ? t.getClass().getName() : best;
    }

    /**
     * An {@link javax.net.ssl.SSLHandshakeException} whose message names the reason
     * ({@link #describe}) for a failed backend handshake, with {@code t} as its cause.
     */
    public static javax.net.ssl.SSLHandshakeException explain(Throwable t) {
        javax.net.ssl.SSLHandshakeException e = new javax.net.ssl.SSLHandshakeException(describe(t));
        e.initCause(t);
        return e;
    }

    private SslContext build(List<String> offer) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols(ServerTlsContexts.PROTOCOLS)
                    .trustManager(trust)
                    .endpointIdentificationAlgorithm(insecure ? null : "HTTPS");
            if (!offer.isEmpty()) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        offer));
            }
            SslContext context = b.build();
            TlsKeyLog log = keyLog;
            if (log != null) {
                log.install(context);
            }
            return context;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the upstream TLS context (ALPN " + offer + "): " + e, e);
        }
    }

    private static TrustManagerFactory trustWithExtras(List<Path> extraCaFiles) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (extraCaFiles == null || extraCaFiles.isEmpty()) {
                tmf.init((KeyStore) null);
                return tmf;
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int n = 0;
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            for (TrustManager tm : jdk.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            for (Path f : extraCaFiles) {
                for (X509Certificate c : readAnchors(f)) {
                    ks.setCertificateEntry("extra-" + n++, c);
                }
            }
            tmf.init(ks);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up the upstream trust store: " + e, e);
        }
    }

    private static List<X509Certificate> readAnchors(Path f) {
        List<X509Certificate> certs;
        try {
            certs = new ArrayList<>(Pem.parseCertificates(Files.readString(f, StandardCharsets.ISO_8859_1)));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TlsSetupException("upstream CA file " + f + " does not exist", e);
        } catch (IOException e) {
            throw new TlsSetupException("cannot read the upstream CA file " + f + ": " + TlsSetupException.reason(e), e);
        }
        if (certs.isEmpty()) {
            throw new TlsSetupException("no PEM certificate in the upstream CA file " + f);
        }
        return certs;
    }
}
