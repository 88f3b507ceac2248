package io.plainsight.tls;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The one key manager behind every server-side {@code SslContext}: which certificate a client is
 * shown is decided per connection by the proxy.
 *
 * <p>The proxy calls {@link #assign(SSLEngine, KeyMaterial)} right after creating the engine and
 * before the handshake starts. When nothing was assigned, the imported certificates
 * ({@link #addImported}) are matched on the client's SNI: exact name, then a wildcard
 * ({@code *.example.com} matches one label), then the default {@code *}.
 *
 * <p>Works with Netty's OpenSSL/BoringSSL provider, which calls
 * {@link #chooseEngineServerAlias} with the engine and then {@link #getCertificateChain} and
 * {@link #getPrivateKey} with the alias alone; each key material (each chain array instance)
 * therefore has its own alias, resolvable for as long as the material is reachable. Per-engine
 * state is held weakly (it disappears with the engine) and can be dropped early with
 * {@link #release(SSLEngine)} once the handshake is done or the connection is closed.
 */
public final class ServerKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS_PREFIX = "ps-";

    private record Assigned(KeyMaterial material, String alias) {
    }

    /** Resolves an alias while its chain array is reachable (from a cache or an assigned engine). */
    private static final class AliasRef extends WeakReference<X509Certificate[]> {
        final String alias;
        final PrivateKey key;

        AliasRef(String alias, KeyMaterial m, ReferenceQueue<X509Certificate[]> q) {
            super(m.chain(), q);
            this.alias = alias;
            this.key = m.key();
        }
    }

    private final Map<SSLEngine, Assigned> assigned = Collections.synchronizedMap(new WeakHashMap<>());
    /** One alias per chain array instance (arrays compare by identity), dropped with the array. */
    private final Map<X509Certificate[], String> chainAliases = Collections.synchronizedMap(new WeakHashMap<>());
    private final ConcurrentHashMap<String, AliasRef> aliases = new ConcurrentHashMap<>();
    private final ReferenceQueue<X509Certificate[]> collected = new ReferenceQueue<>();
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();

    // imported certificates: copy-on-write, read without locking
    private volatile Map<String, Assigned> importedExact = Map.of();
    private volatile Map<String, Assigned> importedWildcard = Map.of(); // key: suffix after "*."
    private volatile Assigned importedDefault;

    /**
     * Shows {@code material} to the client of {@code engine}. Call after creating the engine and
     * before the handshake; a later call for the same engine replaces the earlier one.
     */
    public void assign(SSLEngine engine, KeyMaterial material) {
        Assigned a = register(material);
        assigned.put(engine, a);
    }

    /** Forgets what was assigned to {@code engine} (after the handshake or when closed). */
    public void release(SSLEngine engine) {
        assigned.remove(engine);
    }

    /**
     * Adds an imported certificate for {@code domains}: host names, wildcards ({@code *.example.com})
     * or {@code *} for every name not matched otherwise. A later addition for the same domain wins.
     */
    public synchronized void addImported(Collection<String> domains, KeyMaterial material) {
        Assigned a = register(material);
        Map<String, Assigned> exact = new java.util.HashMap<>(importedExact);
        Map<String, Assigned> wild = new java.util.HashMap<>(importedWildcard);
        for (String d : domains) {
            String name = d.trim().toLowerCase(Locale.ROOT);
            if (name.equals("*")) {
                importedDefault = a;
            } else if (name.startsWith("*.")) {
                wild.put(name.substring(2), a);
            } else {
                exact.put(stripDot(name), a);
            }
        }
        importedExact = Map.copyOf(exact);
        importedWildcard = Map.copyOf(wild);
    }

    /** The imported material the client asking for {@code sni} (null: no SNI) would get, or null. */
    public KeyMaterial importedFor(String sni) {
        Assigned a = matchImported(sni);
        return a == null ? null : a.material();
    }

    /** Number of engines with assigned material not yet released or collected (for monitoring). */
    public int assignedCount() {
        return assigned.size();
    }

    /** Number of aliases currently resolvable (for monitoring). */
    public int aliasCount() {
        expunge();
        return aliases.size();
    }

    private Assigned register(KeyMaterial material) {
        expunge();
        String alias = chainAliases.computeIfAbsent(material.chain(),
                c -> ALIAS_PREFIX + material.key().getAlgorithm() + "-" + sequence.incrementAndGet());
        aliases.computeIfAbsent(alias, k -> new AliasRef(k, material, collected));
        return new Assigned(material, alias);
    }

    private void expunge() {
        for (java.lang.ref.Reference<? extends X509Certificate[]> r; (r = collected.poll()) != null; ) {
            AliasRef ar = (AliasRef) r;
            aliases.remove(ar.alias, ar);
        }
    }

    private Assigned matchImported(String sni) {
        if (sni != null && !sni.isEmpty()) {
            String name = stripDot(sni.toLowerCase(Locale.ROOT));
            Assigned a = importedExact.get(name);
            if (a != null) {
                return a;
            }
            int dot = name.indexOf('.');
            if (dot > 0) {
                a = importedWildcard.get(name.substring(dot + 1));
                if (a != null) {
                    return a;
                }
            }
        }
        return importedDefault;
    }

    private static String stripDot(String name) {
        return name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
    }

    static String sniOf(SSLEngine engine) {
        SSLSession s = engine.getHandshakeSession();
        if (s instanceof ExtendedSSLSession es) {
            for (SNIServerName n : es.getRequestedServerNames()) {
                if (n.getType() == StandardConstants.SNI_HOST_NAME) {
                    return n instanceof SNIHostName h ? h.getAsciiName()
                            : new String(n.getEncoded(), java.nio.charset.StandardCharsets.US_ASCII);
                }
            }
        }
        return null;
    }

    private static boolean keyTypeMatches(String keyType, PrivateKey key) {
        if (keyType == null) {
            return true;
        }
        String alg = key.getAlgorithm();
        return switch (keyType) {
            case "RSA", "RSASSA-PSS" -> alg.equals("RSA") || alg.equals("RSASSA-PSS");
            case "EC" -> alg.equals("EC");
            case "EdDSA", "Ed25519", "Ed448" -> alg.equals("EdDSA") || alg.equals("Ed25519") || alg.equals("Ed448");
            default -> false; // DH_RSA, EC_EC, EC_RSA: static (EC)DH suites are not offered
        };
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Assigned a = engine == null ? importedDefault : assigned.get(engine);
        if (a == null && engine != null) {
            a = matchImported(sniOf(engine));
        }
        if (a == null || !keyTypeMatches(keyType, a.material().key())) {
            return null;
        }
        return a.alias();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Assigned a = importedDefault;
        return a != null && keyTypeMatches(keyType, a.material().key()) ? a.alias() : null;
    }

    /** The chain for {@code alias}; the shared array, not a copy (Netty caches by identity). */
    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        AliasRef ref = alias == null ? null : aliases.get(alias);
        return ref == null ? null : ref.get();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        AliasRef ref = alias == null ? null : aliases.get(alias);
        return ref == null || ref.get() == null ? null : ref.key;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (Assigned a : importedExact.values()) {
            if (keyTypeMatches(keyType, a.material().key())) {
                out.add(a.alias());
            }
        }
        for (Assigned a : importedWildcard.values()) {
            if (keyTypeMatches(keyType, a.material().key())) {
                out.add(a.alias());
            }
        }
        Assigned d = importedDefault;
        if (d != null && keyTypeMatches(keyType, d.material().key())) {
            out.add(d.alias());
        }
        return out.isEmpty() ? null : out.toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    List<String> debugAliases() {
        return List.copyOf(aliases.keySet());
    }
}
