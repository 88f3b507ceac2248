package io.plainsight.cli;

import io.plainsight.event.OverflowPolicy;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where decrypted traffic goes: options common to every live mode. */
public final class CaptureOptions {
    @Option(names = "--pcap", paramLabel = "FILE", description = "Write the decrypted traffic to one PCAP file ('-' = stdout).")
    String pcap;

    @Option(names = "--pcap-dir", paramLabel = "DIR",
            description = "Write rotated PCAP files into DIR (default when no --pcap: HOME/captures).")
    Path pcapDir;

    @Option(names = "--rotate", paramLabel = "SPEC", defaultValue = "1h",
            description = "Rotation of --pcap-dir files: a period (1h, 15m, 30s) or a size (100MB, 1GB). Default: ${DEFAULT-VALUE}.")
    String rotate;

    @Option(names = "--pcap-mss", paramLabel = "BYTES", defaultValue = "1460",
            description = "Largest TCP segment written to the capture. Default: ${DEFAULT-VALUE}.")
    int pcapMss;

    @Option(names = "--pcap-port", paramLabel = "PORT",
            description = "Server port written to the capture (default: 80 for HTTP carried in TLS, else the real port).")
    Integer pcapPort;

    @Option(names = "--no-pcap", description = "Do not write PCAP at all.")
    boolean noPcap;

    @Option(names = "--overflow", paramLabel = "POLICY", defaultValue = "block",
            description = "When a capture output falls behind: 'block' slows the traffic (lossless), 'drop' drops and counts. Default: ${DEFAULT-VALUE}.")
    String overflow;

    @Option(names = {"-q", "--quiet"}, description = "No console lines (exchanges and connections).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Console: show request and response headers under each exchange.")
    boolean verbose;

    @Option(names = "--har", paramLabel = "FILE",
            description = "Write the HTTP exchanges as HAR 1.2 (valid JSON after every flush; '-' = stdout at exit).")
    String har;

    @Option(names = "--flows", paramLabel = "FILE",
            description = "Write one JSON line per HTTP exchange, WebSocket message and non-HTTP connection ('-' = stdout).")
    String flows;

    @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "1MiB",
            description = "Body bytes kept per message in the HAR and flow log (larger bodies are counted and marked truncated; "
                    + "the PCAP keeps everything). Default: ${DEFAULT-VALUE}.")
    String maxBody;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "Only exchanges (and connections) matching this Wireshark-style expression reach the HAR, flow log "
                    + "and console, e.g. 'http.response.code >= 500 || tls.sni contains \"api\"'.")
    String filter;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "Capture rules (YAML or the line format, see the README): per-exchange audit parts, sticky full "
                    + "capture of a client, redaction, capture/decrypt off per connection. Reloaded on SIGHUP.")
    Path rules;

    private io.plainsight.policy.LiveRules liveRules;

    /**
     * The rules of --rules, loaded once (null without --rules).
     *
     * @throws BadRulesException naming the file, the line and the problem
     */
    io.plainsight.policy.LiveRules liveRules() {
        if (rules == null) {
            return null;
        }
        if (liveRules == null) {
            try {
                liveRules = io.plainsight.policy.LiveRules.load(rules);
            } catch (io.plainsight.policy.RulesException e) {
                throw new BadRulesException("--rules " + e.getMessage(), e);
            }
            RulesReload.onHangup(liveRules);
        }
        return liveRules;
    }

    int maxBodyBytes() {
        long n = SizeOption.parse("--max-body", maxBody);
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("--max-body '" + maxBody + "': at most 2GiB");
        }
        return (int) n;
    }

    OverflowPolicy overflowPolicy() {
        return switch (overflow) {
            case "block" -> OverflowPolicy.BLOCK;
            case "drop" -> OverflowPolicy.DROP;
            default -> throw new IllegalArgumentException("--overflow '" + overflow + "': expected block or drop");
        };
    }
}
