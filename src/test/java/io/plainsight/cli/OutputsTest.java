package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Sink;
import io.plainsight.sink.pcap.PcapSink;
import io.plainsight.sink.pcapng.PcapngSink;
import io.plainsight.sink.pcapoverip.PcapOverIpSink;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Which sinks get a bus queue of their own and which take their frames from another's synthesis:
 * the PCAP files follow the PCAPNG sink (same frames), PCAP-over-IP the first PCAP sink (or the
 * PCAPNG sink), except where the frames differ or a slow reader must not hold the others up.
 */
class OutputsTest {
    @TempDir Path tmp;
    final List<Sink> opened = new ArrayList<>();
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static class Holder {
        @CommandLine.Mixin
        CaptureOptions capture;
    }

    List<Sink> sinks(boolean decrypt, String... args) {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        List<Sink> sinks = decrypt ? Outputs.forDecrypt(h.capture, tmp, QUIET) : Outputs.build(h.capture, tmp, QUIET, null);
        opened.addAll(sinks);
        return sinks;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Sink s : opened) {
            s.close();
        }
    }

    static List<String> names(List<Sink> sinks) {
        return sinks.stream().map(Sink::name).toList();
    }

    @Test
    void pcapFilesFollowThePcapngAndPcapOverIpTheFirstPcapFile() {
        List<Sink> sinks = sinks(false, "-q", "--pcapng", tmp.resolve("a.pcapng").toString(), "--pcapng-encrypted",
                "--pcap", tmp.resolve("a.pcap").toString(), "--pcap-dir", tmp.resolve("dir").toString(),
                "--pcap-over-ip", "127.0.0.1:0");
        assertThat(names(sinks)).containsExactly("pcapng");
        PcapngSink pcapng = (PcapngSink) sinks.get(0);
        assertThat(pcapng.followers()).extracting(f -> ((Sink) f).name()).containsExactly("pcap", "pcap-dir");
        PcapSink first = (PcapSink) pcapng.followers().get(0);
        assertThat(first.followers()).singleElement().isInstanceOf(PcapOverIpSink.class);
    }

    @Test
    void withoutAPcapFilePcapOverIpFollowsThePcapng() {
        List<Sink> sinks = sinks(false, "-q", "--pcapng", tmp.resolve("a.pcapng").toString(), "--pcap-over-ip", "127.0.0.1:0");
        assertThat(names(sinks)).containsExactly("pcapng");
        assertThat(((PcapngSink) sinks.get(0)).followers()).singleElement().isInstanceOf(PcapOverIpSink.class);
    }

    @Test
    void losslessPcapOverIpKeepsItsOwnQueue() {
        List<Sink> sinks = sinks(false, "-q", "--pcap", tmp.resolve("a.pcap").toString(), "--pcap-over-ip", "127.0.0.1:0",
                "--pcap-over-ip-lossless");
        assertThat(names(sinks)).containsExactly("pcap", "pcap-over-ip");
        assertThat(((PcapSink) sinks.get(0)).followers()).isEmpty();
    }

    @Test
    void decryptWithTheEncryptedPacketsKeepsThePcapOnItsOwn() {
        // there the PCAPNG's decrypted streams may take port 9 beside their original packets
        List<Sink> sinks = sinks(true, "-q", "--pcapng", tmp.resolve("a.pcapng").toString(), "--pcapng-encrypted",
                "--pcap", tmp.resolve("a.pcap").toString(), "--pcap-over-ip", "127.0.0.1:0");
        assertThat(names(sinks)).containsExactly("pcapng", "pcap");
        assertThat(((PcapngSink) sinks.get(0)).followers()).isEmpty();
        assertThat(((PcapSink) sinks.get(1)).followers()).singleElement().isInstanceOf(PcapOverIpSink.class);

        List<Sink> plain = sinks(true, "-q", "--pcapng", tmp.resolve("b.pcapng").toString(),
                "--pcap", tmp.resolve("b.pcap").toString());
        assertThat(names(plain)).containsExactly("pcapng");
    }

    @Test
    void noPcapAndNoPcapngLeavesPcapOverIpOnItsOwn() {
        assertThat(names(sinks(false, "-q", "--no-pcap", "--pcap-over-ip", "127.0.0.1:0"))).containsExactly("pcap-over-ip");
    }
}
