package io.plainsight.sink.pcap;

/**
 * An output that takes its frames from another sink's synthesis, on that sink's thread, instead of
 * synthesizing the same frames again from bus events of its own: PCAP-over-IP beside a PCAP file
 * ({@link PcapSink#follow}), a PCAP file beside a PCAPNG file (whose decrypted streams are the same
 * frames). Both follow the same {@link PcapOptions}. The sink followed keeps them in a
 * {@link FrameFollowers}.
 */
public interface FrameFollower {
    /** Where the PCAP sink copies each frame it synthesizes, as it writes it. */
    FrameOutput frames();

    /** Called on the PCAP sink's thread after each of its flushes. */
    void flush();

    /** Called on the PCAP sink's thread when it closes, after its own file is closed. */
    void close();

    /** Packets this output could not write (counted by the sink it follows, for metrics and health). */
    default long writeFailures() {
        return 0;
    }

}
