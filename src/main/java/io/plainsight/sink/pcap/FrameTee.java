package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;

/**
 * A {@link FrameOutput} that gives each frame to two outputs: it is synthesized once into the
 * first one's buffer, and copied into the second one's when it ends. The first output decides
 * nothing for the second: a frame the first one discards (its file cannot be written) still reaches
 * the second.
 */
final class FrameTee implements FrameOutput {
    private final FrameOutput first;
    private final FrameOutput second;
    private ByteBuf buffer;
    private int start;
    private int length;
    private long timestampMicros;

    FrameTee(FrameOutput first, FrameOutput second) {
        this.first = first;
        this.second = second;
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
        ByteBuf copy = second.begin(timestampMicros, length);
        copy.writeBytes(buffer, start, length);
        second.end();
        first.end();
        buffer = null;
    }
}
