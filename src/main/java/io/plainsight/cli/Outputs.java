package io.plainsight.cli;

import io.plainsight.event.Sink;
import io.plainsight.sink.console.ConsoleSink;
import io.plainsight.sink.pcap.PcapDirSink;
import io.plainsight.sink.pcap.PcapFileSink;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.PcapSink;
import io.plainsight.sink.pcap.Rotation;
import io.plainsight.sink.pcapoverip.PcapOverIpSettings;
import io.plainsight.sink.pcapoverip.PcapOverIpSink;
import java.net.InetSocketAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.plainsight.http.DecodeOptions;
import io.plainsight.sink.console.ExchangeConsole;
import io.plainsight.sink.exchange.ExchangeFilters;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.ExchangeSink;
import io.plainsight.sink.exchange.HttpDecoders;
import io.plainsight.sink.exchange.OutputFile;
import io.plainsight.sink.auditlog.AuditLogOutput;
import io.plainsight.sink.auditlog.AuditLogSettings;
import io.plainsight.sink.har.HarOutput;
import io.plainsight.sink.jsonl.FlowLogOutput;
import io.plainsight.sink.connlog.ConnectionLogSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the sinks the capture options ask for. */
final class Outputs {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private Outputs() {}

    /** The sinks of {@code plainsight decrypt} (offline connections). */
    static List<Sink> forDecrypt(CaptureOptions o, Path home, PrintStream console) {
        return build(o, home, console, null, true);
    }

    /** The sinks of a live mode; {@code metricsOutput}: the HTTP metrics of --metrics, or null. */
    static List<Sink> build(CaptureOptions o, Path home, PrintStream console, ExchangeOutput metricsOutput) {
        return build(o, home, console, metricsOutput, false);
    }

