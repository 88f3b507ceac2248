package io.plainsight.proxy;

import io.plainsight.event.Mode;
import java.util.List;

/**
 * What one listener does.
 *
 * @param mode REVERSE (TLS in, TLS out), TERMINATE (TLS in, plaintext out) or ORIGINATE (plaintext
 *     in, TLS out)
 * @param listen the address to accept clients on
 * @param target the backend
 * @param sniDefault the name to present a certificate for when a client sends no SNI
 * @param upstreamSni the SNI to send upstream when the client gave none (null: the target host when
 *     it is a name)
 * @param alpn TERMINATE: the protocols offered to clients; ORIGINATE: the offer sent upstream
 * @param idleTimeout a conversation with no bytes either way for this long is closed; zero: never
 * @param intercept proxy and transparent modes: which hosts are decrypted
 * @param auth proxy mode: the credentials clients must give, or null
 * @param tproxy transparent mode: the listener accepts TPROXY-diverted connections (IP_TRANSPARENT)
 */
public record ProxySettings(
        Mode mode, HostPort listen, HostPort target, String sniDefault, String upstreamSni, List<String> alpn,
        java.time.Duration idleTimeout, InterceptPolicy intercept, ProxyAuth auth, boolean tproxy) {

    /** A relay mode (reverse, terminate, originate). */
    public ProxySettings(Mode mode, HostPort listen, HostPort target, String sniDefault, String upstreamSni,
            List<String> alpn, java.time.Duration idleTimeout) {
        this(mode, listen, target, sniDefault, upstreamSni, alpn, idleTimeout, InterceptPolicy.decryptAll(), null, false);
    }

    /** Proxy or transparent: the target is chosen per connection. */
    public static ProxySettings forwarding(Mode mode, HostPort listen, String sniDefault, java.time.Duration idleTimeout,
            InterceptPolicy intercept, ProxyAuth auth, boolean tproxy) {
        return new ProxySettings(mode, listen, null, sniDefault, null, List.of(), idleTimeout, intercept, auth, tproxy);
    }

    public boolean clientTls() {
        return mode == Mode.REVERSE || mode == Mode.TERMINATE;
    }

    public boolean upstreamTls() {
        return mode == Mode.REVERSE || mode == Mode.ORIGINATE;
    }
}
