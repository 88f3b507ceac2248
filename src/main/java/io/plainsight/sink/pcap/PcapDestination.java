package io.plainsight.sink.pcap;

import java.io.IOException;
import java.nio.file.Path;

/** Where a {@link PcapOutput} writes: which file to start, and when to start another one. */
interface PcapDestination {
    /**
     * Chooses (and prepares the directory of) a new capture file whose first record carries
     * {@code timestampMicros}. Returns null for standard output.
     */
    Path newFile(long timestampMicros) throws IOException;

    /**
     * Whether a record of {@code recordBytes} with this timestamp should go into a new file, the
     * current one holding {@code fileBytes} (global header included).
     */
    boolean rotateBefore(long timestampMicros, long fileBytes, int recordBytes);

    /** The destination as the user named it, for messages. */
    String describe();
}
