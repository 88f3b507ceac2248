package io.plainsight.sink.pcapng;

import io.plainsight.sink.pcap.CaptureFileNames;
import io.plainsight.sink.pcap.Rotation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a {@link PcapngOutput} writes: one file ({@code --pcapng FILE}, replaced if it exists), or
 * rotated files in a directory ({@code --pcapng DIR/}, with {@code --rotate} as for
 * {@code --pcap-dir}) named {@code plainsight-YYYYMMDD-HHMMSS[-N].pcapng} in UTC.
 */
interface PcapngDestination {
    /** Chooses (and prepares the directory of) a new file whose first packet carries {@code timestampMicros}. */
    Path newFile(long timestampMicros) throws IOException;

    /**
     * Whether a packet block of {@code blockBytes} stamped {@code timestampMicros} should go into a
     * new file, the current one holding {@code fileBytes} and {@code packets} packets.
     */
    boolean rotateBefore(long timestampMicros, long fileBytes, long packets, int blockBytes);

    /** The destination as the user named it, for messages. */
    String describe();

    /** One file. */
    static PcapngDestination file(Path path) {
        Path file = path.toAbsolutePath();
        return new PcapngDestination() {
            @Override
            public Path newFile(long timestampMicros) throws IOException {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                return file;
            }

            @Override
            public boolean rotateBefore(long timestampMicros, long fileBytes, long packets, int blockBytes) {
                return false;
            }

            @Override
            public String describe() {
                return file.toString();
            }
        };
    }

    /**
     * Rotated files in {@code dir}. Time rotation follows the events' timestamps, aligned to
     * wall-clock periods, and only moves forward; size rotation starts a new file before a packet
     * that would make a file with packets in it larger than the limit.
     */
    static PcapngDestination directory(Path dir, Rotation rotation) {
        Path absolute = dir.toAbsolutePath();
        return new PcapngDestination() {
            private long periodStart = Long.MIN_VALUE;

            @Override
            public Path newFile(long timestampMicros) throws IOException {
                Files.createDirectories(absolute);
                long stamp = timestampMicros;
                if (rotation instanceof Rotation.ByTime t) {
                    periodStart = Math.max(periodStart, t.periodStart(timestampMicros));
                    stamp = periodStart;
                }
                return CaptureFileNames.unused(absolute, stamp, ".pcapng");
            }

            @Override
            public boolean rotateBefore(long timestampMicros, long fileBytes, long packets, int blockBytes) {
                return switch (rotation) {
                    case Rotation.ByTime t -> t.periodStart(timestampMicros) > periodStart;
                    case Rotation.BySize s -> packets > 0 && fileBytes + blockBytes > s.maxBytes();
                };
            }

            @Override
            public String describe() {
                return absolute + "/";
            }
        };
    }
}
