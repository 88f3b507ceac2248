package io.plainsight.sink.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.ExternalProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * A small filesystem mounted for one test (needs the right to mount; the test is skipped where
 * mounting is refused), unmounted on close: tmpfs or ramfs of a given size, or ext4 in an image
 * file on a loop device (a real disk filesystem, with direct I/O).
 */
final class SmallFilesystem implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path image;
    private final Path filler;

    private SmallFilesystem(Path dir, Path image) {
        this.dir = dir;
        this.image = image;
        this.filler = dir.resolve("filler");
    }

    /** A tmpfs of {@code bytes} at {@code dir} (created). */
    static SmallFilesystem tmpfs(Path dir, long bytes) throws IOException {
        return mount(dir, null, "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString());
    }

    /** A ramfs (no size limit, no direct I/O) at {@code dir} (created). */
    static SmallFilesystem ramfs(Path dir) throws IOException {
        return mount(dir, null, "-t", "ramfs", "ramfs", dir.toString());
    }

    /** An ext4 filesystem of {@code bytes}, in an image file next to {@code dir}, mounted at {@code dir}. */
    static SmallFilesystem ext4(Path dir, long bytes) throws IOException {
        Path image = dir.resolveSibling(dir.getFileName() + ".img");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), bytes - 1); // a sparse file of that size
        }
        ExternalProcess.Result mkfs = ExternalProcess.exec(TIMEOUT, "mkfs.ext4", "-q", "-F", image.toString());
        Assumptions.assumeTrue(mkfs.exitCode() == 0, "cannot make an ext4 image here (" + mkfs.stderr().strip() + ")");
        return mount(dir, image, "-o", "loop", image.toString(), dir.toString());
    }

    private static SmallFilesystem mount(Path dir, Path image, String... args) throws IOException {
        Files.createDirectories(dir);
        String[] command = new String[args.length + 1];
        command[0] = "mount";
        System.arraycopy(args, 0, command, 1, args.length);
        ExternalProcess.Result r = ExternalProcess.exec(TIMEOUT, command);
        Assumptions.assumeTrue(r.exitCode() == 0,
                "cannot mount a small filesystem at " + dir + " (" + r.stderr().strip() + "); skipping");
        return new SmallFilesystem(dir, image);
    }

    Path dir() {
        return dir;
    }

    /** Fills the filesystem with a file, then gives back about {@code leave} bytes of it. */
    void fillLeaving(long leave) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
        if (leave > 0) {
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
                ch.truncate(Math.max(0, ch.size() - leave));
            }
        }
    }

    /** Deletes what {@link #fillLeaving} wrote: the space is back. */
    void free() throws IOException {
        Files.delete(filler);
    }

    @Override
    public void close() throws IOException {
        ExternalProcess.exec(TIMEOUT, "umount", dir.toString());
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }
}
