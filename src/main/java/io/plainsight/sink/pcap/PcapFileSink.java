package io.plainsight.sink.pcap;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Sink;
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
public final class PcapFileSink implements Sink {
    private final String target;
    private final ConversationTracker tracker;
    private final PcapOutput output;

    /**
     * @param path the capture file, or "-" for standard output
     * @throws IllegalArgumentException for an empty path
     */
    public PcapFileSink(String path, PcapOptions options) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("--pcap '" + path + "': expected a file name or - for standard output");
        }
        this.target = path;
        this.tracker = new ConversationTracker(options);
        boolean stdout = path.equals("-");
        Path file = stdout ? null : Path.of(path).toAbsolutePath();
        this.output = new PcapOutput(new PcapDestination() {
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
        }, options);
        output.start();
    }

    /** A file sink with default options. */
    public PcapFileSink(Path path) {
        this(path.toString(), PcapOptions.defaults());
    }

    @Override
    public String name() {
        return "pcap";
    }

    @Override
    public void accept(CaptureEvent event) {
        tracker.accept(event, output);
    }

    @Override
    public void flush() {
        output.flush();
    }

    @Override
    public void close() {
        output.close();
    }

    /** Packets that could not be written. */
    public long lostPackets() {
        return output.lostPackets();
    }

    /** Frame bytes (Ethernet header to end of payload) of the packets that could not be written. */
    public long lostBytes() {
        return output.lostBytes();
    }

    /** Packets written (or buffered to be written) so far. */
    public long packetsWritten() {
        return output.packetsWritten();
    }

    /** The path as given ("-" for standard output). */
    public String target() {
        return target;
    }
}
