package io.plainsight.sink.pcap;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Sink;

/**
 * What the pcap sinks share: conversations tracked into TCP frames, written to a
 * {@link PcapOutput} that survives write failures. Subclasses choose the destination.
 */
abstract class PcapSink implements Sink {
    final ConversationTracker tracker;
    final PcapOutput output;

    PcapSink(PcapOptions options, PcapDestination destination) {
        this.tracker = new ConversationTracker(options);
        this.output = new PcapOutput(destination, options);
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

    /** Packets lost to write failures (what metrics and the health check see). */
    @Override
    public long writeFailures() {
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
}
