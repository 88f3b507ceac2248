package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the reader says besides segments, fixture by fixture: skipped packets and their reasons,
 * warnings, secrets and where they stand, truncation flags, formats. (The segments themselves are
 * compared with tshark in {@link FixturesAgreeWithTsharkTest}.)
 */
class FixtureEventsTest {
    static final String W = "warning ";

    static Recorder read(String fixture) throws IOException {
        return TestCaptures.read(TestCaptures.resource("fixtures/" + fixture), fixture);
    }

    static List<String> notSegments(Recorder r) {
        return r.events.stream().filter(e -> !e.startsWith("segment ")).toList();
    }

    static String format(String fixture) throws IOException {
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(TestCaptures.resource("fixtures/" + fixture)),
                fixture)) {
            reader.readAll(new Recorder());
            return reader.format();
        }
    }

    @Test
    void ethernetSkipsArpAndUdpAndSeesThroughVlanTags() throws IOException {
        Recorder r = read("ethernet-vlan.pcap");
        assertThat(notSegments(r)).containsExactly("skipped 4 not IP: ARP (ethertype 0x0806)",
                "skipped 5 not TCP: UDP (IP protocol 17)");
        // the tagged frames 6 (802.1Q), 7 (QinQ) and 8 (two 0x9100 tags) carry the request, response and FIN
        assertThat(r.payloadText(3)).startsWith("GET /fixture HTTP/1.1\r\n");
        assertThat(r.segmentRecords.get(3).packetNumber()).isEqualTo(6);
        assertThat(r.payloadText(4)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("hello, world");
        assertThat(r.segmentRecords.get(5).flags()).isEqualTo(TcpSegment.FIN | TcpSegment.ACK);
        assertThat(format("ethernet-vlan.pcap")).isEqualTo("pcap (microsecond timestamps, little-endian, Ethernet)");
    }

    @Test
    void nanosecondTimestampsAreRoundedDownToMicroseconds() throws IOException {
        Recorder r = read("nanos-big-endian.pcap");
        // written as T0 + i * 1250 us + i * 111 ns
        assertThat(r.segmentRecords).extracting(TcpSegment::timestampMicros).containsExactly(1_700_000_000_000_000L,
                1_700_000_000_001_250L, 1_700_000_000_002_500L, 1_700_000_000_003_750L, 1_700_000_000_005_000L,
                1_700_000_000_006_250L, 1_700_000_000_007_500L, 1_700_000_000_008_750L);
        assertThat(notSegments(r)).isEmpty();
        assertThat(format("nanos-big-endian.pcap")).isEqualTo("pcap (nanosecond timestamps, big-endian, Ethernet)");
        assertThat(format("nanos-editcap.pcap")).isEqualTo("pcap (nanosecond timestamps, little-endian, Ethernet)");
    }

    @Test
    void loopbackFamiliesInBothByteOrders() throws IOException {
        for (String f : List.of("null-le.pcap", "null-be.pcap", "loop.pcap")) {
            Recorder r = read(f);
            assertThat(r.segments).as(f).hasSize(16);
            assertThat(r.segmentRecords.get(8).src()).as(f).isInstanceOf(Inet6Address.class);
            assertThat(notSegments(r)).as(f).containsExactly("skipped 17 loopback address family is not IPv4 or IPv6");
        }
    }

    @Test
    void linuxCookedCapturesV1AndV2() throws IOException {
        for (String f : List.of("sll.pcap", "sll2.pcap")) {
            Recorder r = read(f);
            assertThat(r.segments).as(f).hasSize(16);
            assertThat(notSegments(r)).as(f).containsExactly("skipped 17 not TCP: UDP (IP protocol 17)");
        }
        assertThat(format("sll2-tcpdump.pcap")).isEqualTo("pcap (microsecond timestamps, little-endian, Linux cooked v2 (SLL2))");
        Recorder real = read("sll2-tcpdump.pcap");
        assertThat(notSegments(real)).isEmpty();
        assertThat(real.payloads.stream().map(p -> new String(p, StandardCharsets.ISO_8859_1)))
                .filteredOn(p -> p.equals("hello from a real capture\n")).hasSize(2); // over IPv4 and over IPv6
    }

    @Test
    void snaplenCutPayloadsAreMarkedTruncatedAndHeadersCutAreSkipped() throws IOException {
        Recorder r = read("snaplen-80.pcap");
        assertThat(notSegments(r)).containsExactly(
                W + "snaplen-80.pcap: packet 4 at byte offset 250 is cut by the snaplen (80 of 98 bytes captured);"
                        + " segments of such packets are marked truncated, or skipped when the cut falls inside their"
                        + " headers (said once per file)",
                "skipped 17 cut short (snaplen or end of file) inside the IP headers");
        assertThat(r.events).filteredOn(e -> e.endsWith(" truncated"))
                .containsExactly("segment 4 truncated", "segment 5 truncated", "segment 12 truncated", "segment 13 truncated");
        // frames 9 and 10: SYNs whose options are cut; delivered, nothing missing from their (empty) payload
        assertThat(r.segmentRecords.get(8).packetNumber()).isEqualTo(9);
        assertThat(r.segmentRecords.get(8).flags()).isEqualTo(TcpSegment.SYN);
        assertThat(r.segmentRecords.get(8).truncated()).isFalse();
        // 80 - 14 (Ethernet) - 20 (IPv4) - 20 (TCP) = 26 bytes of the request
        assertThat(r.payloadText(3)).isEqualTo("GET /fixture HTTP/1.1\r\nHos");
    }

    @Test
    void ipv6ExtensionHeadersAndFragments() throws IOException {
        for (String f : List.of("ipv6-extension-headers.pcap", "ipv6-extension-headers.pcap.gz")) {
            Recorder r = read(f);
            assertThat(notSegments(r)).as(f).containsExactly("skipped 8 not TCP: UDP (IP protocol 17)",
                    "skipped 9 IPv6 with no next header (59)");
            assertThat(r.segmentRecords).extracting(TcpSegment::packetNumber).containsExactly(1L, 2L, 3L, 4L, 6L, 7L);
            assertThat(r.payloadText(3)).isEqualTo("through AH\n");
            byte[] expected = new byte[1200];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (byte) (i * 7);
            }
            assertThat(r.payloads.get(4)).isEqualTo(expected);
            assertThat(r.segmentRecords.get(4).seq()).isEqualTo(7012);
        }
    }

    @Test
    void ipv4FragmentsInOrderOutOfOrderOverlappingAndIncomplete() throws IOException {
        Recorder r = read("ipv4-fragments.pcap");
        assertThat(r.segmentRecords).extracting(TcpSegment::packetNumber).containsExactly(1L, 4L, 7L, 9L, 13L);
        byte[] body = new byte[3000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 13);
        }
        assertThat(r.payloads.get(1)).isEqualTo(java.util.Arrays.copyOfRange(body, 0, 1500));
        assertThat(r.payloads.get(2)).isEqualTo(java.util.Arrays.copyOfRange(body, 1500, 3000));
        assertThat(r.payloadText(3)).isEqualTo("overlap".repeat(100));
        assertThat(notSegments(r)).containsExactly("skipped 10 not TCP: UDP (IP protocol 17)",
                "skipped 11 not TCP: UDP (IP protocol 17)",
                "skipped 12 IPv4 datagram 192.0.2.1 -> 198.51.100.7 id 0x105: 1 fragment (600 of ? bytes) dropped,"
                        + " incomplete at the end of the capture");
    }

    @Test
    void anUnsupportedLinkTypeIsAWarningAndItsPacketsAreSkipped() throws IOException {
        Recorder r = read("linktype-147.pcap");
        assertThat(r.events).containsExactly(
                W + "linktype-147.pcap: byte offset 20 (file header): link type 147 is not supported (supported:"
                        + " Ethernet 1, Linux SLL 113 and SLL2 276, raw IP 101/228/229, BSD loopback 0 and 108); its"
                        + " packets are skipped",
                "skipped 1 unsupported link type", "skipped 2 unsupported link type", "skipped 3 unsupported link type");
    }

    @Test
    void pcapngInterfacesBlocksAndSecretsWhereTheyStand() throws IOException {
        for (String f : List.of("interfaces-le.pcapng", "interfaces-be.pcapng")) {
            Recorder r = read(f);
            assertThat(r.events).as(f).containsExactly(
                    "secrets 0x544c534b 20 bytes at 28",
                    W + f + ": interface 2 (block at byte offset 152): link type 147 is not supported (supported:"
                            + " Ethernet 1, Linux SLL 113 and SLL2 276, raw IP 101/228/229, BSD loopback 0 and 108);"
                            + " its packets are skipped",
                    "segment 1", "segment 2", "skipped 3 unsupported link type", "skipped 4 pcapng custom block",
                    "skipped 5 pcapng custom block", "skipped 6 pcapng systemd journal export block", "segment 7",
                    "secrets 0x544c534b 20 bytes at 784", "segment 8", "segment 9", "segment 10", "segment 11");
            assertThat(new String(r.secrets.get(0), StandardCharsets.US_ASCII)).isEqualTo("CLIENT_RANDOM 00 11\n");
            assertThat(new String(r.secrets.get(1), StandardCharsets.US_ASCII)).isEqualTo("CLIENT_RANDOM 22 33\n");
            // if_tsresol 9 (interface 0), 2^-20 with if_tsoffset 10^9 s (interface 1); the simple packet block (9)
            // has no timestamp and gets the last one (packet 8's)
            assertThat(r.segmentRecords).extracting(TcpSegment::timestampMicros).containsExactly(1_700_000_000_000_000L,
                    1_700_000_000_000_999L, 1_700_000_000_003_000L, 1_700_000_000_004_000L, 1_700_000_000_004_000L,
                    1_700_000_000_006_004L, 1_700_000_000_007_000L);
            assertThat(format(f)).isEqualTo("pcapng (" + (f.contains("-be") ? "big" : "little") + "-endian, interface 0:"
                    + " Ethernet 10^-9 s, interface 1: raw IPv4 2^-20 s, interface 2: link type 147)");
        }
    }

    @Test
    void aSecondSectionNumbersItsInterfacesAgain() throws IOException {
        Recorder r = read("two-sections.pcapng");
        assertThat(r.segments).hasSize(14);
        assertThat(r.secrets).hasSize(4);
        assertThat(r.warnings).hasSize(2).allMatch(w -> w.contains("interface 2 (block at byte offset "));
        assertThat(format("two-sections.pcapng")).startsWith("pcapng (big-endian, interface 0: Ethernet");
    }

    @Test
    void aSecretsBlockWrittenByEditcap() throws IOException {
        Recorder r = read("raw-dsb-editcap.pcapng");
        assertThat(r.secrets).hasSize(1);
        assertThat(r.secrets.get(0)).isEqualTo(TestCaptures.resource("dsb-keys.txt"));
        assertThat(notSegments(r)).containsExactly("secrets 0x544c534b 276 bytes at 108");
        assertThat(r.events.indexOf("secrets 0x544c534b 276 bytes at 108")).isZero();
    }
}
