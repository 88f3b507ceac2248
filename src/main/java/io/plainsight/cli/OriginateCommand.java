package io.plainsight.cli;

import io.plainsight.event.Mode;
import io.plainsight.proxy.DefaultProxyTls;
import io.plainsight.proxy.HostPort;
import io.plainsight.proxy.ProxySettings;
import io.plainsight.proxy.ProxyTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plainsight originate}: plaintext in, TLS out (stunnel's client mode), capturing the plaintext. */
@Command(name = "originate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "TLS origination: accept plaintext, connect to the backend over TLS, capture the plaintext.")
final class OriginateCommand extends RelayCommand {
    @Option(names = "--sni", paramLabel = "NAME", description = "SNI sent to the backend (default: the --connect host when it is a name).")
    String sni;

    @Option(names = "--alpn", paramLabel = "PROTO[,PROTO...]", split = ",",
            description = "ALPN protocols offered to the backend (default: none).")
    List<String> alpn = new ArrayList<>();

    @picocli.CommandLine.Mixin
    ConnectOption connect;

    @Override
    HostPort target() {
        return parse("--connect", connect.connect, false);
    }

    @Override
    ProxySettings settings(HostPort listen, HostPort target, java.time.Duration idle) {
        return new ProxySettings(Mode.ORIGINATE, listen, target, target.host(), sni, List.copyOf(alpn), idle);
    }

    @Override
    ProxyTls tls(Path home, HostPort target) {
        TlsOptions.warnIfInsecure(upstream, false);
        return DefaultProxyTls.forOriginate(upstream.upstreamCa, upstream.upstreamInsecure);
    }

    @Override
    String describe(ProxySettings s) {
        return "originate -> " + s.target() + " (TLS)";
    }
}
