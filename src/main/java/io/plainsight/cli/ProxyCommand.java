package io.plainsight.cli;

import io.plainsight.event.Mode;
import io.plainsight.proxy.DefaultProxyTls;
import io.plainsight.proxy.HostPort;
import io.plainsight.proxy.ProxyAuth;
import io.plainsight.proxy.ProxySettings;
import io.plainsight.proxy.ProxyTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code plainsight proxy}: explicit forward proxy (HTTP, CONNECT, SOCKS5/4a) decrypting TLS with forged certificates. */
@Command(name = "proxy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Forward proxy on one port: HTTP proxy requests, CONNECT and SOCKS5/SOCKS4a. TLS inside tunnels is",
            "decrypted with certificates forged by the plainsight CA (copying the server's names); the CA is at",
            "HOME/ca.pem, and http://plainsight/ through the proxy serves it with install steps."
        })
final class ProxyCommand extends RelayCommand {
    @Option(names = "--proxy-auth", paramLabel = "USER:PASSWORD",
            description = "Require these credentials (HTTP Basic proxy auth, SOCKS5 username/password). "
                    + "Prefer --proxy-auth-file or env PLAINSIGHT_PROXY_AUTH: the command line is visible to other users.")
    String proxyAuth;

    @Option(names = "--proxy-auth-file", paramLabel = "FILE", description = "Read USER:PASSWORD from the first line of FILE.")
    Path proxyAuthFile;

    @Option(names = "--allow-remote",
            description = "Allow listening on a non-loopback address without --proxy-auth (an open proxy).")
    boolean allowRemote;

    @picocli.CommandLine.Mixin
    InterceptOptions intercept;

    @Override
    String defaultListen() {
        return "127.0.0.1:8080";
    }

    @Override
    HostPort target() {
        return null;
    }

    @Override
    void validate(HostPort listenAt) {
        if (auth() == null && !allowRemote && !isLoopback(listenAt.host())) {
            throw new ParameterException(spec.commandLine(), "--listen " + listenAt
                    + ": refusing to run an open proxy on a non-loopback address (anyone who reaches it could use it and"
                    + " read through it); give --proxy-auth/--proxy-auth-file, or --allow-remote if you mean it");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private ProxyAuth auth() {
        try {
            if (proxyAuth != null) {
                return ProxyAuth.parse("--proxy-auth", proxyAuth);
            }
            if (proxyAuthFile != null) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(proxyAuthFile, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalArgumentException("--proxy-auth-file " + proxyAuthFile + ": cannot read: " + e.getMessage());
                }
                return ProxyAuth.parse("--proxy-auth-file " + proxyAuthFile, lines.isEmpty() ? "" : lines.get(0));
            }
            String env = System.getenv("PLAINSIGHT_PROXY_AUTH");
            return env == null || env.isBlank() ? null : ProxyAuth.parse("PLAINSIGHT_PROXY_AUTH", env);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    ProxySettings settings(HostPort listen, HostPort target, Duration idle) {
        return ProxySettings.forwarding(Mode.PROXY, listen, "plainsight", idle, intercept.policy(spec), auth(), false);
    }

    @Override
    ProxyTls tls(Path home, HostPort target) {
        TlsOptions.warnIfInsecure(upstream, false);
        return DefaultProxyTls.forInterception(home, upstream.upstreamCa, upstream.upstreamInsecure);
    }

    @Override
    String describe(ProxySettings s) {
        return "proxy (HTTP, CONNECT, SOCKS5/4a" + (s.auth() != null ? ", authentication required" : "") + ")";
    }

    @Override
    void stopped(ProxyTls tls) {
        InterceptOptions.logForgingStatistics(tls);
    }
}
