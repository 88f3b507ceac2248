package io.plainsight.sink.pcapng;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.Tshark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PCAPNG blocks byte for byte against fixtures assembled by hand from the specification
 * (draft-ietf-opsawg-pcapng), field by field, then the same bytes read by tshark and capinfos.
 */
class PcapngFormatTest {
    static final long T = 1_700_000_000_123_456L; // 0x00060a2418202240
    static final HexFormat HEX = HexFormat.of();

    /** Hex with spaces and line breaks allowed. */
    static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("\\s+", ""));
    }

    static byte[] written(java.util.function.Consumer<ByteBuf> write) {
        ByteBuf b = Unpooled.buffer();
        write.accept(b);
        return ByteBufUtil.getBytes(b);
    }

    @Test
    void sectionHeaderWithUserApplication() {
        byte[] expected = hex("0a0d0d0a 34000000 4d3c2b1a 01000000 ffffffffffffffff"
                + " 0400 0e00 706c61696e736967687420312e30 0000"
                + " 00000000 34000000");
        assertThat(HEX.formatHex(written(b -> PcapngFormat.writeSectionHeader(b, "plainsight 1.0"))))
                .isEqualTo(HEX.formatHex(expected));
    }

    @Test
    void interfaceDescriptionWithNameDescriptionAndMicrosecondResolution() {
        byte[] expected = hex("01000000 30000000" // block type 1, total length 48
                + " 0100 0000 00000400" // LINKTYPE_ETHERNET, reserved, snaplen 262144
                + " 0200 0300 657468 00" // if_name "eth" + 1 byte padding
                + " 0300 0100 64 000000" // if_description "d" + 3
                + " 0900 0100 06 000000" // if_tsresol 6 (microseconds) + 3
                + " 0000 0000" // opt_endofopt
                + " 30000000");
        assertThat(HEX.formatHex(written(b -> PcapngFormat.writeInterfaceDescription(b, 1, 262_144, "eth", "d"))))
                .isEqualTo(HEX.formatHex(expected));
    }

    static final byte[] FRAME = hex("020000000002 020000000001 88b5"); // 14 bytes: Ethernet, local experimental type

    @Test
    void enhancedPacketWithComment() {
        byte[] expected = hex("06000000 3c000000" // block type 6, total length 60
                + " 02000000" // interface 2
                + " 240a0600 40222018" // timestamp in microseconds: high 0x00060a24, low 0x18202240
                + " 0e000000 0e000000" // captured, original length 14
                + " 020000000002 020000000001 88b5 0000" // frame + 2 bytes padding
                + " 0100 0200 6869 0000" // opt_comment "hi" + 2
                + " 0000 0000" // opt_endofopt
                + " 3c000000");
        assertThat(HEX.formatHex(written(b -> PcapngFormat.writeEnhancedPacket(b, 2, T, FRAME, "hi"))))
                .isEqualTo(HEX.formatHex(expected));
        assertThat(PcapngFormat.enhancedPacketLength(14, "hi".getBytes(StandardCharsets.UTF_8))).isEqualTo(60);
    }

    @Test
    void enhancedPacketWithoutCommentHasNoOptions() {
        byte[] expected = hex("06000000 30000000 00000000 240a0600 40222018 0e000000 0e000000"
                + " 020000000002 020000000001 88b5 0000"
                + " 30000000"); // 48 bytes: no option list at all
        assertThat(HEX.formatHex(written(b -> PcapngFormat.writeEnhancedPacket(b, 0, T, FRAME, null))))
                .isEqualTo(HEX.formatHex(expected));
    }

    @Test
    void decryptionSecretsBlockOfTlsKeyLogLines() {
        byte[] lines = "CLIENT_RANDOM a b\n".getBytes(StandardCharsets.US_ASCII); // 18 bytes
        byte[] expected = hex("0a000000 28000000" // block type 0x0A, total length 40
                + " 4b534c54" // secrets type 0x544c534b "TLSK"
                + " 12000000" // secrets length 18
                + HEX.formatHex(lines) + " 0000" // + 2 bytes padding
                + " 28000000");
        assertThat(HEX.formatHex(written(b -> PcapngFormat.writeDecryptionSecrets(b, PcapngFormat.SECRETS_TLS_KEY_LOG, lines))))
                .isEqualTo(HEX.formatHex(expected));
        assertThat(PcapngFormat.decryptionSecretsLength(18)).isEqualTo(40);
    }

    @Test
    void longOptionStringsAreCutOnACharacterBoundary() {
        String s = "é".repeat(40_000); // 80,000 bytes of 2-byte characters
        byte[] b = PcapngFormat.utf8(s);
        assertThat(b.length).isEqualTo(65_532);
        assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("é".repeat(32_766));
        assertThat(PcapngFormat.utf8(null)).isEmpty();
    }

    @Test
    void tsharkAndCapinfosReadTheBlocks(@TempDir Path tmp) throws Exception {
        byte[] lines = "CLIENT_RANDOM 00 00\n".getBytes(StandardCharsets.US_ASCII);
        byte[] file = written(b -> {
            PcapngFormat.writeSectionHeader(b, "plainsight 1.0");
            PcapngFormat.writeInterfaceDescription(b, 1, 262_144, "plainsight reverse 127.0.0.1:8443 decrypted", "decrypted");
            PcapngFormat.writeInterfaceDescription(b, 1, 262_144, "second", "another one");
            PcapngFormat.writeDecryptionSecrets(b, PcapngFormat.SECRETS_TLS_KEY_LOG, lines);
            PcapngFormat.writeEnhancedPacket(b, 0, T, FRAME, "connection #1 sni=a.test");
            PcapngFormat.writeEnhancedPacket(b, 1, T + 1, FRAME, null);
            PcapngFormat.writeEnhancedPacket(b, 0, T + 2, FRAME, "é ü");
        });
        Path f = tmp.resolve("blocks.pcapng");
        Files.write(f, file);
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(f);
        List<String> rows = tshark.fieldLines(f, null, "frame.interface_id", "frame.interface_name",
                "frame.interface_description", "frame.time_epoch", "frame.len", "frame.comment");
        assertThat(rows).containsExactly(
                "0\tplainsight reverse 127.0.0.1:8443 decrypted\tdecrypted\t1700000000.123456000\t14\tconnection #1 sni=a.test",
                "1\tsecond\tanother one\t1700000000.123457000\t14\t",
                "0\tplainsight reverse 127.0.0.1:8443 decrypted\tdecrypted\t1700000000.123458000\t14\té ü");

        Path capinfos = ExternalProcess.requireTool("capinfos");
        try (ExternalProcess p = ExternalProcess.start(List.of(capinfos.toString(), "-t", "-c", "-D", "-F", "-I",
                f.toString()))) {
            String out = p.waitFor(Duration.ofSeconds(60)).assertSuccess().stdout();
            assertThat(out).containsPattern("File type:\\s+Wireshark/\\.\\.\\. - pcapng")
                    .containsPattern("Number of packets:\\s+3")
                    .containsPattern("Number of decryption secrets in file:\\s+1")
                    .containsPattern("Capture application:\\s+plainsight 1.0")
                    .containsPattern("Number of interfaces in file:\\s+2")
                    .contains("Name = plainsight reverse 127.0.0.1:8443 decrypted")
                    .contains("Description = another one")
                    .containsPattern("Time precision = microseconds");
        }
    }
}
