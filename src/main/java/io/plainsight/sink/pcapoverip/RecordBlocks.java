package io.plainsight.sink.pcapoverip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.plainsight.sink.pcap.FrameOutput;
import io.plainsight.sink.pcap.PcapFormat;

/**
 * A {@link FrameOutput} that collects pcap records (record header and frame, no global header) in
 * large buffers and hands them out as blocks of whole records: the stream a PCAP-over-IP reader
 * gets after the global header. No I/O: {@link #take()} returns what was written since the last
 * call as one slice (no copy), which every reader then shares and nobody writes to.
 *
 * <p>Records are written straight into the current buffer; a record that does not fit in what is
 * left of it starts a new one, so a block never splits a record.
 */
final class RecordBlocks implements FrameOutput, AutoCloseable {
    /** The largest record: header, Ethernet, IPv6, TCP with options, a maximal segment. */
    static final int MAX_RECORD = PcapFormat.RECORD_HEADER_BYTES + 14 + 40 + 60 + 65_535;
    /** Size of the buffers records are collected in. */
    static final int BUFFER_BYTES = 256 << 10;

    /** Whole records taken out as one piece, and how many records it holds. */
    record Block(ByteBuf data, int packets) {}

    private final ByteBufAllocator allocator;
    private final int bufferBytes;
    private ByteBuf buffer;
    /** Where in {@link #buffer} the records not yet taken start. */
    private int takenUpTo;
    private int packets;
    /** Records begun and not ended: the whole buffer is withheld from {@link #take()} meanwhile. */
    private boolean inRecord;
    private int frameLength;
    /** Bytes of every record ended so far (record headers included). */
    private long recordBytes;

    RecordBlocks(ByteBufAllocator allocator) {
        this(allocator, BUFFER_BYTES);
    }

    RecordBlocks(ByteBufAllocator allocator, int bufferBytes) {
        if (bufferBytes < MAX_RECORD) {
            throw new IllegalArgumentException("record buffer of " + bufferBytes + " bytes: the largest record needs " + MAX_RECORD);
        }
        this.allocator = allocator;
        this.bufferBytes = bufferBytes;
    }

    /**
     * Called with the records written so far when a record does not fit into the current buffer
     * (a block is full); {@link #take()} returns the rest. The listener takes ownership of the block.
     */
    interface FullListener {
        void full(Block block);
    }

    private FullListener onFull = b -> b.data().release();

    void onFull(FullListener listener) {
        this.onFull = listener;
    }

    @Override
    public ByteBuf begin(long timestampMicros, int frameLength) {
        int record = PcapFormat.RECORD_HEADER_BYTES + frameLength;
        if (buffer == null || buffer.writableBytes() < record) {
            if (buffer != null) {
                Block full = take();
                if (full != null) {
                    onFull.full(full);
                }
                buffer.release();
            }
            buffer = allocator.directBuffer(Math.max(bufferBytes, record), Math.max(bufferBytes, record));
            takenUpTo = 0;
        }
        inRecord = true;
        this.frameLength = frameLength;
        PcapFormat.writeRecordHeader(buffer, timestampMicros, frameLength);
        return buffer;
    }

    @Override
    public void end() {
        inRecord = false;
        packets++;
        recordBytes += PcapFormat.RECORD_HEADER_BYTES + frameLength;
    }

    /** Bytes of every record written so far, record headers included. */
    long recordBytes() {
        return recordBytes;
    }

    /** The whole records written since the last call, or null when there are none. */
    Block take() {
        if (buffer == null || inRecord || buffer.writerIndex() == takenUpTo) {
            return null;
        }
        ByteBuf slice = buffer.retainedSlice(takenUpTo, buffer.writerIndex() - takenUpTo);
        Block b = new Block(slice, packets);
        takenUpTo = buffer.writerIndex();
        packets = 0;
        return b;
    }

    /** Forgets the records written since the last {@link #take()} (nobody is there to read them). */
    int discard() {
        int n = packets;
        if (buffer != null && !inRecord) {
            if (takenUpTo == 0) {
                buffer.clear();
            } else {
                takenUpTo = buffer.writerIndex();
            }
        }
        packets = 0;
        return n;
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
