package io.plainsight.cli;

import io.plainsight.proxy.DefaultProxyTls;
import io.plainsight.proxy.InterceptPolicy;
import io.plainsight.proxy.ProxyTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Which intercepted hosts are decrypted (proxy and transparent modes). */
public final class InterceptOptions {
    @Option(names = "--ignore-hosts", paramLabel = "REGEX",
            description = "Relay connections whose host:port (CONNECT/SOCKS target, original destination or SNI) matches, "
                    + "without decrypting (connection metadata only). Case-insensitive, unanchored. Repeatable.")
    List<String> ignoreHosts = new ArrayList<>();

    @Option(names = "--fail-open", paramLabel = "N:SECONDS",
            description = "When clients reject our certificate for one host N times (pinning, unknown CA), relay that "
                    + "host without decryption for SECONDS.")
    String failOpen;

    InterceptPolicy policy(CommandSpec spec) {
        List<Pattern> patterns = new ArrayList<>();
        for (String r : ignoreHosts) {
            try {
                patterns.add(Pattern.compile(r, Pattern.CASE_INSENSITIVE));
            } catch (PatternSyntaxException e) {
                throw new ParameterException(spec.commandLine(), "--ignore-hosts '" + r + "': " + e.getDescription());
            }
        }
        int after = 0;
        Duration forHow = Duration.ZERO;
        if (failOpen != null) {
            String[] parts = failOpen.split(":");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                after = Integer.parseInt(parts[0].trim());
                forHow = Duration.ofSeconds(Long.parseLong(parts[1].trim()));
                if (after < 1 || forHow.toSeconds() < 1) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--fail-open '" + failOpen
                        + "': expected N:SECONDS with N >= 1 and SECONDS >= 1, e.g. 3:600");
            }
        }
        return new InterceptPolicy(patterns, after, forHow, System::currentTimeMillis);
    }

    /** One line at shutdown: how many certificates were forged (and cache hits). */
    static void logForgingStatistics(ProxyTls tls) {
        if (tls instanceof DefaultProxyTls d) {
            LoggerFactory.getLogger("plainsight").info("forged certificates: {}, cache hits: {}", d.forged(), d.cacheHits());
        }
    }
}
