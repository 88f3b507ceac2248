package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture of resources offline/capture/fixtures (see its README.md) read segment by segment
 * against tshark's view of it (truth/*.tshark.tsv): packet numbers, 4-tuples, sequence and
 * acknowledgment numbers, flags, window, captured payload (length and hash) and timestamp.
 */
class FixturesAgreeWithTsharkTest {
    static List<String> fixtures() {
        return List.of("ethernet-vlan.pcap", "nanos-big-endian.pcap", "nanos-editcap.pcap", "sll.pcap", "sll2.pcap",
                "sll2-tcpdump.pcap", "null-le.pcap", "null-be.pcap", "loop.pcap", "raw.pcap", "ipv4.pcap", "ipv6.pcap",
                "snaplen-80.pcap", "ipv6-extension-headers.pcap", "ipv6-extension-headers.pcap.gz", "ipv4-fragments.pcap",
                "linktype-147.pcap", "interfaces-le.pcapng", "interfaces-be.pcapng", "two-sections.pcapng",
                "raw-dsb-editcap.pcapng", "multi-if-dumpcap.pcapng");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void segmentsAreTsharks(String fixture) throws IOException {
        Truth truth = Truth.load("truth/" + fixture.replaceFirst("\\.gz$", "") + ".tshark.tsv");
        Recorder r = new Recorder();
        long packets;
        try (CaptureReader reader = CaptureReader.open(new java.io.ByteArrayInputStream(
                TestCaptures.resource("fixtures/" + fixture)), fixture)) {
            packets = reader.readAll(r);
        }
        assertThat(packets).isEqualTo(truth.frames());
        assertThat(withoutTimestampsTsharkLacks(r.segments, truth.segments())).containsExactlyElementsOf(truth.segments());
    }

    /**
     * tshark shows no time for a pcapng simple packet block (truth "-"); the reader gives it the
     * last timestamp seen. Those columns are set to "-" before comparing.
     */
    static List<String> withoutTimestampsTsharkLacks(List<String> ours, List<String> truth) {
        List<String> out = new ArrayList<>(ours);
        for (int i = 0; i < Math.min(ours.size(), truth.size()); i++) {
            if (truth.get(i).endsWith("\t-")) {
                out.set(i, ours.get(i).substring(0, ours.get(i).lastIndexOf('\t')) + "\t-");
            }
        }
        return out;
    }
}
