package io.plainsight.sink.pcap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes every conversation as decrypted TCP frames to one classic pcap file ({@code --pcap FILE}),
 * or to standard output when the path is "-". An existing file is replaced.
 *
 * <p>The sink never throws for an unwritable path or a full disk: it logs once, counts what it
 * cannot write ({@link #lostPackets()}, {@link #lostBytes()}), retries at most once per retry
 * interval, and the file always ends on a whole record.
 */
public final class PcapFileSink extends PcapSink {
    private final String target;

    /**
     * @param path the capture file, or "-" for standard output
     * @throws IllegalArgumentException for an empty path
     */
    public PcapFileSink(String path, PcapOptions options) {
        super(options, destination(path));
        this.target = path;
        output.start();
    }

    /** The destination of {@code --pcap PATH}: one file, or standard output for "-". */
    static PcapDestination destination(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("--pcap '" + path + "': expected a file name or - for standard output");
        }
        boolean stdout = path.equals("-");
        Path file = stdout ? null : Path.of(path).toAbsolutePath();
        return new PcapDestination() {
            @Override
            public Path newFile(long timestampMicros) throws IOException {
                if (file != null && file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                return file;
            }

            @Override
            public boolean rotateBefore(long timestampMicros, long fileBytes, int recordBytes) {
                return false;
            }

            @Override
            public String describe() {
                return stdout ? "standard output" : file.toString();
            }
        };
    }

    /** A file sink with default options. */
    public PcapFileSink(Path path) {
        this(path.toString(), PcapOptions.defaults());
    }

    @Override
    public String name() {
        return "pcap";
    }

    /** The path as given ("-" for standard output). */
    public String target() {
        return target;
    }
}
