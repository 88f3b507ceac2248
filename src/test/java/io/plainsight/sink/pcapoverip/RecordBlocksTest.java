package io.plainsight.sink.pcapoverip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.DataChunk;
import io.plainsight.sink.pcap.ConversationTracker;
import io.plainsight.sink.pcap.PcapFormat;
import io.plainsight.sink.pcap.PcapOptions;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The blocks of records a stream is cut into: whole records, in order, the same bytes as the pure writer's. */
class RecordBlocksTest {
    /** Leak detection on: every block must be released by whoever took it. */
    final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true, false, true);

    @Test
    void blocksHoldWholeRecordsAndTogetherAreThePureWritersBytes() {
        // the smallest buffer allowed, and 60,000-byte segments: most blocks end early, none splits a record
        PcapOptions options = PcapOptions.defaults().withMss(65_000);
        ConversationTracker tracker = new ConversationTracker(options);
        RecordBlocks blocks = new RecordBlocks(allocator, RecordBlocks.MAX_RECORD);
        List<RecordBlocks.Block> taken = new ArrayList<>();
        blocks.onFull(taken::add);
        feed(tracker, blocks, Conversations.http(1, "/a", 700_000, 60_000));
        feed(tracker, blocks, Conversations.http(2, "/b", 5));
        RecordBlocks.Block last = blocks.take();
        assertThat(last).isNotNull();
        taken.add(last);
        assertThat(blocks.take()).as("nothing new").isNull();
        blocks.close();

        assertThat(taken.size()).isGreaterThan(5);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int packets = 0;
        for (RecordBlocks.Block b : taken) {
            assertThat(recordsIn(b.data())).as("whole records").isEqualTo(b.packets());
            packets += b.packets();
            byte[] bytes = new byte[b.data().readableBytes()];
            b.data().readBytes(bytes);
            all.writeBytes(bytes);
            assertThat(b.data().release()).as("the last reference").isTrue();
        }
        byte[] expected = Conversations.records(options, false,
                List.of(Conversations.http(1, "/a", 700_000, 60_000), Conversations.http(2, "/b", 5)));
        assertThat(all.toByteArray()).isEqualTo(expected);
        assertThat(packets).isEqualTo(recordsIn(io.netty.buffer.Unpooled.wrappedBuffer(expected)));
    }

    @Test
    void discardForgetsOnlyWhatWasNotTaken() {
        ConversationTracker tracker = new ConversationTracker(PcapOptions.defaults());
        RecordBlocks blocks = new RecordBlocks(allocator);
        List<CaptureEvent> first = Conversations.http(1, "/a", 1000);
        List<CaptureEvent> second = Conversations.http(2, "/b", 1000);
        feed(tracker, blocks, first.subList(0, 3));
        RecordBlocks.Block kept = blocks.take();
        feed(tracker, blocks, first.subList(3, first.size()));
        assertThat(blocks.discard()).as("packets forgotten").isPositive();
        feed(tracker, blocks, second);
        RecordBlocks.Block after = blocks.take();
        byte[] secondAlone = Conversations.records(false, List.of(Conversations.http(2, "/b", 1000)));
        assertThat(bytes(after.data())).isEqualTo(secondAlone);
        assertThat(recordsIn(kept.data())).isEqualTo(kept.packets()).isPositive();
        kept.data().release();
        after.data().release();
        blocks.close();
    }

    @Test
    void aBufferTooSmallForTheLargestRecordIsRefused() {
        assertThatThrownBy(() -> new RecordBlocks(allocator, 64 << 10))
                .hasMessageContaining("the largest record needs " + RecordBlocks.MAX_RECORD);
    }

    private static void feed(ConversationTracker tracker, RecordBlocks blocks, List<CaptureEvent> events) {
        for (CaptureEvent e : events) {
            tracker.accept(e, blocks);
            if (e instanceof DataChunk d) {
                d.data().release();
            }
        }
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    /** Counts the records in {@code b} walking their headers; fails when the last one is cut. */
    static int recordsIn(ByteBuf b) {
        int n = 0;
        int at = b.readerIndex();
        int end = b.writerIndex();
        while (at < end) {
            assertThat(end - at).as("room for a record header").isGreaterThanOrEqualTo(PcapFormat.RECORD_HEADER_BYTES);
            int incl = b.getIntLE(at + 8);
            at += PcapFormat.RECORD_HEADER_BYTES + incl;
            assertThat(at).as("record %d ends within the block", n).isLessThanOrEqualTo(end);
            n++;
        }
        return n;
    }
}
