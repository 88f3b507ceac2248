package io.plainsight.proxy;

import io.plainsight.event.Interception;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which intercepted connections are decrypted: hosts matching an ignore pattern are relayed
 * untouched, and a host whose clients keep rejecting our certificate (pinning, unknown CA) is
 * relayed untouched for a while ("fail open"). Shared by all I/O threads.
 */
public final class InterceptPolicy {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final List<Pattern> ignoreHosts;
    private final int failOpenAfter;
    private final Duration failOpenFor;
    private final LongSupplier clockMillis;
    private final ConcurrentHashMap<String, HostState> hosts = new ConcurrentHashMap<>();
    /** Capture rules with connection actions (capture: off, decrypt: off), or null. */
    private volatile io.plainsight.policy.LiveRules rules;

    private static final class HostState {
        int rejections;
        long passUntilMillis;
    }

    /**
     * @param ignoreHosts patterns matched (find) against {@code host:port} of the CONNECT target
     *     and of the SNI
     * @param failOpenAfter rejections of our certificate for one host before it is passed through
     *     (0: never fail open)
     * @param failOpenFor how long a failed-open host is passed through
     */
    public InterceptPolicy(List<Pattern> ignoreHosts, int failOpenAfter, Duration failOpenFor, LongSupplier clockMillis) {
        this.ignoreHosts = List.copyOf(ignoreHosts);
        this.failOpenAfter = failOpenAfter;
        this.failOpenFor = failOpenFor;
        this.clockMillis = clockMillis;
    }

    /** Decrypt everything. */
    public static InterceptPolicy decryptAll() {
        return new InterceptPolicy(List.of(), 0, Duration.ZERO, System::currentTimeMillis);
    }

    /**
     * What to do with a TLS connection to {@code target} asking for {@code sni} (may be null):
     * DECRYPTED, PASSED_THROUGH (ignored host) or FAILED_OPEN.
     */
    public Interception decide(HostPort target, String sni) {
        String byTarget = target.host() + ":" + target.port();
        String bySni = sni == null ? null : sni + ":" + target.port();
        for (Pattern p : ignoreHosts) {
            if (p.matcher(byTarget).find() || (bySni != null && p.matcher(bySni).find())) {
                return Interception.PASSED_THROUGH;
            }
        }
        if (failOpenAfter > 0) {
            HostState s = hosts.get(key(target, sni));
            if (s != null) {
                synchronized (s) {
                    if (s.passUntilMillis > clockMillis.getAsLong()) {
                        return Interception.FAILED_OPEN;
                    }
                }
            }
        }
        return Interception.DECRYPTED;
    }

    /** Uses the connection rules of {@code rules} ({@code decrypt: off}, {@code capture: off}) from now on. */
    public void rules(io.plainsight.policy.LiveRules rules) {
        this.rules = rules;
    }

    /**
     * As {@link #decide(HostPort, String)}, then the capture rules: a {@code decrypt: off} rule
     * matching the client, the server and the SNI passes the connection through untouched.
     */
    public Interception decide(HostPort target, String sni, io.plainsight.event.Mode mode, java.net.SocketAddress client,
            java.net.SocketAddress server) {
        return decide(target, sni, null, mode, client, server);
    }

    /** As above, with the client's ClientHello (or null) for rules on {@code tls.ja3} and {@code tls.ja4}. */
    Interception decide(HostPort target, String sni, ClientHello hello, io.plainsight.event.Mode mode,
            java.net.SocketAddress client, java.net.SocketAddress server) {
        Interception d = decide(target, sni);
        io.plainsight.policy.LiveRules r = rules;
        if (d != Interception.DECRYPTED || r == null || r.current().connectionRules().isEmpty()) {
            return d;
        }
        var decision = r.current().connection(ConnectionFields.of(mode, client, server, sni, target, hello));
        if (!decision.decrypt()) {
            log.debug("{} relayed without decryption by rule {}", target, decision.decryptRule().id());
            return Interception.PASSED_THROUGH;
        }
        return d;
    }

    /** Whether the capture rules keep this connection in the outputs (false: a {@code capture: off} rule matched). */
    public boolean captured(io.plainsight.event.Mode mode, java.net.SocketAddress client, java.net.SocketAddress server,
            String sni) {
        return captured(mode, client, server, sni, null);
    }

    /** As above, with the client's ClientHello (or null) for rules on {@code tls.ja3} and {@code tls.ja4}. */
    boolean captured(io.plainsight.event.Mode mode, java.net.SocketAddress client, java.net.SocketAddress server,
            String sni, ClientHello hello) {
        io.plainsight.policy.LiveRules r = rules;
        if (r == null || r.current().connectionRules().isEmpty()) {
            return true;
        }
        return r.current().connection(ConnectionFields.of(mode, client, server, sni, null, hello)).capture();
    }

    /** A client aborted the handshake over our certificate for this host. */
    public void rejected(HostPort target, String sni) {
        if (failOpenAfter <= 0) {
            return;
        }
        String key = key(target, sni);
        HostState s = hosts.computeIfAbsent(key, k -> new HostState());
        boolean opened = false;
        synchronized (s) {
            long now = clockMillis.getAsLong();
            if (s.passUntilMillis > now) {
                return;
            }
            if (++s.rejections >= failOpenAfter) {
                s.rejections = 0;
                s.passUntilMillis = now + failOpenFor.toMillis();
                opened = true;
            }
        }
        if (opened) {
            log.warn("fail-open: clients rejected our certificate for {} {} times; relaying it without decryption for {}s",
                    key, failOpenAfter, failOpenFor.toSeconds());
        }
    }

    /** A client accepted our certificate for this host: its rejection count starts over. */
    public void accepted(HostPort target, String sni) {
        if (failOpenAfter > 0) {
            HostState s = hosts.get(key(target, sni));
            if (s != null) {
                synchronized (s) {
                    s.rejections = 0;
                }
            }
        }
    }

    private static String key(HostPort target, String sni) {
        return (sni != null ? sni : target.host()).toLowerCase(Locale.ROOT) + ":" + target.port();
    }

    /**
     * Whether a failed client handshake means the client refused our certificate. Clients say so
     * in different ways (a certificate alert, an alert the TLS stack cannot even parse, or just a
     * close in the middle of the handshake), and the handshake only fails after our certificate
     * was sent; so every failure counts, except a client that did not speak TLS at all.
     */
    public static boolean isCertificateRejection(Throwable cause) {
        return Failures.notTls(cause) == null;
    }
}
