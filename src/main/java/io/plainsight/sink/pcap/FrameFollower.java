package io.plainsight.sink.pcap;

/**
 * An output that takes its frames from a PCAP sink's synthesis, on that sink's thread, instead of
 * synthesizing the same frames again from bus events of its own (PCAP-over-IP beside a PCAP file,
 * with the same {@link PcapOptions}). See {@link PcapSink#follow}.
 */
public interface FrameFollower {
    /** Where the PCAP sink copies each frame it synthesizes, as it writes it. */
    FrameOutput frames();

    /** Called on the PCAP sink's thread after each of its flushes. */
    void flush();

    /** Called on the PCAP sink's thread when it closes, after its own file is closed. */
    void close();
}
