package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;

/**
 * A {@link FrameOutput} that appends pcap records to a caller's {@link ByteBuf}: the pure
 * (no I/O) form of the pcap writer, for tests, fixtures and callers that do their own I/O.
 */
public final class PcapBufferWriter implements FrameOutput {
    private final ByteBuf out;

    /** Appends to {@code out}; writes the global header first when {@code withGlobalHeader}. */
    public PcapBufferWriter(ByteBuf out, boolean withGlobalHeader) {
        this.out = out;
        if (withGlobalHeader) {
            PcapFormat.writeGlobalHeader(out);
        }
    }

    @Override
    public ByteBuf begin(long timestampMicros, int frameLength) {
        out.ensureWritable(PcapFormat.RECORD_HEADER_BYTES + frameLength);
        PcapFormat.writeRecordHeader(out, timestampMicros, frameLength);
        return out;
    }

    @Override
    public void end() {}
}
