package io.plainsight.offline.capture;

import java.io.IOException;

/** One capture file format's record loop: pcap ({@link PcapRecords}) or pcapng ({@link PcapngBlocks}). */
interface RecordFormat {
    /**
     * Reads and handles the next record (a packet, or a block of any kind); false at the end of the
     * input. Problems in the file go to {@link CaptureListener#warning}; every call that returns
     * true has consumed at least one byte.
     */
    boolean next(CaptureListener listener) throws IOException;

    /** Packets (records holding a frame) read so far, including those skipped. */
    long packets();

    /** For messages and reports: "pcap (microsecond timestamps, little-endian)". */
    String description();
}
