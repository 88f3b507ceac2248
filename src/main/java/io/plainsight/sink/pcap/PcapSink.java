package io.plainsight.sink.pcap;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Sink;
import java.util.List;

/**
 * What the pcap sinks share: conversations tracked into TCP frames, written to a
 * {@link PcapOutput} that survives write failures, and copied to the {@link FrameFollower}s that
 * follow this sink. Subclasses choose the destination.
 */
public abstract class PcapSink implements Sink, FrameFollower {
    final ConversationTracker tracker;
    final PcapOutput output;
    private final FrameFollowers followers;

    PcapSink(PcapOptions options, PcapDestination destination) {
        this.tracker = new ConversationTracker(options);
        this.output = new PcapOutput(destination, options);
        this.followers = new FrameFollowers(output);
    }

    /**
     * Gives every frame from now on to {@code follower} too, which this sink then flushes and closes
     * on its own thread: one synthesis instead of one per output (and one bus queue fewer). The
     * follower must want exactly the frames of this sink's options. Call it before the sink is
     * given to a bus.
     */
    public void follow(FrameFollower follower) {
        followers.add(follower, follower instanceof Sink s ? s.name() : "a copy of " + name());
    }

    /** The followers given to {@link #follow}, in that order. */
    public List<FrameFollower> followers() {
        return followers.list();
    }

    @Override
    public void accept(CaptureEvent event) {
        tracker.accept(event, followers.frames());
    }

    /**
     * Where frames made by another sink go when this sink follows it (then nothing calls
     * {@link #accept}): its file, and its own followers, also those it gets later.
     */
    @Override
    public FrameOutput frames() {
        return new FrameOutput() {
            @Override
            public io.netty.buffer.ByteBuf begin(long timestampMicros, int frameLength) {
                return followers.frames().begin(timestampMicros, frameLength);
            }

            @Override
            public void end() {
                followers.frames().end();
            }
        };
    }

    @Override
    public void flush() {
        output.flush();
        followers.flush();
    }

    @Override
    public void close() {
        output.close();
        followers.close();
    }

    /** Packets that could not be written. */
    public long lostPackets() {
        return output.lostPackets();
    }

    /** Packets lost to write failures, the followers' included (what metrics and the health check see). */
    @Override
    public long writeFailures() {
        return output.lostPackets() + followers.writeFailures();
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
