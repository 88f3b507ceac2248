package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedFileInputTest {
    @TempDir
    Path tmp;

    private Path file(int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path f = tmp.resolve("f" + seed);
        Files.write(f, b);
        return f;
    }

    /** Reads everything with reads of varying sizes, none of which lines up with the windows. */
    private static byte[] readAll(MappedFileInput in, long seed) throws IOException {
        Random sizes = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[10_000];
        int n;
        while ((n = in.read(b, 3, 1 + sizes.nextInt(b.length - 3))) >= 0) {
            assertThat(n).isPositive();
            out.write(b, 3, n);
        }
        return out.toByteArray();
    }

    @Test
    void readsTheFileByteForByteAcrossWindows() throws IOException {
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 3 * 4096, 100_000}) {
            Path f = file(size, size);
            try (MappedFileInput in = MappedFileInput.open(f, 4096)) {
                assertThat(readAll(in, size)).as("size %d", size).isEqualTo(Files.readAllBytes(f));
                assertThat(in.read()).isEqualTo(-1);
                assertThat(in.available()).isZero();
            }
        }
    }

    @Test
    void singleBytesSkipAndAvailable() throws IOException {
        Path f = file(10_000, 7);
        byte[] want = Files.readAllBytes(f);
        try (MappedFileInput in = MappedFileInput.open(f, 4096)) {
            assertThat(in.available()).isEqualTo(10_000);
            assertThat(in.read()).isEqualTo(want[0] & 0xFF);
            assertThat(in.skip(5000)).isEqualTo(5000);
            assertThat(in.read()).isEqualTo(want[5001] & 0xFF);
            assertThat(in.available()).isEqualTo(10_000 - 5002);
            assertThat(in.skip(1_000_000)).isEqualTo(10_000 - 5002);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    /** tcpdump may still be writing the capture: what it appends before the reader gets there is read. */
    @Test
    void aFileThatGrowsIsReadToItsNewEnd() throws IOException {
        Path f = file(5000, 1);
        byte[] more = new byte[7000];
        new Random(2).nextBytes(more);
        try (MappedFileInput in = MappedFileInput.open(f, 4096)) {
            byte[] first = new byte[5000];
            int got = 0;
            while (got < first.length) {
                got += in.read(first, got, first.length - got);
            }
            Files.write(f, more, StandardOpenOption.APPEND);
            assertThat(readAll(in, 3)).isEqualTo(more);
        }
    }

    @Test
    void aFileCutShorterUnderTheMappingFailsTheReadNamingIt() throws IOException {
        Path f = file(3 * 4096, 4);
        try (MappedFileInput in = MappedFileInput.open(f, 3 * 4096)) {
            byte[] b = new byte[100];
            assertThat(in.read(b, 0, 100)).isEqualTo(100);
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(0);
            }
            assertThatThrownBy(() -> in.read(new byte[8192], 0, 8192))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("shrank");
        }
    }

    /** A file cut shorter beyond the window being read: the read ends (or fails naming the file), the JVM lives. */
    @Test
    void aFileCutShorterBeyondTheCurrentWindowEndsOrFailsTheRead() throws IOException {
        Path f = file(8 * 4096, 6);
        try (MappedFileInput in = MappedFileInput.open(f, 4096)) {
            byte[] b = new byte[4096];
            assertThat(in.read(b, 0, 4096)).isEqualTo(4096);
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(4096 + 100);
            }
            long got = 0;
            try {
                int n;
                while ((n = in.read(b, 0, b.length)) >= 0) {
                    got += n;
                }
            } catch (IOException e) {
                assertThat(e).hasMessageContaining(f.toString()).hasMessageContaining("shrank");
            }
            assertThat(got).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void notARegularFileAndReadsAfterClose() throws IOException {
        assertThatThrownBy(() -> MappedFileInput.open(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(tmp.toString())
                .hasMessageContaining("not a regular file");
        Path f = file(10, 5);
        MappedFileInput in = MappedFileInput.open(f);
        assertThat(in.read()).isNotNegative();
        in.close();
        in.close();
        assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }
}
