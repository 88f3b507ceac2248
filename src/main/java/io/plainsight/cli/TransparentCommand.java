package io.plainsight.cli;

import io.plainsight.event.Mode;
import io.plainsight.proxy.DefaultProxyTls;
import io.plainsight.proxy.HostPort;
import io.plainsight.proxy.ProxySettings;
import io.plainsight.proxy.ProxyTls;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code plainsight transparent}: intercepts connections the OS redirected to it (REDIRECT/DNAT or TPROXY). */
@Command(name = "transparent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Transparent interception of connections redirected by iptables/nftables (REDIRECT: original destination",
            "from SO_ORIGINAL_DST) or diverted by TPROXY (--tproxy). TLS is decrypted with certificates forged by the",
            "plainsight CA; other TCP is relayed and captured as it is. Without an original destination, TLS is",
            "routed to its SNI on port 443. See the README for the iptables/nftables rules."
        })
final class TransparentCommand extends RelayCommand {
    @Mixin
    InterceptOptions intercept;

    @Option(names = "--tproxy", description = "Accept TPROXY-diverted connections (sets IP_TRANSPARENT; needs CAP_NET_ADMIN).")
    boolean tproxy;

    @Override
    String defaultListen() {
        return "127.0.0.1:8443";
    }

    @Override
    HostPort target() {
        return null;
    }

    @Override
    ProxySettings settings(HostPort listen, HostPort target, Duration idle) {
        return ProxySettings.forwarding(Mode.TRANSPARENT, listen, "plainsight", idle, intercept.policy(spec), null, tproxy);
    }

    @Override
    ProxyTls tls(Path home, HostPort target) {
        TlsOptions.warnIfInsecure(upstream, false);
        return DefaultProxyTls.forInterception(home, upstream.upstreamCa, upstream.upstreamInsecure);
    }

    @Override
    String describe(ProxySettings s) {
        return "transparent" + (s.tproxy() ? " (TPROXY)" : " (REDIRECT)");
    }

    @Override
    void stopped(ProxyTls tls) {
        InterceptOptions.logForgingStatistics(tls);
    }
}
