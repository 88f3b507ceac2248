package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every capture of Wireshark's TLS decryption corpus (/work/shared/testdata/wireshark-tls, see its
 * MANIFEST.md; another place with -Dplainsight.wiresharkTls=DIR) read segment by segment against
 * tshark's view of it (resources offline/capture/wireshark-tls/*.tshark.tsv, made by
 * tshark_truth.py), its Decryption Secrets Blocks against the extracted key files, and its TCP
 * streams against the corpus's streams.tsv.
 */
class WiresharkCorpusTest {
    static final Path CORPUS = WiresharkTlsCorpus.DIR;

    static List<String> captures() {
        return List.of("challenge01_ooo_stream.pcapng.gz", "dhe1.pcapng.gz", "dmgr.pcapng", "http2-brotli.pcapng",
                "http2-data-reassembly.pcap", "http2_follow_multistream.pcapng", "rsa-p-lt-q.pcap", "rsasnakeoil2.pcap",
                "tls-renegotiation.pcap", "tls12-aes128ccm.pcap", "tls12-aes256gcm.pcap", "tls12-chacha20poly1305.pcap",
                "tls12-dsb.pcapng", "tls13-20-chacha20poly1305.pcap", "tls13-rfc8446.pcap");
    }

    static Path capture(String name) {
        return WiresharkTlsCorpus.capture(name);
    }

    static Recorder read(Path file) throws IOException {
        Recorder r = new Recorder();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.readAll(r);
        }
        return r;
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everySegmentAsTsharkSeesIt(String name) throws IOException {
        Truth truth = Truth.load("wireshark-tls/" + name.replaceFirst("\\.gz$", "") + ".tshark.tsv");
        Recorder r = new Recorder();
        long packets;
        try (CaptureReader reader = CaptureReader.open(capture(name))) {
            packets = reader.readAll(r);
        }
        assertThat(r.warnings).isEmpty();
        assertThat(r.skipped).isEmpty();
        assertThat(packets).isEqualTo(truth.frames());
        assertThat(r.segments).containsExactlyElementsOf(truth.segments());
    }

    @ParameterizedTest
    @MethodSource("captures")
    void sameEventsWhenTheInputTricklesInOneByteAtATime(String name) throws IOException {
        Recorder whole = read(capture(name));
        Recorder trickled = new Recorder();
        TrickleInputStream in = new TrickleInputStream(Files.readAllBytes(capture(name)), 1);
        try (CaptureReader reader = CaptureReader.open(in, name, 16)) {
            reader.readAll(trickled);
        }
        assertThat(trickled.events).containsExactlyElementsOf(whole.events);
        assertThat(trickled.segments).containsExactlyElementsOf(whole.segments);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void gzipIsDetectedByItsMagicNotItsName(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(capture(name));
        boolean gz = name.endsWith(".gz");
        byte[] other = gz ? new GZIPInputStream(new java.io.ByteArrayInputStream(bytes)).readAllBytes() : TestCaptures.gzip(bytes);
        Recorder r = new Recorder();
        try (CaptureReader reader = CaptureReader.open(new java.io.ByteArrayInputStream(other), "renamed")) {
            reader.readAll(r);
            if (gz) {
                assertThat(reader.format()).doesNotContain("gzip");
            } else {
                assertThat(reader.format()).endsWith(", gzip-compressed");
            }
        }
        assertThat(r.segments).containsExactlyElementsOf(read(capture(name)).segments);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void decryptionSecretsBlocksHoldTheExtractedKeyLog(String name) throws IOException {
        Recorder r = read(capture(name));
        Path keys = CORPUS.resolve("expected").resolve(name.replaceFirst("\\.pcapng(\\.gz)?$", "").replaceFirst("\\.pcap$", "")
                + ".dsb-extracted.keys");
        if (!Files.exists(keys)) {
            assertThat(r.secrets).as("no DSB in %s", name).isEmpty();
            return;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        r.secrets.forEach(all::writeBytes);
        assertThat(r.secrets).isNotEmpty();
        assertThat(all.toByteArray()).isEqualTo(Files.readAllBytes(keys));
        assertThat(r.events).filteredOn(e -> e.startsWith("secrets ")).allMatch(e -> e.startsWith("secrets 0x544c534b "));
        // each position is where a block of type 0x0000000a starts
        byte[] file = bytes(capture(name));
        for (long pos : r.secretsPositions) {
            assertThat(Bytes.i32(file, (int) pos, false)).isEqualTo(PcapngBlocks.DSB);
        }
    }

    @Test
    void theSecondSecretsBlockOfTls12DsbComesBetweenPackets9And10() throws IOException {
        Recorder r = read(capture("tls12-dsb.pcapng"));
        List<String> order = r.events.stream().map(e -> e.startsWith("secrets") ? "secrets" : e).toList();
        assertThat(order).containsExactly("secrets", "segment 1", "segment 2", "segment 3", "segment 4", "segment 5",
                "segment 6", "segment 7", "segment 8", "segment 9", "secrets", "segment 10", "segment 11", "segment 12",
                "segment 13", "segment 14", "segment 15", "segment 16", "segment 17");
        assertThat(r.secrets.get(0)).isEqualTo(Files.readAllBytes(CORPUS.resolve("keys/tls12-dsb-1.keys")));
        assertThat(r.secrets.get(1)).isEqualTo(Files.readAllBytes(CORPUS.resolve("keys/tls12-dsb-2.keys")));
        assertThat(r.secretsPositions.get(1)).isGreaterThan(r.secretsPositions.get(0));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void theTcpStreamsAreThoseOfStreamsTsv(String name) throws IOException {
        String base = name.replaceFirst("\\.pcapng(\\.gz)?$", "").replaceFirst("\\.pcap$", "");
        Set<String> expected = new HashSet<>();
        for (String line : Files.readAllLines(CORPUS.resolve("expected").resolve(base + ".streams.tsv"))) {
            if (line.startsWith("#") || line.startsWith("tcp_stream")) {
                continue;
            }
            String[] c = line.split("\t");
            expected.add(c[1] + " " + c[2]);
        }
        Recorder r = read(capture(name));
        Set<String> seen = new HashSet<>();
        for (TcpSegment s : r.segmentRecords) {
            String c2s = Recorder.addr(s.src()) + ":" + s.srcPort() + " " + Recorder.addr(s.dst()) + ":" + s.dstPort();
            String s2c = Recorder.addr(s.dst()) + ":" + s.dstPort() + " " + Recorder.addr(s.src()) + ":" + s.srcPort();
            seen.add(expected.contains(s2c) ? s2c : c2s);
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    static byte[] bytes(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] raw = in.readAllBytes();
            return file.toString().endsWith(".gz") ? new GZIPInputStream(new java.io.ByteArrayInputStream(raw)).readAllBytes() : raw;
        }
    }
}
