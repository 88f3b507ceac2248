package io.plainsight.sink.pcap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes decrypted TCP frames to rotated pcap files in a directory ({@code --pcap-dir DIR},
 * {@code --rotate 1h|15m|30s|100MB|1GB}, hourly by default). Files are named
 * {@code plainsight-YYYYMMDD-HHMMSS.pcap} (UTC; {@code -N} added if the name exists) after the
 * start of their period (time rotation) or their first packet (size rotation). Time rotation
 * follows the events' timestamps, aligned to wall-clock boundaries. Each file is a complete pcap;
 * a connection that spans a rotation continues in the next file with its sequence numbers. Time
 * only moves forward: a packet stamped slightly earlier than the current file's period (events of
 * different connections can arrive a little out of order) goes into the current file.
 *
 * <p>Failures are handled as in {@link PcapFileSink}: logged once, counted, retried.
 */
public final class PcapDirSink extends PcapSink {
    private final Path dir;

    /** A directory sink; the rotation comes from {@link Rotation#parse} or {@link Rotation#HOURLY}. */
    public PcapDirSink(Path dir, Rotation rotation, PcapOptions options) {
        super(options, new Destination(dir.toAbsolutePath(), rotation));
        this.dir = dir.toAbsolutePath();
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            output.failed(e); // said once, now; packets are counted until the directory can be made
        }
    }

    /** Hourly rotation with default options. */
    public PcapDirSink(Path dir) {
        this(dir, Rotation.HOURLY, PcapOptions.defaults());
    }

    @Override
    public String name() {
        return "pcap-dir";
    }

    /** The file being written, or null before the first packet and after a rotation. */
    public Path currentFile() {
        return output.currentPath();
    }

    public Path directory() {
        return dir;
    }

    private static final class Destination implements PcapDestination {
        private final Path dir;
        private final Rotation rotation;
        private long periodStart = Long.MIN_VALUE;

        Destination(Path dir, Rotation rotation) {
            this.dir = dir;
            this.rotation = rotation;
        }

        @Override
        public Path newFile(long timestampMicros) throws IOException {
            Files.createDirectories(dir);
            long stamp = timestampMicros;
            if (rotation instanceof Rotation.ByTime t) {
                periodStart = t.periodStart(timestampMicros);
                stamp = periodStart;
            }
            return CaptureFileNames.unused(dir, stamp);
        }

        @Override
        public boolean rotateBefore(long timestampMicros, long fileBytes, int recordBytes) {
            return switch (rotation) {
                case Rotation.ByTime t -> t.periodStart(timestampMicros) > periodStart;
                case Rotation.BySize s -> fileBytes > PcapFormat.GLOBAL_HEADER_BYTES && fileBytes + recordBytes > s.maxBytes();
            };
        }

        @Override
        public String describe() {
            return dir.toString();
        }
    }
}
