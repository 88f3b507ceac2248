package io.plainsight.sink.pcapng;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.testing.Tshark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PCAPNG output writes through the PCAP output's capture file: whole file-system blocks with
 * direct I/O, the last partial one through the page cache at a flush. The file is byte-exact at
 * every flush (ending on a block boundary or inside a block, after partial writes of a full
 * buffer, after a block larger than the buffer), and tshark reads it.
 */
class PcapngDirectIoTest {
    static final long T = 1_700_000_000_000_000L;
    static final int BLOCK = 4096;
    static final Set<String> DISK_FILESYSTEMS = Set.of("ext4", "xfs", "btrfs");
    @TempDir Path tmp;

    /** The same blocks into the output and into {@code expected}. */
    static final class Both {
        final PcapngOutput out;
        final ByteBuf expected = Unpooled.buffer();
        final Random random = new Random(11);
        int packets;

        Both(PcapngOutput out) {
            this.out = out;
            PcapngFormat.writeSectionHeader(expected, "t");
        }

        void packet(int frameLength) {
            byte[] frame = new byte[frameLength];
            random.nextBytes(frame);
            long ts = T + packets;
            int total = PcapngFormat.enhancedPacketLength(frameLength, null);
            assertThat(out.prepare(ts, total)).isTrue();
            if (packets == 0) {
                PcapngFormat.writeInterfaceDescription(out.buffer(), 1, 65_535, "eth0", null);
                PcapngFormat.writeInterfaceDescription(expected, 1, 65_535, "eth0", null);
                out.interfaceWritten();
            }
            PcapngFormat.writeEnhancedPacket(out.buffer(), 0, ts, frame, null);
            PcapngFormat.writeEnhancedPacket(expected, 0, ts, frame, null);
            out.packetWritten(frameLength);
            packets++;
        }

        /** A Decryption Secrets Block of {@code bytes} bytes of key log text (after the first packet). */
        void secrets(int bytes) {
            byte[] lines = new byte[bytes];
            Arrays.fill(lines, (byte) 'a');
            lines[bytes - 1] = '\n';
            int total = PcapngFormat.decryptionSecretsLength(bytes);
            assertThat(out.prepare(T + packets, total)).isTrue();
            out.reserve(total);
            PcapngFormat.writeDecryptionSecrets(out.buffer(), PcapngFormat.SECRETS_TLS_KEY_LOG, lines);
            PcapngFormat.writeDecryptionSecrets(expected, PcapngFormat.SECRETS_TLS_KEY_LOG, lines);
        }

        long size() {
            return expected.writerIndex();
        }
    }

    static void assertFileHolds(Path file, ByteBuf expected) throws IOException {
        byte[] actual = Files.readAllBytes(file);
        byte[] want = ByteBufUtil.getBytes(expected, 0, expected.writerIndex());
        assertThat(Arrays.mismatch(actual, want))
                .as("first differing byte of %s (%d bytes, %d expected)", file, actual.length, want.length)
                .isEqualTo(-1);
    }

    /** Returns whether the file was written with direct I/O. */
    static boolean assertByteExactAtEveryFlush(Path file) throws IOException {
        PcapngOutput out = new PcapngOutput(PcapngDestination.file(file), "t", PcapOptions.MIN_BUFFER_BYTES,
                Duration.ofSeconds(1));
        out.start();
        boolean direct = out.directIo();
        Both both = new Both(out);
        Random random = new Random(7);
        int onABoundary = 0;
        int insideABlock = 0;
        for (int step = 0; step < 160; step++) {
            int frameLength = switch (step % 4) {
                case 0 -> { // make the file end exactly on a block boundary
                    int gap = (int) (BLOCK - both.size() % BLOCK) - 32;
                    yield gap >= 4 ? gap & ~3 : gap + BLOCK;
                }
                case 1 -> 1 + random.nextInt(3000);
                case 2 -> 10_000 + random.nextInt(55_000); // many blocks; fills the small buffer now and then
                default -> 54 + random.nextInt(100);
            };
            if (both.packets > 0 && step == 77) {
                both.secrets(600_000); // larger than the buffer
            }
            both.packet(frameLength);
            if (step % 4 == 0 || random.nextInt(3) == 0) {
                out.flush();
                assertFileHolds(file, both.expected);
                if (both.size() % BLOCK == 0) {
                    onABoundary++;
                } else {
                    insideABlock++;
                }
            }
        }
        both.packet(100);
        out.close();
        assertFileHolds(file, both.expected);
        assertThat(out.packetsWritten()).isEqualTo(both.packets);
        assertThat(out.lostPackets()).isZero();
        assertThat(onABoundary).isPositive();
        assertThat(insideABlock).isPositive();
        new Tshark().assertReadsCleanly(file);
        assertThat(new Tshark().count(file, null)).isEqualTo(both.packets);
        return direct;
    }

    @Test
    void diskFileIsByteExactAtEveryFlush() throws Exception {
        boolean direct = assertByteExactAtEveryFlush(tmp.resolve("cap.pcapng"));
        String type = Files.getFileStore(tmp).type();
        if (DISK_FILESYSTEMS.contains(type)) {
            assertThat(direct).as("direct I/O on %s (%s)", tmp, type).isTrue();
        }
    }

    @Test
    void sharedMemoryFileIsByteExactAtEveryFlush() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
        Path dir = Files.createTempDirectory(shm, "plainsight-pcapng-direct-io-test");
        try {
            assertByteExactAtEveryFlush(dir.resolve("cap.pcapng"));
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
