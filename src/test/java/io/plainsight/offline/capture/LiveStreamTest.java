package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * A live stream ({@code tcpdump -U -w - | plainsight decrypt - ...}): every record must be
 * delivered as soon as its last byte has arrived, before the reader waits for more. The stream
 * below hands out one record at a time, and only when the reader asks for bytes it does not have;
 * at that moment everything handed out must already have reached the listener.
 */
class LiveStreamTest {

    /** Gives {@code data} up to the next boundary only once the reader has used up what it was given. */
    static final class OneRecordAtATime extends InputStream {
        private final byte[] data;
        private final List<Integer> ends;
        private final IntConsumer beforeRelease;
        private int released;
        private int limit;
        private int pos;
        int starvations;

        OneRecordAtATime(byte[] data, List<Integer> ends, IntConsumer beforeRelease) {
            this.data = data;
            this.ends = ends;
            this.beforeRelease = beforeRelease;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == limit) {
                starvations++;
                beforeRelease.accept(released); // the reader is about to wait: check what it delivered
                if (released == ends.size()) {
                    return -1;
                }
                limit = ends.get(released++);
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void pcapPacketsArriveBeforeTheNextIsRead() throws IOException {
        byte[] pcap = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
        List<Integer> ends = new ArrayList<>();
        ends.add(24);
        for (int o : BadInputTest.pcapRecords(pcap)) {
            ends.add(o + 16 + Bytes.i32(pcap, o + 8, false));
        }
        Recorder r = new Recorder();
        List<Integer> checked = new ArrayList<>();
        OneRecordAtATime in = new OneRecordAtATime(pcap, ends, released -> {
            // released units: the file header, then records 1..released-1
            int packetsOut = Math.max(0, released - 1);
            assertThat(r.events).as("events when waiting after %d records", packetsOut).hasSize(packetsOut);
            checked.add(packetsOut);
        });
        try (CaptureReader reader = CaptureReader.open(in, "live")) {
            reader.readAll(r);
        }
        assertThat(r.events).hasSize(18);
        assertThat(checked).contains(0, 1, 5, 17, 18);
        assertThat(in.starvations).isEqualTo(ends.size() + 1);
    }

    @Test
    void pcapngBlocksIncludingSecretsArriveBeforeTheNextIsRead() throws IOException {
        byte[] pcapng = TestCaptures.resource("fixtures/interfaces-le.pcapng");
        List<Integer> blocks = BadInputTest.pcapngBlocks(pcapng);
        List<Integer> ends = new ArrayList<>();
        for (int o : blocks) {
            ends.add(o + Bytes.i32(pcapng, o + 4, false));
        }
        Recorder r = new Recorder();
        OneRecordAtATime in = new OneRecordAtATime(pcapng, ends, released -> {
            int packets = 0;
            int secrets = 0;
            for (int i = 0; i < released; i++) {
                int type = Bytes.i32(pcapng, blocks.get(i), false);
                switch (type) {
                    case PcapngBlocks.EPB, PcapngBlocks.PB, PcapngBlocks.SPB, PcapngBlocks.CB_COPY, PcapngBlocks.CB_NO_COPY,
                            PcapngBlocks.SJE -> packets++;
                    case PcapngBlocks.DSB -> secrets++;
                    default -> { }
                }
            }
            long packetEvents = r.events.stream().filter(e -> e.startsWith("segment") || e.startsWith("skipped")).count();
            assertThat(packetEvents).as("packets delivered after %d blocks", released).isEqualTo(packets);
            assertThat(r.secrets).as("secrets delivered after %d blocks", released).hasSize(secrets);
        });
        try (CaptureReader reader = CaptureReader.open(in, "live")) {
            reader.readAll(r);
        }
        assertThat(r.secrets).hasSize(2);
        assertThat(in.starvations).isEqualTo(blocks.size() + 1);
    }

    @Test
    void gzipStreamPacketsArriveWithoutWaitingForMoreThanTheGzipLayerNeeds() throws IOException {
        // gzip output is only flushed in blocks, so a live gzip stream is delivered block by block; here the whole
        // compressed stream trickles in one byte per read, and everything must come out the same
        byte[] pcap = TestCaptures.resource("fixtures/ipv4-fragments.pcap");
        TrickleInputStream in = new TrickleInputStream(TestCaptures.gzip(pcap), 1);
        Recorder r = new Recorder();
        try (CaptureReader reader = CaptureReader.open(in, "live.gz")) {
            reader.readAll(r);
        }
        assertThat(r.segments).isEqualTo(TestCaptures.read(pcap, "x").segments);
    }
}
