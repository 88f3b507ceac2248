package io.plainsight.cli;

import io.plainsight.event.CaptureBus;
import io.plainsight.event.OverflowPolicy;
import io.plainsight.sink.auditlog.AuditEngine;
import io.plainsight.sink.auditlog.AuditFormat;
import io.plainsight.sink.auditlog.AuditLogSettings;
import io.plainsight.sink.auditlog.AuditParts;
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

    @Option(names = "--capture-queue", paramLabel = "SIZE", defaultValue = DEFAULT_QUEUE,
            description = "How much captured data each output may have waiting, 1MiB to 1GiB: more rides out a slow or stalling "
                    + "disk before --overflow applies (block: the traffic waits; drop). Default: ${DEFAULT-VALUE}.")
    String captureQueue;

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
            description = "Body bytes kept per message in the HAR, the flow log and the audit log's C, E, I and J parts "
                    + "(larger bodies are counted and marked truncated; the PCAP keeps everything). Default: ${DEFAULT-VALUE}.")
    String maxBody;

    @Option(names = "--audit-log", paramLabel = "FILE",
            description = "Write a ModSecurity-compatible audit log (ModSecurity 2.9 serial format; appended to; '-' = stdout). "
                    + "With --audit-storage-dir it holds the index lines.")
    String auditLog;

    @Option(names = "--audit-parts", paramLabel = "PARTS",
            description = "Audit log parts, ModSecurity letters: A header, B request headers, C request body, "
                    + "I request body without uploaded files, F response headers, E response body, H trailer, "
                    + "J uploaded files, K matched rules, Z end (A and Z always). Default: ABCFHZ.")
    String auditParts;

    @Option(names = "--audit-engine", paramLabel = "MODE",
            description = "On: log every exchange; RelevantOnly: only those a rule matched or whose status matches "
                    + "--audit-relevant-status. Default: On.")
    String auditEngine;

    @Option(names = "--audit-relevant-status", paramLabel = "REGEX",
            description = "RelevantOnly: response statuses to log (regular expression searched in the code). "
                    + "Default: " + AuditLogSettings.DEFAULT_RELEVANT_STATUS + " (5xx, and 4xx but 404).")
    String auditRelevantStatus;

    @Option(names = "--audit-format", paramLabel = "FORMAT",
            description = "native (ModSecurity 2.9 serial) or json (libmodsecurity 3, one object per line). Default: native.")
    String auditFormat;

    @Option(names = "--audit-storage-dir", paramLabel = "DIR",
            description = "Concurrent layout: one file per entry under DIR/YYYYMMDD/YYYYMMDD-HHMM/, and a ModSecurity index "
                    + "line with the entry's md5 appended to --audit-log.")
    Path auditStorageDir;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "Only exchanges (and connections) matching this Wireshark-style expression reach the HAR, flow log, "
                    + "audit log and console, e.g. 'http.response.code >= 500 || tls.sni contains \"api\"'.")
    String filter;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "Capture rules (YAML or the line format, see the README): per-exchange audit parts, sticky full "
                    + "capture of a client, redaction, capture/decrypt off per connection. Reloaded on SIGHUP.")
    Path rules;

    @Option(names = "--pcap-over-ip", paramLabel = "[IP:]PORT",
            description = "Serve the decrypted PCAP stream live to every reader that connects here (a bare port listens on "
                    + "127.0.0.1), e.g. 'nc 127.0.0.1 57012 | tshark -r -'. A reader more than --pcap-over-ip-buffer behind is dropped.")
    String pcapOverIp;

    @Option(names = "--pcap-over-ip-connect", paramLabel = "HOST:PORT",
            description = "Push the decrypted PCAP stream to a listener here (repeatable); reconnects after 1s, doubling up to 30s.")
    java.util.List<String> pcapOverIpConnect;

    @Option(names = "--pcap-over-ip-lossless",
            description = "PCAP-over-IP: wait for a slow reader instead of dropping it. This slows the traffic down to the "
                    + "slowest reader (with --overflow block, the default).")
    boolean pcapOverIpLossless;

    @Option(names = "--pcap-over-ip-buffer", paramLabel = "SIZE", defaultValue = PcapOverIpAddresses.DEFAULT_BUFFER,
            description = "PCAP-over-IP: how far a reader may fall behind before it is dropped (or, lossless, waited for), "
                    + "256KiB to 1GiB. Default: ${DEFAULT-VALUE}.")
    String pcapOverIpBuffer;

    @Option(names = "--pcapng", paramLabel = "FILE|DIR/",
            description = "Also write PCAPNG: the decrypted streams as in the PCAP output, one interface per mode and listener, "
                    + "a comment with the connection id and SNI on each connection's first packet. A directory (existing, or "
                    + "ending in /) gets rotated files (--rotate). Replaces the default PCAP directory.")
    String pcapng;

    @Option(names = "--pcapng-encrypted",
            description = "With --pcapng: add the encrypted packets (live modes: both legs as they were on the wire; decrypt: "
                    + "the input's own packets) on interfaces of their own, and their TLS keys as Decryption Secrets Blocks: "
                    + "Wireshark decrypts them with no options.")
    boolean pcapngEncrypted;

    @Option(names = "--connections", paramLabel = "FILE",
            description = "Write one JSON line per connection when it closes ('-' = stdout): times, addresses, SNI, TLS of "
                    + "each leg with certificate SHA-256 and subject, JA3/JA4 of the client, JA3S/JA4S of the server, "
                    + "bytes and packets each way, how it ended.")
    String connections;

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

    /** The audit log's settings, or null without --audit-log; bad values name their option. */
    AuditLogSettings auditLogSettings() {
        if (auditLog == null) {
            String[][] given = {{"--audit-parts", auditParts}, {"--audit-engine", auditEngine},
                {"--audit-relevant-status", auditRelevantStatus}, {"--audit-format", auditFormat},
                {"--audit-storage-dir", auditStorageDir == null ? null : auditStorageDir.toString()}};
            for (String[] g : given) {
                if (g[1] != null) {
                    throw new IllegalArgumentException(g[0] + " needs --audit-log FILE");
                }
            }
            return null;
        }
        AuditLogSettings s = AuditLogSettings.defaults();
        if (auditParts != null) {
            s = s.withParts(named("--audit-parts", () -> {
                try {
                    return AuditParts.parse(auditParts);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + auditParts + "': " + e.getMessage(), e);
                }
            }));
        }
        s = s.withEngine(auditEngine == null ? s.engine() : named("--audit-engine", () -> AuditEngine.parse(auditEngine)));
        if (auditRelevantStatus != null) {
            s = s.withRelevantStatus(named("--audit-relevant-status", () -> AuditLogSettings.relevantStatus(auditRelevantStatus)));
        }
        s = s.withFormat(auditFormat == null ? s.format() : named("--audit-format", () -> AuditFormat.parse(auditFormat)));
        if (auditStorageDir != null) {
            if ("-".equals(auditLog)) {
                throw new IllegalArgumentException("--audit-storage-dir: the index lines need a file; --audit-log is stdout");
            }
            s = s.withStorageDir(auditStorageDir);
        }
        return s;
    }

    /** The value {@code parse} gives; its IllegalArgumentException ("'x': expected ...") prefixed with the option. */
    private static <T> T named(String option, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage(), e);
        }
    }

    /** The default of --capture-queue, as written in its option: {@link CaptureBus#DEFAULT_QUEUE_BYTES}. */
    static final String DEFAULT_QUEUE = "8MiB";

    /** The byte budget of each output's queue (--capture-queue). */
    long queueBytes() {
        long bytes = SizeOption.parse("--capture-queue", captureQueue);
        if (bytes < MIN_QUEUE || bytes > MAX_QUEUE) {
            throw new IllegalArgumentException("--capture-queue '" + captureQueue + "': expected 1MiB to 1GiB");
        }
        return bytes;
    }

    static final long MIN_QUEUE = 1L << 20;
    static final long MAX_QUEUE = 1L << 30;

    /** Checks the options the capture bus takes (before any output is opened): a bad value names its option. */
    void checkBusOptions() {
        overflowPolicy();
        queueBytes();
    }

    OverflowPolicy overflowPolicy() {
        return switch (overflow) {
            case "block" -> OverflowPolicy.BLOCK;
            case "drop" -> OverflowPolicy.DROP;
            default -> throw new IllegalArgumentException("--overflow '" + overflow + "': expected block or drop");
        };
    }
}
