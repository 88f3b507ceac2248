package io.plainsight.offline.capture;

import static io.plainsight.offline.capture.Frames.concat;
import static io.plainsight.offline.capture.Frames.ethernet;
import static io.plainsight.offline.capture.Frames.ipv4;
import static io.plainsight.offline.capture.Frames.ipv6;
import static io.plainsight.offline.capture.Frames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Link, IP and TCP decoding of single frames, for the cases the fixtures do not hold. */
class PacketDecoderTest {
    final PacketDecoder decoder = new PacketDecoder();
    final Recorder r = new Recorder();

    void decode(int linkType, byte[] frame) {
        decode(linkType, frame, frame.length, false);
    }

    void decode(int linkType, byte[] frame, int captured, boolean cut) {
        decoder.decode(r.events.size() + 1, 1_000_000, linkType, frame, 0, captured, cut, r);
    }

    static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    @Test
    void allTcpFieldsAreRead() {
        byte[] seg = tcp(51000, 8443, 0xFFFF_FFF0L, 0x8000_0001L, TcpSegment.AE | TcpSegment.CWR | TcpSegment.SYN, 65535,
                new byte[] {1, 1, 1, 0}, HELLO);
        decode(LinkTypes.IPV4, ipv4(seg));
        TcpSegment s = r.segmentRecords.get(0);
        assertThat(s.srcPort()).isEqualTo(51000);
        assertThat(s.dstPort()).isEqualTo(8443);
        assertThat(s.seq()).isEqualTo(0xFFFF_FFF0L);
        assertThat(s.ack()).isEqualTo(0x8000_0001L);
        assertThat(s.flags()).isEqualTo(0x100 | 0x80 | 0x02);
        assertThat(s.has(TcpSegment.SYN)).isTrue();
        assertThat(s.has(TcpSegment.FIN)).isFalse();
        assertThat(s.window()).isEqualTo(65535);
        assertThat(r.payloadText(0)).isEqualTo("hello");
        assertThat(s.truncated()).isFalse();
        assertThat(s.timestampMicros()).isEqualTo(1_000_000);
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        byte[] frame = concat(ethernet(0x0800, ipv4(tcp(1, HELLO))), new byte[9]);
        decode(LinkTypes.ETHERNET, frame);
        assertThat(r.payloadText(0)).isEqualTo("hello");
    }

    @Test
    void ipv4TotalLengthZeroFromSegmentationOffloadMeansTheFrame() {
        byte[] big = Frames.bytes(3000, 1);
        decode(LinkTypes.IPV4, ipv4(6, 1, 0x4000, tcp(1, big), 0));
        assertThat(r.payloads.get(0)).isEqualTo(big);
        assertThat(r.segmentRecords.get(0).truncated()).isFalse();
        // cut: the length on the wire is unknown, so the segment is truncated
        byte[] cut = ipv4(6, 1, 0x4000, tcp(1, big), 0);
        decode(LinkTypes.IPV4, cut, 100, true);
        assertThat(r.segmentRecords.get(1).truncated()).isTrue();
        assertThat(r.payloads.get(1)).isEqualTo(Arrays.copyOf(big, 60));
    }

    @Test
    void ipv6PayloadLengthZeroMeansTheFrame() {
        decode(LinkTypes.IPV6, ipv6(6, tcp(1, HELLO), 0));
        assertThat(r.payloadText(0)).isEqualTo("hello");
    }

    @Test
    void anIpLengthLongerThanTheFrameIsATruncatedSegment() {
        byte[] p = ipv4(6, 1, 0x4000, tcp(1, HELLO), 20 + 20 + 500);
        decode(LinkTypes.IPV4, p);
        assertThat(r.segmentRecords.get(0).truncated()).isTrue();
        assertThat(r.payloadText(0)).isEqualTo("hello");
    }

