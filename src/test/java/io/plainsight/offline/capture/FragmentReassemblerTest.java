package io.plainsight.offline.capture;

import static io.plainsight.offline.capture.Frames.concat;
import static io.plainsight.offline.capture.Frames.fragment;
import static io.plainsight.offline.capture.Frames.ipv4;
import static io.plainsight.offline.capture.Frames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** IP fragment reassembly through the decoder: overlaps, limits, timeouts, cut fragments. */
class FragmentReassemblerTest {
    final PacketDecoder decoder = new PacketDecoder();
    final Recorder r = new Recorder();
    long packet;

    void ip(long timestampMicros, byte[] ip) {
        decoder.decode(++packet, timestampMicros, LinkTypes.RAW, ip, 0, ip.length, false, r);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A TCP segment (20-byte header) whose payload is 'a' * 12 + 'b' * 28. */
    static final byte[] SEGMENT = tcp(100, ascii("a".repeat(12) + "b".repeat(28)));

    @Test
    void overlappingFragmentsFirstWins() {
        byte[] first = Arrays.copyOfRange(SEGMENT, 0, 32);
        byte[] conflicting = concat(ascii("XXXXXXXX"), Arrays.copyOfRange(SEGMENT, 32, SEGMENT.length));
        ip(0, fragment(7, 0, true, first));
        ip(0, fragment(7, 24, false, conflicting)); // bytes 24..31 overlap: the first fragment's stay
        assertThat(r.payloadText(0)).isEqualTo("a".repeat(12) + "b".repeat(28));
        // the other way round: the later-offset fragment came first, so its bytes stay
        ip(0, fragment(8, 24, false, conflicting));
        ip(0, fragment(8, 0, true, first));
        assertThat(r.payloadText(1)).isEqualTo("a".repeat(4) + "XXXXXXXX" + "b".repeat(28));
        assertThat(r.segmentRecords).extracting(TcpSegment::packetNumber).containsExactly(2L, 4L);
        assertThat(decoder.pendingFragments()).isZero();
    }

    @Test
    void duplicateFragmentsAndAFragmentContainingOthers() {
        ip(0, fragment(9, 8, true, Arrays.copyOfRange(SEGMENT, 8, 16)));
        ip(0, fragment(9, 8, true, Arrays.copyOfRange(SEGMENT, 8, 16)));
        ip(0, fragment(9, 32, false, Arrays.copyOfRange(SEGMENT, 32, SEGMENT.length)));
        assertThat(r.segments).isEmpty();
        ip(0, fragment(9, 0, true, Arrays.copyOfRange(SEGMENT, 0, 40)));
        assertThat(r.payloads.get(0)).isEqualTo(Arrays.copyOfRange(SEGMENT, 20, SEGMENT.length));
        assertThat(r.skipped).isEmpty();
    }

    @Test
    void aFragmentCutByTheSnaplenMakesATruncatedSegment() {
        byte[] f1 = fragment(10, 0, true, Arrays.copyOfRange(SEGMENT, 0, 32));
        decoder.decode(++packet, 0, LinkTypes.RAW, f1, 0, f1.length - 6, true, r); // 26 of its 32 bytes
        ip(0, fragment(10, 32, false, Arrays.copyOfRange(SEGMENT, 32, SEGMENT.length)));
        assertThat(r.segmentRecords.get(0).truncated()).isTrue();
        assertThat(r.payloadText(0)).isEqualTo("a".repeat(6));
    }

    @Test
    void incompleteDatagramsTimeOutByCaptureTime() {
        ip(0, fragment(11, 0, true, Arrays.copyOfRange(SEGMENT, 0, 32)));
        ip(30_000_000, ipv4(tcp(1, new byte[0])));
        assertThat(r.skipped).isEmpty();
        ip(30_000_001, ipv4(tcp(2, new byte[0])));
        assertThat(r.skipped).containsExactly("1 IPv4 datagram 192.0.2.1 -> 198.51.100.7 id 0xb: 1 fragment (32 of ? bytes)"
                + " dropped, incomplete after 30 s");
        // a late fragment starts a datagram of its own, which the end of the capture drops
        ip(30_000_002, fragment(11, 32, false, Arrays.copyOfRange(SEGMENT, 32, SEGMENT.length)));
        decoder.finish(r);
        assertThat(r.skipped).last().isEqualTo("4 IPv4 datagram 192.0.2.1 -> 198.51.100.7 id 0xb: 1 fragment (28 of 60"
                + " bytes) dropped, incomplete at the end of the capture");
    }

    @Test
    void incompleteDatagramsTimeOutByPacketCount() {
        ip(0, fragment(12, 0, true, Arrays.copyOfRange(SEGMENT, 0, 32)));
        byte[] other = ipv4(tcp(1, new byte[0]));
        CaptureListener quiet = new CaptureListener() { // no bookkeeping per filler packet, only drops
            @Override
            public void segment(TcpSegment segment) {}

            @Override
            public void secrets(int secretsType, byte[] data, long position) {}

            @Override
            public void skipped(long packetNumber, String reason) {
                r.skipped(packetNumber, reason);
            }

            @Override
            public void warning(String message) {}
        };
        for (int i = 0; i < FragmentReassembler.TIMEOUT_PACKETS; i++) {
            decoder.decode(++packet, 0, LinkTypes.RAW, other, 0, other.length, false, quiet);
        }
        assertThat(r.skipped).isEmpty();
        ip(0, other);
        assertThat(r.skipped).containsExactly("1 IPv4 datagram 192.0.2.1 -> 198.51.100.7 id 0xc: 1 fragment (32 of ?"
                + " bytes) dropped, incomplete after 100000 packets");
    }

    @Test
    void tooManyIncompleteDatagramsDropTheOldest() {
        for (int id = 0; id <= FragmentReassembler.MAX_DATAGRAMS; id++) {
            ip(0, fragment(id, 0, true, Arrays.copyOfRange(SEGMENT, 0, 32)));
        }
        assertThat(r.skipped).containsExactly("1 IPv4 datagram 192.0.2.1 -> 198.51.100.7 id 0x0: 1 fragment (32 of ?"
                + " bytes) dropped, more than 1024 datagrams incomplete at once");
        assertThat(decoder.pendingFragments()).isEqualTo(FragmentReassembler.MAX_DATAGRAMS);
    }

    @Test
    void tooManyBytesHeldDropTheOldest() {
        // each datagram's buffer holds 65,000 bytes: 32 MiB hold 516 of them, the 517th drops the first
        byte[] tail = new byte[1000];
        for (int id = 0; id < 517; id++) {
            ip(0, fragment(id, 64_000, true, tail));
        }
        assertThat(r.skipped).containsExactly("1 IPv4 datagram 192.0.2.1 -> 198.51.100.7 id 0x0: 1 fragment (1000 of ?"
                + " bytes) dropped, more than 32 MiB of fragments held");
    }

    @Test
    void fragmentsThatCannotBeRight() {
        ip(0, fragment(13, 65_000, false, new byte[600]));
        ip(0, fragment(14, 0, true, new byte[30]));
        assertThat(r.skipped).containsExactly("1 IP fragment beyond 65535 bytes: ignored",
                "2 IP fragment (not the last) whose length is not a multiple of 8: ignored");
        assertThat(decoder.pendingFragments()).isZero();
    }

    @Test
    void ipv6FragmentsOfOtherProtocolsAreSkippedAtOnceAndNestedFragmentsAreRefused() {
        ip(0, Frames.ipv6Fragment(17, 0, true, 1, new byte[16]));
        assertThat(r.skipped).containsExactly("1 not TCP: UDP (IP protocol 17)");
        assertThat(decoder.pendingFragments()).isZero();
        // a fragment header right behind a fragment header
        ip(0, Frames.ipv6Fragment(44, 0, true, 2, new byte[16]));
        assertThat(r.skipped).last().isEqualTo("2 IPv6 fragment header inside a fragmented datagram");
        // a fragmentable part that holds another fragment header behind destination options
        byte[] inner = concat(new byte[] {44, 0, 1, 4, 0, 0, 0, 0}, new byte[] {6, 0, 0, 1, 0, 0, 0, 2}, SEGMENT);
        ip(0, Frames.ipv6Fragment(60, 0, true, 3, Arrays.copyOf(inner, 32)));
        ip(0, Frames.ipv6Fragment(60, 32, false, 3, Arrays.copyOfRange(inner, 32, inner.length)));
        assertThat(r.skipped).last().isEqualTo("4 IPv6 fragment header inside a fragmented datagram");
        assertThat(decoder.pendingFragments()).isZero();
    }

    @Test
    void ipv6FragmentsReassemble() {
        ip(0, Frames.ipv6Fragment(6, 24, false, 5, Arrays.copyOfRange(SEGMENT, 24, SEGMENT.length)));
        ip(0, Frames.ipv6Fragment(6, 0, true, 5, Arrays.copyOf(SEGMENT, 24)));
        assertThat(r.payloadText(0)).isEqualTo("a".repeat(12) + "b".repeat(28));
        assertThat(Recorder.addr(r.segmentRecords.get(0).src())).isEqualTo("2001:db8::1");
    }
}
