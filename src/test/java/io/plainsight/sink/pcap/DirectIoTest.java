package io.plainsight.sink.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture files written with direct I/O for whole blocks and through the page cache for the last
 * partial block: byte-exact at every flush whether the file ends on a block boundary or not,
 * readable while being written and after rotation, cut back to whole records when the disk fills
 * in the middle of a write, and written the ordinary way where direct I/O is refused.
 */
class DirectIoTest {
    static final long T = 1_700_000_000_000_000L;
    static final int BLOCK = 4096;
    static final Tshark TSHARK = new Tshark();
    /** The smallest buffer: more writes, more partial blocks kept between them. */
    static final PcapOptions SMALL_BUFFER = PcapOptions.defaults().withBufferBytes(PcapOptions.MIN_BUFFER_BYTES);
    static final Set<String> DISK_FILESYSTEMS = Set.of("ext4", "xfs", "btrfs");

    @TempDir Path tmp;

    /** Frames of random bytes, written to an output and kept as the records the file should hold. */
    static final class Frames {
        final Random random;
        final List<byte[]> records = new ArrayList<>();

        Frames(long seed) {
            random = new Random(seed);
        }

        void write(FrameOutput out, int frameLength) {
            byte[] frame = new byte[frameLength];
            random.nextBytes(frame);
            long ts = T + records.size();
            ByteBuf record = Unpooled.buffer();
            new PcapBufferWriter(record, false).begin(ts, frameLength).writeBytes(frame);
            records.add(ByteBufUtil.getBytes(record));
            out.begin(ts, frameLength).writeBytes(frame);
            out.end();
        }

        /** The bytes of a capture file holding the global header and {@code records}. */
        static byte[] file(List<byte[]> records) {
            ByteBuf header = Unpooled.buffer();
            new PcapBufferWriter(header, true);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ByteBufUtil.getBytes(header));
            records.forEach(out::writeBytes);
            return out.toByteArray();
        }

