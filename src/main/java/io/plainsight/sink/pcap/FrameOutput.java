package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;

/**
 * Where synthesized frames go. The producer announces a frame with its timestamp and exact length,
 * writes exactly {@code frameLength} bytes into the returned buffer (at its writer index), then
 * calls {@link #end()}. The output may prefix a record header; it never copies the frame again.
 */
public interface FrameOutput {
    /**
     * Starts a frame.
     *
     * @param timestampMicros capture time, microseconds since the epoch
     * @param frameLength the number of bytes the caller will write
     * @return the buffer to write the frame into, with at least {@code frameLength} writable bytes
     */
    ByteBuf begin(long timestampMicros, int frameLength);

    /** Completes the frame started by the last {@link #begin}. */
    void end();
}