    private static List<Sink> build(CaptureOptions o, Path home, PrintStream console, ExchangeOutput metricsOutput,
            boolean offline) {
        AuditLogSettings audit = o.auditLogSettings(); // bad values stop start-up before any output opens
        io.plainsight.policy.LiveRules rules = o.liveRules(); // so does a bad rules file
        PcapOverIpSettings pcapOverIp = PcapOverIpAddresses.settings(o.pcapOverIp, o.pcapOverIpConnect,
                o.pcapOverIpLossless, o.pcapOverIpBuffer); // and bad PCAP-over-IP options
        List<Sink> sinks = new ArrayList<>();
        io.plainsight.sink.pcapng.PcapngSink pcapng = null;
        PcapOptions pcapOptions = PcapOptions.defaults().withMss(o.pcapMss);
        if (o.pcapPort != null) {
            pcapOptions = pcapOptions.withPcapPort(o.pcapPort);
        }
        if (o.pcapng != null) {
            boolean dir = io.plainsight.sink.pcapng.PcapngSink.namesDirectory(o.pcapng);
            pcapng = io.plainsight.sink.pcapng.PcapngSink.open(o.pcapng, dir ? Rotation.parse(o.rotate) : null,
                    o.pcapngEncrypted, pcapOptions, "plainsight " + Version.get());
            sinks.add(pcapng);
            log.info("writing PCAPNG ({}) to {}{}", o.pcapngEncrypted ? "decrypted streams, the encrypted packets and "
                    + "their keys" : "decrypted streams", Path.of(o.pcapng).toAbsolutePath(), dir ? " (new file every " + o.rotate + ")" : "");
        } else if (o.pcapngEncrypted) {
            throw new IllegalArgumentException("--pcapng-encrypted needs --pcapng FILE|DIR/");
        }
        boolean pcapToStdout = "-".equals(o.pcap);
        if (!o.noPcap) {
            if (o.pcap != null) {
                sinks.add(new PcapFileSink(o.pcap, pcapOptions));
                log.info("capturing decrypted traffic to {}", pcapToStdout ? "stdout" : Path.of(o.pcap).toAbsolutePath());
            }
            if (o.pcapDir != null || o.pcap == null && o.pcapng == null) {
                Path dir = o.pcapDir != null ? o.pcapDir : home.resolve("captures");
                Rotation rotation = Rotation.parse(o.rotate);
                sinks.add(new PcapDirSink(dir, rotation, pcapOptions));
                log.info("capturing decrypted traffic to {} (new file every {})", dir.toAbsolutePath(), o.rotate);
            }
        }
        // an output written to stdout ('-') keeps it to itself: console lines then go to stderr
        boolean stdoutTaken = java.util.stream.Stream.of(o.pcap, o.connections, o.flows, o.auditLog, o.har)
                .anyMatch("-"::equals);
        PrintStream out = stdoutTaken && console == System.out ? System.err : console;
        if (!o.quiet) {
            sinks.add(new ConsoleSink(out));
        }
        if (o.connections != null) {
            OutputFile f = new OutputFile(o.connections, "connection log");
            sinks.add(new ConnectionLogSink(f));
            log.info("writing the connection log (JSON lines, one per connection) to {}", f.describe());
        }
        List<ExchangeOutput> exchangeOutputs = new ArrayList<>();
        int maxBody = o.maxBodyBytes();
        if (o.har != null) {
            OutputFile f = new OutputFile(o.har, "HAR");
            exchangeOutputs.add(new HarOutput(f, maxBody));
            log.info("writing HTTP exchanges as HAR to {}", f.describe());
        }
        if (o.flows != null) {
            OutputFile f = new OutputFile(o.flows, "flow log");
            exchangeOutputs.add(new FlowLogOutput(f, maxBody));
            log.info("writing the flow log (JSON lines) to {}", f.describe());
        }
        if (audit != null) {
            exchangeOutputs.add(AuditLogOutput.open(audit, o.auditLog, maxBody));
            log.info("writing the audit log (ModSecurity {}, parts {}, engine {}) to {}{}",
                    audit.format() == io.plainsight.sink.auditlog.AuditFormat.JSON ? "JSON" : "native serial", audit.parts(),
                    audit.engine() == io.plainsight.sink.auditlog.AuditEngine.ON ? "On" : "RelevantOnly",
                    "-".equals(o.auditLog) ? "stdout" : Path.of(o.auditLog).toAbsolutePath(),
                    audit.storageDir() == null ? "" : " with entries under " + audit.storageDir().toAbsolutePath());
        }
        if (!o.quiet) {
            exchangeOutputs.add(new ExchangeConsole(out, o.verbose));
        }
        if (metricsOutput != null) {
            // --metrics: the HTTP metrics ride the exchange sink's decoding when every exchange reaches
            // it; with a --filter, or without another exchange output, a decoding of their own (heads only)
            if (o.filter == null && !exchangeOutputs.isEmpty()) {
                exchangeOutputs.add(metricsOutput);
            } else {
                sinks.add(new io.plainsight.sink.metrics.NamedSink("metrics-http", new ExchangeSink(
                        new HttpDecoders(new DecodeOptions(0, DecodeOptions.defaults().maxHead())),
                        List.of(metricsOutput), (c, e) -> true)));
            }
        }
        if (!exchangeOutputs.isEmpty()) {
            DecodeOptions decode = new DecodeOptions(maxBody, DecodeOptions.defaults().maxHead());
            sinks.add(new ExchangeSink(new HttpDecoders(decode), exchangeOutputs, ExchangeFilters.parse(o.filter),
                    rules == null ? null : new io.plainsight.sink.exchange.ExchangeRules(rules)));
        }
        // beside a PCAPNG file the PCAP files get its decrypted frames, copied on its thread rather
        // than made again on a thread of their own; not in decrypt with the encrypted packets, where
        // the PCAPNG's decrypted streams may get another port (beside their original packets)
        List<PcapSink> pcaps = sinks.stream().filter(PcapSink.class::isInstance).map(PcapSink.class::cast).toList();
        boolean pcapngLeads = pcapng != null && !(offline && o.pcapngEncrypted);
        if (pcapngLeads) {
            for (PcapSink pcap : pcaps) {
                sinks.remove(pcap);
                pcapng.follow(pcap);
            }
        }
        if (pcapOverIp != null) {
            PcapOverIpSink poip = PcapOverIpSink.start(pcapOverIp, pcapOptions, "--pcap-over-ip");
            // the PCAP output's frames are the stream's (or the PCAPNG's decrypted ones): copied on
            // its thread rather than made again on a thread of their own. Not when lossless: a slow
            // reader would then hold up that output too, and under --overflow drop cost it events
            if (pcapOverIp.lossless()) {
                sinks.add(poip);
            } else if (!pcaps.isEmpty()) {
                pcaps.get(0).follow(poip);
            } else if (pcapngLeads) {
                pcapng.follow(poip);
            } else {
                sinks.add(poip);
            }
            for (InetSocketAddress target : pcapOverIp.connect()) {
                log.info("pushing the decrypted PCAP stream to {}{}", io.plainsight.sink.console.ConsoleFormat.address(target),
                        pcapOverIp.lossless() ? " (lossless: a slow listener slows the traffic)" : "");
            }
        }
        return sinks;
    }
}