        long fileBytes() {
            return PcapFormat.GLOBAL_HEADER_BYTES + records.stream().mapToLong(r -> r.length).sum();
        }
    }

    static void assertFileHolds(Path file, byte[] expected) throws IOException {
        byte[] actual = Files.readAllBytes(file);
        assertThat(Arrays.mismatch(actual, expected))
                .as("first differing byte of %s (%d bytes, %d expected)", file, actual.length, expected.length)
                .isEqualTo(-1);
    }

    static PcapOutput outputAt(Path file, PcapOptions options) {
        PcapOutput out = new PcapOutput(PcapFileSink.destination(file.toString()), options);
        out.start();
        return out;
    }

    /**
     * Writes records of many sizes, some ending exactly on a block boundary, with flushes in
     * between, and checks the whole file after every flush and after close. Returns whether the
     * file was written with direct I/O.
     */
    static boolean assertByteExactAtEveryFlush(Path file) throws IOException {
        Frames frames = new Frames(file.hashCode());
        Random random = new Random(7);
        int flushesOnABoundary = 0;
        int flushesInsideABlock = 0;
        boolean direct;
        try (PcapOutput out = outputAt(file, SMALL_BUFFER)) {
            direct = out.directIo();
            for (int step = 0; step < 160; step++) {
                long size = frames.fileBytes();
                int frameLength = switch (step % 4) {
                    case 0 -> { // make the file end exactly on a block boundary
                        int gap = (int) (BLOCK - size % BLOCK);
                        yield gap > PcapFormat.RECORD_HEADER_BYTES ? gap - PcapFormat.RECORD_HEADER_BYTES
                                : gap + BLOCK - PcapFormat.RECORD_HEADER_BYTES;
                    }
                    case 1 -> 1 + random.nextInt(3000);
                    case 2 -> 10_000 + random.nextInt(55_000); // many blocks; fills the small buffer now and then
                    default -> 54 + random.nextInt(100);
                };
                frames.write(out, frameLength);
                if (step % 4 == 0 || random.nextInt(3) == 0) {
                    out.flush();
                    assertFileHolds(file, Frames.file(frames.records));
                    if (frames.fileBytes() % BLOCK == 0) {
                        flushesOnABoundary++;
                    } else {
                        flushesInsideABlock++;
                    }
                }
            }
            frames.write(out, 100);
        }
        assertFileHolds(file, Frames.file(frames.records));
        assertThat(flushesOnABoundary).isPositive();
        assertThat(flushesInsideABlock).isPositive();
        return direct;
    }

    @Test
    void diskFileIsByteExactAtEveryFlush() throws Exception {
        assertByteExactAtEveryFlush(tmp.resolve("cap.pcap"));
    }

    @Test
    void diskFilesystemsAreWrittenWithDirectIo() throws Exception {
        String type = Files.getFileStore(tmp).type();
        Assumptions.assumeTrue(DISK_FILESYSTEMS.contains(type), tmp + " is on " + type + ", not a disk filesystem");
        try (PcapOutput out = outputAt(tmp.resolve("cap.pcap"), PcapOptions.defaults())) {
            assertThat(out.directIo()).as("direct I/O on %s (%s)", tmp, type).isTrue();
        }
    }

    @Test
    void sharedMemoryFileIsByteExactAtEveryFlush() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
        Path dir = Files.createTempDirectory(shm, "plainsight-direct-io-test");
        try {
            assertByteExactAtEveryFlush(dir.resolve("cap.pcap")); // tmpfs takes O_DIRECT since Linux 6.6, refuses it before
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void refusedDirectIoFallsBackToOrdinaryWritesWithOneDebugLine() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.ramfs(tmp.resolve("ramfs"));
                LogCapture logs = new LogCapture(Level.DEBUG)) {
            Path file = fs.dir().resolve("cap.pcap");
            assertThat(assertByteExactAtEveryFlush(file)).as("direct I/O on ramfs").isFalse();
            assertThat(logs.at(Level.DEBUG)).singleElement().asString()
                    .contains(file.toString()).contains("page cache").contains("direct I/O refused");
            assertThat(logs.at(Level.INFO)).isEmpty();
            assertThat(logs.at(Level.WARN)).isEmpty();
            assertThat(logs.at(Level.ERROR)).isEmpty();
        }
    }

    @Test
    void liveReaderSeesEveryPacketAfterEachFlush() throws Exception {
        Path file = tmp.resolve("live.pcap");
        int flushesInsideABlock = 0;
        try (PcapFileSink sink = new PcapFileSink(file.toString(), SMALL_BUFFER)) {
            int packets = 0;
            for (int id = 1; id <= 6; id++) {
                packets += PcapFailureTest.exchange(sink, id, T + id * 10, 7_000 * id * id);
                sink.flush();
                TSHARK.assertReadsCleanly(file);
                assertThat(TSHARK.count(file, null)).isEqualTo(packets).isEqualTo(sink.packetsWritten());
                if (Files.size(file) % BLOCK != 0) {
                    flushesInsideABlock++;
                }
            }
        }
        assertThat(flushesInsideABlock).isPositive();
        TSHARK.assertChecksumsAndTcpAnalysisClean(file);
    }

    @Test
    void rotatedFilesAreCompleteAndReadable() throws Exception {
        Path dir = tmp.resolve("caps");
        long written;
        try (PcapDirSink sink = new PcapDirSink(dir, new Rotation.BySize(150_000), SMALL_BUFFER)) {
            for (int id = 1; id <= 8; id++) {
                PcapFailureTest.exchange(sink, id, T + id * 10, 9_000 * id);
            }
            written = sink.packetsWritten();
            assertThat(sink.lostPackets()).isZero();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(2);
        int packets = 0;
        for (Path f : files) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(150_000);
            TSHARK.assertReadsCleanly(f);
            packets += TSHARK.count(f, null);
        }
        assertThat(packets).isEqualTo(written);
    }

    @Test
    void fullDiskOnAnExt4FilesystemKeepsWholeRecordsAndResumes() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.ext4(tmp.resolve("ext4"), 8 << 20)) {
            assertFullDiskKeepsWholeRecordsAndResumes(fs, true); // ext4 fails a direct write whole
        }
    }

    @Test
    void fullDiskInTheMiddleOfAWriteOnTmpfsKeepsWholeRecordsAndResumes() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.tmpfs(tmp.resolve("tmpfs"), 4 << 20)) {
            assertFullDiskKeepsWholeRecordsAndResumes(fs, false); // tmpfs writes what fits, then fails
        }
    }

    /**
     * Fills the disk while records are written, in batches that fill the buffer (whole blocks are
     * written) and batches ended by a flush (everything is written): the file keeps whole records
     * only (a record written in part is cut back), holds exactly the records counted as written,
     * and the output resumes when there is space again.
     */
    static void assertFullDiskKeepsWholeRecordsAndResumes(SmallFilesystem fs, boolean mustBeDirect) throws IOException {
        Path file = fs.dir().resolve("cap.pcap");
        try (LogCapture logs = new LogCapture();
                PcapOutput out = outputAt(file, SMALL_BUFFER.withRetryInterval(Duration.ZERO))) {
            if (mustBeDirect) {
                assertThat(out.directIo()).isTrue();
            }
            Frames frames = new Frames(3);
            writeAndFlush(out, frames, 700_000);
            assertThat(out.lostPackets()).isZero();
            assertFileHolds(file, Frames.file(frames.records));

            fs.fillLeaving(200_000); // writes of whole blocks go in, then one gets part way and fails
            writeAndFlush(out, frames, 600_000);
            assertThat(out.lostPackets()).isPositive();
            assertThat(logs.at(Level.ERROR)).singleElement().asString().contains(file.toString()).contains("disk full");
            assertHoldsRecordsInOrder(file, frames.records, out.packetsWritten());

            writeAndFlush(out, frames, 500_000); // still full, with writes of whole blocks too
            assertHoldsRecordsInOrder(file, frames.records, out.packetsWritten());

            fs.free();
            long lost = out.lostPackets();
            writeAndFlush(out, frames, 100_000);
            assertThat(out.lostPackets()).isEqualTo(lost);
            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("resumed");
            writeAndFlush(out, frames, 700_000);
            assertThat(out.lostPackets()).isEqualTo(lost);
            assertHoldsRecordsInOrder(file, frames.records, out.packetsWritten());
            assertThat(out.packetsWritten() + lost).isEqualTo(frames.records.size());
            if (mustBeDirect) {
                assertThat(out.directIo()).isTrue();
            }
        }
    }

    /** Writes frames of 1..30,000 bytes, {@code bytes} in all, then flushes. */
    private static void writeAndFlush(PcapOutput out, Frames frames, int bytes) {
        for (int left = bytes; left > 0; ) {
            int n = Math.min(left, 1 + frames.random.nextInt(30_000));
            frames.write(out, n);
            left -= n;
        }
        out.flush();
    }

    /**
     * Asserts that the file is the global header followed by whole records, each one of
     * {@code records} and in their order (some may be missing), {@code count} in all.
     */
    static void assertHoldsRecordsInOrder(Path file, List<byte[]> records, long count) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] header = Frames.file(List.of());
        assertThat(Arrays.mismatch(bytes, 0, header.length, header, 0, header.length)).as("global header").isEqualTo(-1);
        int at = header.length;
        int next = 0;
        long found = 0;
        while (at < bytes.length) {
            int recordLength = PcapFormat.RECORD_HEADER_BYTES + (ByteBuffer.wrap(bytes, at + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            assertThat(at + recordLength).as("record at %d of %s is whole", at, file).isLessThanOrEqualTo(bytes.length);
            int start = at;
            while (next < records.size() && (records.get(next).length != recordLength
                    || Arrays.mismatch(bytes, start, start + recordLength, records.get(next), 0, recordLength) != -1)) {
                next++;
            }
            assertThat(next).as("record at %d of %s is one of the records written, in order", at, file).isLessThan(records.size());
            next++;
            found++;
            at += recordLength;
        }
        assertThat(found).as("records in %s", file).isEqualTo(count);
    }
}
