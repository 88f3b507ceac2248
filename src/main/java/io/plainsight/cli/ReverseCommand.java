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

/** {@code plainsight reverse}: TLS termination in front of a server, re-encrypting (default) or not. */
@Command(name = "reverse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Reverse TLS proxy: decrypt the client's TLS, capture, and forward to the backend",
            "re-encrypted (default) or in plaintext (--terminate)."
        })
final class ReverseCommand extends RelayCommand {
    @Option(names = "--terminate", description = "Forward the decrypted bytes to the backend in plaintext.")
    boolean terminate;

    @Option(names = "--server-cert", paramLabel = "DOMAINS:FILE",
            description = "Present this certificate (PKCS#12, or PEM with chain and key) for these SNI names "
                    + "(comma-separated, wildcards, '*' for any). Repeatable. Otherwise certificates are forged by the plainsight CA.")
    List<String> serverCerts = new ArrayList<>();

    @Option(names = "--server-cert-password-file", paramLabel = "FILE",
            description = "Password of the --server-cert files (else env PLAINSIGHT_CERT_PASSWORD).")
    Path serverCertPasswordFile;

    @Option(names = "--sni-default", paramLabel = "NAME",
            description = "Certificate name for clients that send no SNI (default: the --connect host).")
    String sniDefault;

    @Option(names = "--alpn", paramLabel = "PROTO[,PROTO...]", split = ",", defaultValue = "http/1.1",
            description = "--terminate only: ALPN protocols offered to clients, in preference order. Default: ${DEFAULT-VALUE}.")
    List<String> alpn;

    @picocli.CommandLine.Mixin
    ConnectOption connect;

    @Override
    HostPort target() {
        return parse("--connect", connect.connect, false);
    }

    @Override
    ProxySettings settings(HostPort listen, HostPort target, java.time.Duration idle) {
        return new ProxySettings(terminate ? Mode.TERMINATE : Mode.REVERSE, listen, target,
                sniDefault != null ? sniDefault : target.host(), null, List.copyOf(alpn), idle);
    }

    @Override
    ProxyTls tls(Path home, HostPort target) {
        TlsOptions.warnIfInsecure(upstream, terminate);
        return DefaultProxyTls.forReverse(home, upstream.upstreamCa, upstream.upstreamInsecure,
                TlsOptions.serverCertificates(serverCerts, serverCertPasswordFile));
    }

    @Override
    String describe(ProxySettings s) {
        return (terminate ? "terminate" : "reverse") + " -> " + s.target() + (terminate ? " (plaintext)" : " (TLS)");
    }
}
