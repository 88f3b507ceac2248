package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Truncated and corrupt captures: the message names the file, the byte offset and the packet, what
 * was read before is delivered, and reading goes on after the damage where it can. Offsets come
 * from {@link #pcapRecords} and {@link #pcapngBlocks}, which walk the fixtures independently.
 */
class BadInputTest {
    static final byte[] PCAP = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
    static final byte[] PCAPNG = TestCaptures.resource("fixtures/interfaces-le.pcapng");
    static final String W = "warning ";

    /** Offsets of the records of a little-endian pcap file. */
    static List<Integer> pcapRecords(byte[] f) {
        List<Integer> out = new ArrayList<>();
        for (int o = 24; o + 16 <= f.length; o += 16 + Bytes.i32(f, o + 8, false)) {
            out.add(o);
        }
        return out;
    }

    /** Offsets of the blocks of a little-endian pcapng file. */
    static List<Integer> pcapngBlocks(byte[] f) {
        List<Integer> out = new ArrayList<>();
        for (int o = 0; o + 8 <= f.length; o += Bytes.i32(f, o + 4, false)) {
            out.add(o);
        }
        return out;
    }

    static byte[] cut(byte[] f, int length) {
        return Arrays.copyOf(f, length);
    }

    static byte[] withInt(byte[] f, int offset, int valueLittleEndian) {
        byte[] c = f.clone();
        for (int i = 0; i < 4; i++) {
            c[offset + i] = (byte) (valueLittleEndian >>> (8 * i));
        }
        return c;
    }

    static List<String> events(byte[] data) throws IOException {
        return TestCaptures.read(data, "bad.cap").events;
    }

    static List<String> segmentsOf(List<String> events) {
        return events.stream().filter(e -> e.startsWith("segment ")).toList();
    }

    // ------------------------------------------------------------------ pcap

    @Test
    void pcapCutInsideAPacketUsesItsCapturedPart() throws IOException {
        int r6 = pcapRecords(PCAP).get(5); // packet 6: 802.1Q-tagged, headers 14 + 4 + 20 + 20 = 58 bytes
        Recorder r = TestCaptures.read(cut(PCAP, r6 + 16 + 70), "bad.cap");
        assertThat(r.events).containsExactly("segment 1", "segment 2", "segment 3",
                "skipped 4 not IP: ARP (ethertype 0x0806)", "skipped 5 not TCP: UDP (IP protocol 17)",
                W + "bad.cap: packet 6 at byte offset " + r6 + " is cut short: the file ends after 70 of its 102 captured"
                        + " bytes; the part that is there is used",
                "segment 6 truncated");
        assertThat(r.payloadText(3)).isEqualTo("GET /fixture");
    }

    @Test
    void pcapCutInsideARecordHeader() throws IOException {
        int r9 = pcapRecords(PCAP).get(8);
        List<String> e = events(cut(PCAP, r9 + 7));
        assertThat(segmentsOf(e)).hasSize(6);
        assertThat(e.get(e.size() - 1)).isEqualTo(W + "bad.cap: the file ends inside the record header of packet 9 at"
                + " byte offset " + r9 + " (7 of 16 bytes); the packets before it are used");
    }

    @Test
    void pcapCutInsideTheFileHeaderIsNotACapture() {
        assertThatThrownBy(() -> events(cut(PCAP, 10))).isInstanceOf(CaptureFormatException.class)
                .hasMessage("bad.cap: the pcap file header is cut short: the file ends after 10 of its 24 bytes");
    }

    @Test
    void pcapCorruptRecordLengthIsSkippedUpToTheNextRecord() throws IOException {
        List<Integer> records = pcapRecords(PCAP);
        int r3 = records.get(2);
        List<String> e = events(withInt(PCAP, r3 + 8, 0x7FFF_FFFF));
        assertThat(e).contains(
                W + "bad.cap: bad record header at byte offset " + r3 + " (after packet 2): captured length 2147483647"
                        + " is too large; looking for the next record",
                W + "bad.cap: resumed at byte offset " + records.get(3) + " after skipping " + (records.get(3) - r3)
                        + " unreadable bytes");
        // one record lost; the packets after it are numbered on from 3
        assertThat(segmentsOf(e)).hasSize(15);
        assertThat(e).filteredOn(x -> x.startsWith("skipped")).containsExactly(
                "skipped 3 not IP: ARP (ethertype 0x0806)", "skipped 4 not TCP: UDP (IP protocol 17)");
    }

    @Test
    void pcapRecordLengthPastTheEndOfTheFileInTheMiddle() throws IOException {
        List<Integer> records = pcapRecords(PCAP);
        int r5 = records.get(4);
        // 200,000 bytes: plausible for a record, but the file is far shorter, and a record follows packet 5's real end
        List<String> e = events(withInt(PCAP, r5 + 8, 200_000));
        assertThat(e).contains(W + "bad.cap: bad record header at byte offset " + r5 + " (after packet 4): captured"
                + " length 200000 runs past the end of the file; resumed at byte offset " + records.get(5)
                + " after skipping " + (records.get(5) - r5) + " bytes");
        // the record lost was packet 5 (UDP): the segments are all there, numbered on from 5
        assertThat(segmentsOf(e)).hasSize(16).contains("segment 5").doesNotContain("segment 18");
        assertThat(e).filteredOn(x -> x.startsWith("skipped")).containsExactly("skipped 4 not IP: ARP (ethertype 0x0806)");
    }

    @Test
    void pcapGarbageToTheEnd() throws IOException {
        int r4 = pcapRecords(PCAP).get(3);
        byte[] f = cut(PCAP, r4 + 40);
        Arrays.fill(f, r4, f.length, (byte) 0xEE);
        List<String> e = events(f);
        assertThat(e).containsSubsequence(
                W + "bad.cap: bad record header at byte offset " + r4 + " (after packet 3): captured length 4008636142"
                        + " is too large; looking for the next record",
                W + "bad.cap: no valid record after byte offset " + r4 + " to the end of the file; its last 40 bytes are"
                        + " not used");
        assertThat(segmentsOf(e)).containsExactly("segment 1", "segment 2", "segment 3");
    }

    // ------------------------------------------------------------------ pcapng

    @Test
    void pcapngCutInsideAnEnhancedPacketBlockUsesItsCapturedPart() throws IOException {
        List<Integer> blocks = pcapngBlocks(PCAPNG);
        // blocks: DSB, SHB? no: SHB, DSB, IDB x3, NRB, EPB (packet 1), ...
        int epb1 = blocks.get(6);
        assertThat(Bytes.i32(PCAPNG, epb1, false)).isEqualTo(PcapngBlocks.EPB);
        Recorder r = TestCaptures.read(cut(PCAPNG, epb1 + 28 + 40), "bad.cap");
        assertThat(r.events).containsExactly("secrets 0x544c534b 20 bytes at 28",
                W + "bad.cap: interface 2 (block at byte offset 152): link type 147 is not supported (supported: Ethernet 1,"
                        + " Linux SLL 113 and SLL2 276, raw IP 101/228/229, BSD loopback 0 and 108); its packets are skipped",
                W + "bad.cap: packet 1 at byte offset " + epb1 + " is cut short: the file ends after 68 of its block's 96"
                        + " bytes; the 40 captured bytes that are there are used",
                "skipped 1 cut short (snaplen or end of file) inside the TCP header");
    }

    @Test
    void pcapngCutInsideASecretsBlock() throws IOException {
        List<Integer> blocks = pcapngBlocks(PCAPNG);
        int dsb2 = blocks.stream().filter(o -> o > 28 && Bytes.i32(PCAPNG, o, false) == PcapngBlocks.DSB).findFirst().orElseThrow();
        List<String> e = events(cut(PCAPNG, dsb2 + 20));
        assertThat(segmentsOf(e)).containsExactly("segment 1", "segment 2", "segment 7");
        assertThat(e.get(e.size() - 1)).isEqualTo(W + "bad.cap: the file ends inside a decryption secrets block at byte"
                + " offset " + dsb2 + " (20 of 40 bytes, after packet 7); what came before is used");
    }

    @Test
    void pcapngCutInsideABlockHeader() throws IOException {
        int last = pcapngBlocks(PCAPNG).get(pcapngBlocks(PCAPNG).size() - 1);
        List<String> e = events(cut(PCAPNG, last + 5));
        assertThat(e.get(e.size() - 1)).isEqualTo(W + "bad.cap: the file ends inside a block header at byte offset "
                + last + " (5 of 8 bytes, after packet 11); what came before is used");
        assertThat(segmentsOf(e)).hasSize(7);
    }

    @Test
    void pcapngBadBlockLengthIsSkippedUpToTheNextBlock() throws IOException {
        List<Integer> blocks = pcapngBlocks(PCAPNG);
        int epb1 = blocks.get(6);
        for (int bad : new int[] {0x7FFF_FFF0, 97, 8}) {
            List<String> e = events(withInt(PCAPNG, epb1 + 4, bad));
            assertThat(e).as("length %d", bad).contains(
                    W + "bad.cap: bad block at byte offset " + epb1 + " (after packet 0): the enhanced packet block's"
                            + " total length " + bad + " is not valid; looking for the next block",
                    W + "bad.cap: resumed at byte offset " + blocks.get(7) + " after skipping " + (blocks.get(7) - epb1)
                            + " unreadable bytes");
            // packet 1 is lost: the packets after it are numbered on from 1
            assertThat(segmentsOf(e)).as("length %d", bad).containsExactly("segment 1", "segment 6", "segment 7",
                    "segment 8", "segment 9", "segment 10");
        }
    }

    @Test
    void pcapngCapturedLengthBeyondItsBlockUsesWhatTheBlockHolds() throws IOException {
        int epb1 = pcapngBlocks(PCAPNG).get(6);
        Recorder r = TestCaptures.read(withInt(PCAPNG, epb1 + 20, 200), "bad.cap");
        assertThat(r.warnings).contains("bad.cap: packet 1 at byte offset " + epb1 + ": captured length 200 is more than"
                + " its block holds (64 bytes); those are used");
        // the block holds the whole 62-byte SYN frame (and 2 bytes of padding): nothing of the next block is read
        assertThat(r.segmentRecords.get(0).packetNumber()).isEqualTo(1);
        assertThat(r.segmentRecords.get(0).flags()).isEqualTo(TcpSegment.SYN);
        assertThat(r.segments).hasSize(7);
    }

    @Test
    void pcapngPacketsOfAnInterfaceNoBlockDescribes() throws IOException {
        // the interface description blocks made into unknown blocks: every packet refers to a missing interface
        byte[] f = PCAPNG.clone();
        for (int o : pcapngBlocks(PCAPNG)) {
            if (Bytes.i32(f, o, false) == 1) {
                f = withInt(f, o, 0x0BADCAFE);
            }
        }
        Recorder r = TestCaptures.read(f, "bad.cap");
        int epb1 = pcapngBlocks(PCAPNG).get(6);
        assertThat(r.warnings).containsExactly("bad.cap: packet 1 at byte offset " + epb1 + " refers to interface 0, but 0"
                + " are described; such packets are skipped (said once per file)",
                "bad.cap: simple packet block at byte offset " + pcapngBlocks(PCAPNG).stream()
                        .filter(o -> Bytes.i32(PCAPNG, o, false) == PcapngBlocks.SPB).findFirst().orElseThrow()
                        + " (packet 9) but no interface is described; such packets are skipped");
        assertThat(r.skipped).filteredOn(x -> x.endsWith("packet of an interface no block describes")).hasSize(8);
        assertThat(r.segments).isEmpty();
    }

    @Test
    void pcapngTrailingLengthOnlyIsWrongAndTheBlockIsUsed() throws IOException {
        List<Integer> blocks = pcapngBlocks(PCAPNG);
        int epb1 = blocks.get(6);
        int len = Bytes.i32(PCAPNG, epb1 + 4, false);
        List<String> e = events(withInt(PCAPNG, epb1 + len - 4, 1234));
        assertThat(e).contains(W + "bad.cap: the enhanced packet block at byte offset " + epb1 + " has a trailing"
                + " length of 1234 instead of " + len + "; a valid block follows, so it is used");
        assertThat(segmentsOf(e)).hasSize(7);
    }

    @Test
    void pcapngBothLengthsWrongLosesOneBlock() throws IOException {
        List<Integer> blocks = pcapngBlocks(PCAPNG);
        int epb1 = blocks.get(6);
        // a leading length that points inside the next block: its trailing copy cannot match
        List<String> e = events(withInt(PCAPNG, epb1 + 4, Bytes.i32(PCAPNG, epb1 + 4, false) + 8));
        assertThat(e).contains(W + "bad.cap: bad block at byte offset " + epb1 + " (after packet 0): the enhanced packet"
                + " block says its length is 104 at its start and 80 at its end; looking for the next block");
        assertThat(segmentsOf(e)).hasSize(6);
    }

    @Test
    void pcapngLengthPastTheEndOfTheFileInTheMiddle() throws IOException {
        List<Integer> blocks = pcapngBlocks(PCAPNG);
        int epb1 = blocks.get(6);
        List<String> e = events(withInt(PCAPNG, epb1 + 4, 1 << 20));
        assertThat(e).contains(W + "bad.cap: bad block at byte offset " + epb1 + " (after packet 0): the enhanced packet"
                + " block's length 1048576 runs past the end of the file; resumed at byte offset " + blocks.get(7)
                + " after skipping " + (blocks.get(7) - epb1) + " bytes");
        assertThat(segmentsOf(e)).hasSize(6);
    }

    @Test
    void pcapngBadByteOrderMagic() throws IOException {
        byte[] twoSections = TestCaptures.resource("fixtures/two-sections.pcapng");
        List<String> e = events(withInt(twoSections, PCAPNG.length + 8, 0x01020304));
        assertThat(e).contains(W + "bad.cap: bad section header block at byte offset " + PCAPNG.length
                + " (after packet 11): byte-order magic 04 03 02 01; looking for the next block");
        // the next block is in the other byte order: a section whose header is lost, read in its own order
        assertThat(e).contains(W + "bad.cap: resumed at byte offset " + (PCAPNG.length + 28) + " after skipping 28"
                + " unreadable bytes (in the other byte order: a new section whose header is lost; its interfaces are"
                + " numbered from 0)");
        assertThat(segmentsOf(e)).hasSize(14);
        assertThat(TestCaptures.read(withInt(twoSections, PCAPNG.length + 8, 0x01020304), "bad.cap").secrets).hasSize(4);
    }

    // ------------------------------------------------------------------ not a capture, compression

    @Test
    void inputsThatAreNotCaptures() {
        assertNotACapture(new byte[0], "x: empty, not a pcap or pcapng capture");
        assertNotACapture(new byte[] {(byte) 0xD4, (byte) 0xC3, (byte) 0xB2}, "x: only 3 bytes, not a pcap or pcapng capture");
        assertNotACapture("<!DOCTYPE html>".getBytes(StandardCharsets.US_ASCII),
                "x: not a pcap or pcapng capture (it starts with 3c 21 44 4f)");
        assertNotACapture(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0},
                "x: zstd-compressed; decompress it first (zstd -dc)");
        assertNotACapture("BZh91AY&SY".getBytes(StandardCharsets.US_ASCII), "x: bzip2-compressed; decompress it first (bzip2 -dc)");
        assertNotACapture(TestCaptures.gzip("hello, world".getBytes(StandardCharsets.US_ASCII)),
                "x: after gzip decompression, not a pcap or pcapng capture (it starts with 68 65 6c 6c)");
        assertNotACapture(TestCaptures.gzip(new byte[0]), "x: empty after gzip decompression, not a pcap or pcapng capture");
        assertNotACapture(new byte[] {0x1F, (byte) 0x8B}, "x: the gzip header is cut short");
        assertNotACapture(new byte[] {0x1F, (byte) 0x8B, 7, 0, 0, 0, 0, 0, 0, 0},
                "x: the gzip header is corrupt (Unsupported compression method)");
    }

    static void assertNotACapture(byte[] data, String message) {
        assertThatThrownBy(() -> CaptureReader.open(new ByteArrayInputStream(data), "x"))
                .isInstanceOf(CaptureFormatException.class).hasMessage(message);
    }

    @Test
    void gzipCutShortKeepsThePacketsBeforeTheCut() throws IOException {
        byte[] gz = TestCaptures.gzip(PCAP);
        List<String> e = events(cut(gz, gz.length / 2));
        assertThat(segmentsOf(e)).isNotEmpty();
        String last = e.get(e.size() - 1);
        assertThat(last).startsWith(W + "bad.cap: the gzip data is cut short after ")
                .endsWith(" decompressed bytes (Unexpected end of ZLIB input stream); what came before is used");
        // the packets before the cut are the file's first ones, unchanged
        List<String> whole = segmentsOf(events(PCAP));
        List<String> got = segmentsOf(e);
        assertThat(whole.subList(0, got.size() - 1)).isEqualTo(got.subList(0, got.size() - 1));
    }

    @Test
    void gzipCorruptKeepsThePacketsBeforeTheDamage() throws IOException {
        // 100 copies of the records of ethernet-vlan.pcap (about 160 KB), damaged in the middle of the gzip data
        byte[] records = Arrays.copyOfRange(PCAP, 24, PCAP.length);
        java.io.ByteArrayOutputStream big = new java.io.ByteArrayOutputStream();
        big.write(PCAP, 0, 24);
        for (int i = 0; i < 100; i++) {
            big.writeBytes(records);
        }
        byte[] gz = TestCaptures.gzip(big.toByteArray());
        byte[] bad = gz.clone();
        for (int i = bad.length / 2; i < bad.length / 2 + 64; i++) {
            bad[i] = (byte) 0xFF;
        }
        Recorder r = TestCaptures.read(bad, "bad.cap");
        assertThat(r.warnings).last().asString().startsWith("bad.cap: the gzip data is corrupt after ")
                .endsWith("; what came before is used");
        // where the damaged stream's output first differs from the original (inflate may emit garbage before failing)
        byte[] original = big.toByteArray();
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try (InputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(bad))) {
            int c;
            while ((c = in.read()) >= 0) {
                got.write(c);
            }
        } catch (IOException expected) {
            // the damage
        }
        byte[] out = got.toByteArray();
        int good = 0;
        while (good < out.length && good < original.length && out[good] == original[good]) {
            good++;
        }
        // every packet whose record ends 8 KiB (one gzip read) before that point is delivered as in the original
        int usable = good - 8192;
        long complete = pcapRecords(original).stream().filter(o -> o + 16 + Bytes.i32(original, o + 8, false) <= usable)
                .count();
        List<String> before = TestCaptures.read(original, "bad.cap").segments.stream()
                .filter(line -> Long.parseLong(line.split("\t")[0]) <= complete).toList();
        assertThat(complete).isGreaterThan(100);
        assertThat(r.segments.subList(0, before.size())).isEqualTo(before);
    }

    @Test
    void aFailingStreamIsAnIOExceptionNamingTheInput() throws IOException {
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n < 150) {
                    return PCAP[n++] & 0xFF;
                }
                throw new IOException("device gone");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (n < 150) {
                    b[off] = PCAP[n++];
                    return 1;
                }
                throw new IOException("device gone");
            }
        };
        try (CaptureReader reader = CaptureReader.open(failing, "eth0.pcap")) {
            Recorder r = new Recorder();
            assertThatThrownBy(() -> reader.readAll(r)).isInstanceOf(IOException.class)
                    .hasMessage("eth0.pcap: cannot read after byte offset 150: device gone");
            assertThat(r.segments).hasSize(1); // the one packet whose bytes arrived (24 + 16 + 62 bytes)
        }
    }

    @Test
    void aListenerThatThrowsDoesNotGetTheSameRecordAgain() throws IOException {
        List<Long> seen = new ArrayList<>();
        CaptureListener flaky = new Recorder() {
            @Override
            public void segment(TcpSegment s) {
                seen.add(s.packetNumber());
                if (s.packetNumber() == 2) {
                    throw new IllegalStateException("listener bug");
                }
            }
        };
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(PCAP), "x")) {
            assertThat(reader.next(flaky)).isTrue();
            assertThatThrownBy(() -> reader.next(flaky)).hasMessage("listener bug");
            reader.readAll(flaky);
        }
        assertThat(seen).containsExactly(1L, 2L, 3L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L);
    }
}
