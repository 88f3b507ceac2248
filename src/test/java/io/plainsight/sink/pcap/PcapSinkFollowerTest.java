package io.plainsight.sink.pcap;

import static io.plainsight.sink.pcap.TestEvents.C2S;
import static io.plainsight.sink.pcap.TestEvents.S2C;
import static io.plainsight.sink.pcap.TestEvents.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CloseKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PCAP sink's followers (PCAP-over-IP beside a PCAP file) get a copy of every frame the sink
 * synthesizes: the same records, byte for byte, as its file holds after the global header, and are
 * flushed and closed by it. A file that cannot be written costs the followers nothing.
 */
class PcapSinkFollowerTest {
    static final long T0 = 1_700_000_000_000_000L;

    @TempDir Path tmp;

    /** Collects pcap records (record header and frame) in one heap buffer. */
    static class Recording implements FrameFollower, FrameOutput {
        final ByteBuf records = Unpooled.buffer();
        final List<String> calls = new ArrayList<>();
        int frames;

        @Override
        public FrameOutput frames() {
            return this;
        }

        @Override
        public ByteBuf begin(long timestampMicros, int frameLength) {
            PcapFormat.writeRecordHeader(records, timestampMicros, frameLength);
            records.ensureWritable(frameLength);
            return records;
        }

        @Override
        public void end() {
            frames++;
        }

        @Override
        public void flush() {
            calls.add("flush after " + frames);
        }

        @Override
        public void close() {
            calls.add("close after " + frames);
        }

        byte[] bytes() {
            return ByteBufUtil.getBytes(records);
        }
    }

    /** Two interleaved connections (IPv4 and IPv6), small and large chunks, heap and direct buffers, an MSS of 500. */
    static void conversation(PcapSink sink) {
        TestEvents ev = new TestEvents(sink);
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        ev.open(1, T0, addr("192.0.2.10", 51000), addr("198.51.100.20", 8443), true);
        ev.open(2, T0 + 10, addr("2001:db8::10", 51001), addr("2001:db8::20", 443), true);
        ev.data(1, T0 + 1000, C2S, "GET /a HTTP/1.1\r\nHost: a.test\r\n\r\n");
        ev.data(2, T0 + 1100, C2S, "POST /b HTTP/1.1\r\nHost: b.test\r\nContent-Length: 300000\r\n\r\n");
        ev.dataDirect(2, T0 + 1200, C2S, big, 16_384);
        ev.data(1, T0 + 2000, S2C, "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n");
        ev.data(1, T0 + 2100, S2C, big);
        ev.data(2, T0 + 3000, S2C, "HTTP/1.1 204 No Content\r\n\r\n");
        ev.close(1, T0 + 4000, CloseKind.FIN, S2C);
        ev.close(2, T0 + 4100, CloseKind.ERROR, null);
    }

    @Test
    void aFollowerGetsTheRecordsOfTheFileByteForByteAndIsFlushedAndClosedWithIt() throws IOException {
        Path file = tmp.resolve("a.pcap");
        Recording follower = new Recording();
        Recording second = new Recording();
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults().withMss(500))) {
            sink.follow(follower);
            sink.follow(second);
            assertThat(sink.followers()).containsExactly(follower, second);
            conversation(sink);
            sink.flush();
            assertThat(follower.calls).containsExactly("flush after " + follower.frames);
        }
        byte[] written = Files.readAllBytes(file);
        assertThat(follower.frames).isGreaterThan(2 * 300_000 / 500);
        byte[] records = Arrays.copyOfRange(written, PcapFormat.GLOBAL_HEADER_BYTES, written.length);
        assertThat(follower.bytes()).isEqualTo(records);
        assertThat(second.bytes()).isEqualTo(records);
        assertThat(follower.calls).containsExactly("flush after " + follower.frames, "close after " + follower.frames);
        assertThat(second.calls).isEqualTo(follower.calls);
    }

    @Test
    void aFileThatCannotBeWrittenLosesItsPacketsButNotTheFollowers() throws IOException {
        Path good = tmp.resolve("good.pcap");
        try (PcapFileSink sink = new PcapFileSink(good.toString(), PcapOptions.defaults().withMss(500))) {
            conversation(sink);
        }
        Files.writeString(tmp.resolve("not-a-dir"), "x");
        Recording follower = new Recording();
        long lost;
        try (PcapFileSink sink = new PcapFileSink(tmp.resolve("not-a-dir/bad.pcap").toString(),
                PcapOptions.defaults().withMss(500))) {
            sink.follow(follower);
            conversation(sink);
            sink.flush();
            lost = sink.lostPackets();
        }
        byte[] written = Files.readAllBytes(good);
        assertThat(lost).isEqualTo(follower.frames).isPositive();
        assertThat(follower.bytes()).isEqualTo(Arrays.copyOfRange(written, PcapFormat.GLOBAL_HEADER_BYTES, written.length));
    }

    /** A follower that fails on every third frame it is given, and when it is closed. */
    static final class Failing extends Recording {
        int begun;

        @Override
        public ByteBuf begin(long timestampMicros, int frameLength) {
            if (++begun % 3 == 0) {
                throw new IllegalStateException("no room for frame " + begun);
            }
            return super.begin(timestampMicros, frameLength);
        }

        @Override
        public void close() {
            super.close();
            throw new IllegalStateException("cannot close");
        }
    }

    @Test
    void aFollowerThatFailsCostsTheFileAndTheOtherFollowersNothingAndIsCountedAndSaidOnce() throws IOException {
        Path good = tmp.resolve("good.pcap");
        try (PcapFileSink sink = new PcapFileSink(good.toString(), PcapOptions.defaults().withMss(500))) {
            conversation(sink);
        }
        Path file = tmp.resolve("with-failing.pcap");
        Failing failing = new Failing();
        Recording after = new Recording();
        long failures;
        try (LogCapture logs = new LogCapture("io.plainsight.sink.pcap")) {
            PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults().withMss(500));
            sink.follow(failing);
            sink.follow(after);
            conversation(sink);
            sink.close();
            failures = sink.writeFailures();
            assertThat(logs.at(ch.qos.logback.classic.Level.ERROR)).hasSize(2)
                    .anySatisfy(l -> assertThat(l).contains("failed on a packet copied to it").contains("no room for frame 3"))
                    .anySatisfy(l -> assertThat(l).contains("failed closing").contains("cannot close"));
        }
        byte[] written = Files.readAllBytes(file);
        assertThat(written).isEqualTo(Files.readAllBytes(good));
        assertThat(after.bytes()).isEqualTo(Arrays.copyOfRange(written, PcapFormat.GLOBAL_HEADER_BYTES, written.length));
        assertThat(after.calls).containsExactly("close after " + after.frames); // closed although the one before it threw
        assertThat(failing.begun).isEqualTo(after.frames);
        assertThat(failures).isEqualTo(after.frames / 3).isPositive();
    }
}
