package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameOutput} that gives each frame to two outputs: it is synthesized once into the
 * first one's buffer, and copied into the second one's (a follower's) when it ends. The first output
 * decides nothing for the second: a frame the first one discards (its file cannot be written) still
 * reaches the second. Nor the other way round: a frame the second one fails on (an exception) is
 * counted and said once, and the first one still ends its frame, so its file stays whole.
 */
final class FrameTee implements FrameOutput {
    private static final Logger log = LoggerFactory.getLogger(FrameTee.class);

    private final FrameOutput first;
    private final FrameOutput second;
    private final String secondName;
    private ByteBuf buffer;
    private int start;
    private int length;
    private long timestampMicros;
    private long failedFrames;

    FrameTee(FrameOutput first, FrameOutput second, String secondName) {
        this.first = first;
        this.second = second;
        this.secondName = secondName;
    }

    @Override
    public ByteBuf begin(long timestampMicros, int frameLength) {
        ByteBuf b = first.begin(timestampMicros, frameLength);
        this.buffer = b;
        this.start = b.writerIndex();
        this.length = frameLength;
        this.timestampMicros = timestampMicros;
        return b;
    }

    @Override
    public void end() {
        try {
            ByteBuf copy = second.begin(timestampMicros, length);
            copy.writeBytes(buffer, start, length);
            second.end();
        } catch (RuntimeException e) {
            if (failedFrames++ == 0) {
                log.error("{} failed on a packet copied to it: {} (the output it copies from is not affected; "
                        + "further failures are counted, not logged)", secondName, e.toString());
            }
        } finally {
            first.end();
            buffer = null;
        }
    }

    /** Frames the second output failed on. */
    long failedFrames() {
        return failedFrames;
    }
}
