package io.plainsight.cli;

import io.plainsight.event.Sink;
import io.plainsight.sink.console.ConsoleSink;
import io.plainsight.sink.pcap.PcapDirSink;
import io.plainsight.sink.pcap.PcapFileSink;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.Rotation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the sinks the capture options ask for. */
final class Outputs {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private Outputs() {}

    static List<Sink> build(CaptureOptions o, Path home, PrintStream console) {
        List<Sink> sinks = new ArrayList<>();
        PcapOptions pcapOptions = PcapOptions.defaults().withMss(o.pcapMss);
        if (o.pcapPort != null) {
            pcapOptions = pcapOptions.withPcapPort(o.pcapPort);
        }
        boolean pcapToStdout = "-".equals(o.pcap);
        if (!o.noPcap) {
            if (o.pcap != null) {
                sinks.add(new PcapFileSink(o.pcap, pcapOptions));
                log.info("capturing decrypted traffic to {}", pcapToStdout ? "stdout" : Path.of(o.pcap).toAbsolutePath());
            }
            if (o.pcapDir != null || o.pcap == null) {
                Path dir = o.pcapDir != null ? o.pcapDir : home.resolve("captures");
                Rotation rotation = Rotation.parse(o.rotate);
                sinks.add(new PcapDirSink(dir, rotation, pcapOptions));
                log.info("capturing decrypted traffic to {} (new file every {})", dir.toAbsolutePath(), o.rotate);
            }
        }
        if (!o.quiet) {
            PrintStream out = pcapToStdout && console == System.out ? System.err : console;
            sinks.add(new ConsoleSink(out));
        }
        return sinks;
    }
}
