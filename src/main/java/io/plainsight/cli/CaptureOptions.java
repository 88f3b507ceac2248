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

    @Option(names = {"-q", "--quiet"}, description = "No console line per connection.")
    boolean quiet;

    OverflowPolicy overflowPolicy() {
        return switch (overflow) {
            case "block" -> OverflowPolicy.BLOCK;
            case "drop" -> OverflowPolicy.DROP;
            default -> throw new IllegalArgumentException("--overflow '" + overflow + "': expected block or drop");
        };
    }
}