    @Test
    void badHeadersAreSkippedWithTheirReason() {
        decode(LinkTypes.IPV4, ipv4(tcp(1, HELLO)), 19, true);
        decode(LinkTypes.IPV4, Arrays.copyOf(ipv4(tcp(1, HELLO)), 19));
        byte[] ihl4 = ipv4(tcp(1, HELLO));
        ihl4[0] = 0x44;
        decode(LinkTypes.IPV4, ihl4);
        byte[] v5 = ipv4(tcp(1, HELLO));
        v5[0] = 0x55;
        decode(LinkTypes.IPV4, v5);
        decode(LinkTypes.IPV4, ipv4(6, 1, 0, tcp(1, HELLO), 19));
        byte[] offset4 = ipv4(tcp(1, HELLO));
        offset4[20 + 12] = 0x40; // TCP data offset 4 words
        decode(LinkTypes.IPV4, offset4);
        byte[] offsetBeyond = ipv4(tcp(1, new byte[0]));
        offsetBeyond[20 + 12] = (byte) 0xF0; // 60 bytes of header in a 20-byte segment, not cut
        decode(LinkTypes.IPV4, offsetBeyond);
        decode(LinkTypes.IPV4, ipv4(6, 1, 0, Arrays.copyOf(tcp(1, HELLO), 10), -1));
        decode(LinkTypes.IPV4, ipv4(tcp(1, HELLO)), 30, true);
        decode(LinkTypes.IPV6, ipv6(6, tcp(1, HELLO), -1), 39, true);
        byte[] v4in6 = ipv6(6, tcp(1, HELLO), -1);
        v4in6[0] = 0x40;
        decode(LinkTypes.IPV6, v4in6);
        decode(LinkTypes.IPV6, ipv6(0, new byte[] {6, 5, 0, 0}, -1)); // hop-by-hop longer than the packet
        decode(LinkTypes.RAW, new byte[] {0x20, 0, 0, 0});
        decode(LinkTypes.RAW, new byte[0], 0, true);
        decode(LinkTypes.ETHERNET, new byte[10], 10, true);
        decode(LinkTypes.ETHERNET, new byte[10]);
        decode(LinkTypes.ETHERNET, ethernet(100, new byte[40])); // an 802.3 length, not an ethertype
        decode(LinkTypes.ETHERNET, ethernet(0x0800, ipv4(tcp(1, HELLO)), 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100,
                0x8100, 0x8100, 0x8100));
        decode(LinkTypes.ETHERNET, ethernet(0x8847, new byte[40]));
        decode(LinkTypes.ETHERNET, ethernet(0x1234, new byte[40]));
        decode(147, new byte[40]);
        assertThat(r.events).containsExactly(
                "skipped 1 cut short (snaplen or end of file) inside the IP headers",
                "skipped 2 IPv4 header shorter than 20 bytes",
                "skipped 3 bad IPv4 header length",
                "skipped 4 IPv4 packet whose version is not 4",
                "skipped 5 IPv4 total length shorter than its header",
                "skipped 6 bad TCP header length (data offset)",
                "skipped 7 bad TCP header length (data offset)",
                "skipped 8 TCP header shorter than 20 bytes",
                "skipped 9 cut short (snaplen or end of file) inside the TCP header",
                "skipped 10 cut short (snaplen or end of file) inside the IP headers",
                "skipped 11 IPv6 packet whose version is not 6",
                "skipped 12 IPv6 extension header longer than the packet",
                "skipped 13 raw IP packet of neither version 4 nor 6",
                "skipped 14 cut short (snaplen or end of file) inside the IP headers",
                "skipped 15 cut short (snaplen or end of file) inside the link-layer header",
                "skipped 16 frame shorter than its link-layer header",
                "skipped 17 IEEE 802.3 LLC frame (not IP)",
                "skipped 18 more than 8 VLAN tags",
                "skipped 19 not IP: MPLS (ethertype 0x8847)",
                "skipped 20 not IP: ethertype 0x1234",
                "skipped 21 unsupported link type");
    }

    @Test
    void eightVlanTagsAreFine() {
        decode(LinkTypes.ETHERNET, ethernet(0x0800, ipv4(tcp(1, HELLO)), 0x88A8, 0x8100, 0x9100, 0x9200, 0x8100, 0x8100,
                0x8100, 0x8100));
        assertThat(r.payloadText(0)).isEqualTo("hello");
    }

    @Test
    void reasonsOfCommonSkipsAreConstantStrings() {
        assertThat(SkipReasons.notTcp(17)).isSameAs(SkipReasons.notTcp(17));
        assertThat(SkipReasons.notIp(0x0806)).isSameAs(SkipReasons.notIp(0x0806));
    }

    @Test
    void thePayloadExposesTheReadersArraySoDecryptionNeedsNoCopy() {
        Recorder viewer = new Recorder() {
            @Override
            public void segment(TcpSegment s) {
                assertThat(s.payload().hasArray()).isTrue();
                super.segment(s);
            }
        };
        decoder.decode(1, 0, LinkTypes.IPV4, ipv4(tcp(3, HELLO)), 0, 45, false, viewer);
        assertThat(viewer.segments).hasSize(1);
    }

    @Test
    void addressesAreInternedAcrossPackets() {
        decode(LinkTypes.IPV4, ipv4(tcp(1, HELLO)));
        decode(LinkTypes.IPV4, ipv4(tcp(2, HELLO)));
        decode(LinkTypes.IPV6, ipv6(6, tcp(1, HELLO), -1));
        decode(LinkTypes.IPV6, ipv6(6, tcp(2, HELLO), -1));
        assertThat(r.segmentRecords.get(1).src()).isSameAs(r.segmentRecords.get(0).src());
        assertThat(r.segmentRecords.get(1).dst()).isSameAs(r.segmentRecords.get(0).dst());
        assertThat(r.segmentRecords.get(3).src()).isSameAs(r.segmentRecords.get(2).src());
        assertThat(Recorder.addr(r.segmentRecords.get(2).src())).isEqualTo("2001:db8::1");
    }
}
