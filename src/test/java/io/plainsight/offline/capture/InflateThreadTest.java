package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gzip input inflated on its own thread ({@link ReadAhead}, the default) against gzip inflated on
 * the reading thread: the same records, bytes, positions and problems, for every fixture and corpus
 * capture; live delivery on a pipe; corruption, truncation and failures of the source; and the
 * thread's end on close, when abandoned, blocked on a pipe, or after a failed open.
 */
@Timeout(60) // a reader waiting for bytes that are there would hang; the timeout's interrupt ends its wait
class InflateThreadTest {
    static final Duration PROMPTLY = Duration.ofSeconds(10);

    // ------------------------------------------------------------------ the same deliveries

    /** Every fixture and corpus capture, gzip-compressed (as it is, or compressed here). */
    static Stream<String> captures() {
        return Stream.concat(FixturesAgreeWithTsharkTest.fixtures().stream().map(f -> "fixtures/" + f),
                WiresharkCorpusTest.captures().stream().map(f -> "corpus/" + f));
    }

    static byte[] gzipped(String capture) {
        byte[] raw;
        String file;
        if (capture.startsWith("corpus/")) {
            file = capture.substring("corpus/".length());
            try {
                raw = Files.readAllBytes(WiresharkCorpusTest.capture(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            file = capture;
            raw = TestCaptures.resource(capture);
        }
        return file.endsWith(".gz") ? raw : TestCaptures.gzip(raw);
    }

    /** Everything a reader delivers, in order: events, payload and secret bytes, positions after each record, the end. */
    static List<String> delivered(Supplier<InputStream> in, String name, int bufferSize, boolean thread) throws IOException {
        return delivered(in, name, bufferSize, thread, false);
    }

    static List<String> delivered(Supplier<InputStream> in, String name, int bufferSize, boolean thread, boolean readAhead)
            throws IOException {
        Recorder r = new Recorder();
        List<String> out = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(in.get(), name, bufferSize, thread, readAhead)) {
            out.add("format " + reader.format());
            int seen = 0;
            while (true) {
                boolean more = reader.next(r);
                for (; seen < r.events.size(); seen++) {
                    out.add(r.events.get(seen));
                }
                out.add("position " + reader.position() + " packets " + reader.packets());
                if (!more) {
                    break;
                }
            }
        }
        out.addAll(r.segments);
        r.payloads.forEach(p -> out.add("payload " + HexFormat.of().formatHex(p)));
        r.secrets.forEach(s -> out.add("secret " + HexFormat.of().formatHex(s)));
        return out;
    }

    @ParameterizedTest
    @MethodSource("captures")
    void theThreadDeliversExactlyWhatInflatingInlineDelivers(String capture) throws IOException {
        byte[] gz = gzipped(capture);
        List<String> inline = delivered(() -> new ByteArrayInputStream(gz), capture, CaptureInput.DEFAULT_BUFFER, false);
        assertThat(inline).anyMatch(line -> line.startsWith("segment") || line.startsWith("secrets") || line.startsWith("skipped"));
        assertThat(delivered(() -> new ByteArrayInputStream(gz), capture, CaptureInput.DEFAULT_BUFFER, true))
                .containsExactlyElementsOf(inline);
        // a reader buffer smaller than the records (it grows), and the compressed input trickling in
        assertThat(delivered(() -> new TrickleInputStream(gz, 7), capture, 16, true)).containsExactlyElementsOf(inline);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void aPlainInputReadAheadDeliversExactlyWhatReadingInlineDelivers(String capture) throws IOException {
        byte[] raw = gunzip(gzipped(capture));
        List<String> inline = delivered(() -> new ByteArrayInputStream(raw), capture, CaptureInput.DEFAULT_BUFFER, true, false);
        assertThat(inline).anyMatch(line -> line.startsWith("segment") || line.startsWith("secrets") || line.startsWith("skipped"));
        assertThat(delivered(() -> new ByteArrayInputStream(raw), capture, CaptureInput.DEFAULT_BUFFER, true, true))
                .containsExactlyElementsOf(inline);
        assertThat(delivered(() -> new TrickleInputStream(raw, 7), capture, 16, true, true)).containsExactlyElementsOf(inline);
        // cut short in the middle: the same records up to the cut, the same problem
        byte[] cut = java.util.Arrays.copyOf(raw, raw.length * 2 / 3);
        assertThat(delivered(() -> new ByteArrayInputStream(cut), capture, 64, true, true))
                .containsExactlyElementsOf(delivered(() -> new ByteArrayInputStream(cut), capture, 64, true, false));
    }

    @Test
    void aBigPlainInputReadAheadWrapsTheRingAndDeliversEveryRecord() throws IOException {
        byte[] data = big("ipv4-fragments.pcap", 5);
        assertThat(delivered(() -> new ByteArrayInputStream(data), "big", CaptureInput.DEFAULT_BUFFER, true, true))
                .containsExactlyElementsOf(delivered(() -> new ByteArrayInputStream(data), "big", CaptureInput.DEFAULT_BUFFER, true, false));
    }

    static byte[] gunzip(byte[] gz) {
        try (InputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A capture of about {@code megabytes} MB: the records of {@code fixture} over and over (the ring wraps many times). */
    static byte[] big(String fixture, int megabytes) {
        byte[] pcap = TestCaptures.resource("fixtures/" + fixture);
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.write(pcap, 0, 24);
        while (big.size() < megabytes << 20) {
            big.write(pcap, 24, pcap.length - 24);
        }
        return big.toByteArray();
    }

    @Test
    void aLargeCaptureAndASlowReaderFillTheRingAndGetEverything() throws IOException {
        byte[] gz = TestCaptures.gzip(big("ipv4-fragments.pcap", 5));
        List<String> inline = delivered(() -> new ByteArrayInputStream(gz), "big", CaptureInput.DEFAULT_BUFFER, false);
        assertThat(delivered(() -> new ByteArrayInputStream(gz), "big", CaptureInput.DEFAULT_BUFFER, true))
                .containsExactlyElementsOf(inline);
        // a reader that pauses now and then: the thread waits for room in the ring, and goes on
        Recorder slow = new Recorder() {
            int n;

            @Override
            public void segment(TcpSegment s) {
                super.segment(s);
                if (++n % 5000 == 0) {
                    sleep(20);
                }
            }
        };
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(gz), "big", 4096, true)) {
            reader.readAll(slow);
        }
        assertThat(slow.segments).containsExactlyElementsOf(TestCaptures.read(big("ipv4-fragments.pcap", 5), "big").segments);
    }

    @Test
    void randomReadSizesAndPausesGetTheDecompressedBytesExactly() throws IOException {
        Random random = new Random(7);
        byte[] data = new byte[3 * ReadAhead.CAPACITY + 12345];
        for (int i = 0; i < data.length; i += 1 + random.nextInt(64)) { // compressible, not trivially
            Arrays.fill(data, i, Math.min(data.length, i + random.nextInt(40)), (byte) random.nextInt());
        }
        byte[] gz = TestCaptures.gzip(data);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (ReadAhead in = ReadAhead.start(new TrickleInputStream(gz, 1000), s -> new GZIPInputStream(s, 512),
                CaptureInput.GZIP_READ, "gzip-inflate t")) {
            byte[] b = new byte[100_000];
            for (int n; (n = in.read(b, 3, 1 + random.nextInt(b.length - 3))) >= 0; ) {
                assertThat(n).isPositive();
                got.write(b, 3, n);
                if (random.nextInt(50) == 0) {
                    sleep(2);
                }
            }
            assertThat(in.read(b, 0, 10)).isEqualTo(-1);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
    }

    @Test
    void concatenatedGzipMembersAreOneCapture() throws IOException {
        byte[] pcap = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
        int half = BadInputTest.pcapRecords(pcap).get(9);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(TestCaptures.gzip(Arrays.copyOfRange(pcap, 0, half)));
        two.writeBytes(TestCaptures.gzip(Arrays.copyOfRange(pcap, half, pcap.length)));
        List<String> whole = delivered(() -> new ByteArrayInputStream(TestCaptures.gzip(pcap)), "x", CaptureInput.DEFAULT_BUFFER,
                false);
        for (boolean thread : new boolean[] {false, true}) {
            assertThat(delivered(() -> new ByteArrayInputStream(two.toByteArray()), "x", CaptureInput.DEFAULT_BUFFER, thread))
                    .containsExactlyElementsOf(whole);
        }
    }

    // ------------------------------------------------------------------ live

    @Test
    void onAPipeEachPacketIsDeliveredAsSoonAsItsGzipFlushArrives() throws Exception {
        // tcpdump -U -w - | gzip with a flush after every packet: the reader must not wait for a full chunk
        byte[] pcap = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
        List<Integer> records = BadInputTest.pcapRecords(pcap);
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream pipe = new PipedOutputStream(in);
        GZIPOutputStream gz = new GZIPOutputStream(pipe, 512, true);
        gz.write(pcap, 0, records.get(0));
        gz.flush();
        Semaphore delivered = new Semaphore(0);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < records.size(); i++) {
                    int end = i + 1 < records.size() ? records.get(i + 1) : pcap.length;
                    gz.write(pcap, records.get(i), end - records.get(i));
                    gz.flush();
                    // the next packet is written only once this one came out of the reader
                    if (!delivered.tryAcquire(20, TimeUnit.SECONDS)) {
                        throw new AssertionError("packet " + (i + 1) + " was not delivered");
                    }
                }
                gz.close();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Recorder r = new Recorder() {
            @Override
            public void segment(TcpSegment s) {
                super.segment(s);
                delivered.release();
            }

            @Override
            public void skipped(long packetNumber, String reason) {
                super.skipped(packetNumber, reason);
                delivered.release();
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (CaptureReader reader = CaptureReader.open(in, "live.gz")) {
                reader.readAll(r);
            }
        });
        writer.get(10, TimeUnit.SECONDS);
        assertThat(r.segments).containsExactlyElementsOf(TestCaptures.read(pcap, "x").segments);
        assertThat(r.warnings).isEmpty();
    }

    // ------------------------------------------------------------------ damage and failures

    /** The most a gzip decoder gives of {@code gz} before failing (read byte by byte). */
    static byte[] decodable(byte[] gz) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            for (int c; (c = in.read()) >= 0; ) {
                out.write(c);
            }
        } catch (IOException expected) {
            return out.toByteArray();
        }
        throw new AssertionError("the damage was not noticed");
    }

    static long decompressedOffset(String warning) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" after (\\d+) decompressed bytes").matcher(warning);
        assertThat(m.find()).as(warning).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void corruptionInTheMiddleEndsTheInputTheSameWayOnBothThreads() throws IOException {
        byte[] original = big("ipv4-fragments.pcap", 3);
        byte[] bad = TestCaptures.gzip(original);
        for (int i = bad.length / 2; i < bad.length / 2 + 64; i++) {
            bad[i] = (byte) 0xFF;
        }
        byte[] out = decodable(bad);
        long decodable = out.length;
        int good = 0; // inflate may give garbage before it fails
        while (good < out.length && out[good] == original[good]) {
            good++;
        }
        List<String> whole = TestCaptures.read(original, "bad.gz").segments;
        for (boolean thread : new boolean[] {false, true}) {
            Recorder r = new Recorder();
            try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(bad), "bad.gz", CaptureInput.DEFAULT_BUFFER,
                    thread)) {
                reader.readAll(r);
            }
            String last = r.warnings.get(r.warnings.size() - 1);
            assertThat(last).as("thread %s", thread).startsWith("bad.gz: the gzip data is corrupt after ")
                    .endsWith("; what came before is used");
            long at = decompressedOffset(last);
            assertThat(at).as("thread %s", thread).isBetween(decodable - CaptureInput.GZIP_READ, decodable);
            // every packet whose record ends one gzip read before the damage is delivered as in the original
            long usable = good - CaptureInput.GZIP_READ;
            long complete = BadInputTest.pcapRecords(original).stream()
                    .filter(o -> o + 16 + Bytes.i32(original, o + 8, false) <= usable).count();
            List<String> before = whole.stream().filter(line -> Long.parseLong(line.split("\t")[0]) <= complete).toList();
            assertThat(before.size()).isGreaterThan(1000);
            assertThat(r.segments.subList(0, before.size())).isEqualTo(before);
        }
    }

    @Test
    void aCutShortStreamIsReportedWithItsDecompressedOffsetOnBothThreads() throws IOException {
        byte[] original = big("ipv4.pcap", 2);
        byte[] gz = TestCaptures.gzip(original);
        byte[] cut = Arrays.copyOf(gz, gz.length * 2 / 3);
        long decodable = decodable(cut).length;
        List<String> messages = new ArrayList<>();
        for (boolean thread : new boolean[] {false, true}) {
            Recorder r = new Recorder();
            try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(cut), "cut.gz", CaptureInput.DEFAULT_BUFFER,
                    thread)) {
                reader.readAll(r);
            }
            String last = r.warnings.get(r.warnings.size() - 1);
            assertThat(last).startsWith("cut.gz: the gzip data is cut short after ")
                    .endsWith(" decompressed bytes (Unexpected end of ZLIB input stream); what came before is used");
            // a cut loses nothing that was decoded: everything up to it is delivered
            assertThat(decompressedOffset(last)).isEqualTo(decodable);
            messages.add(String.join("\n", r.events));
        }
        assertThat(messages.get(1)).isEqualTo(messages.get(0));
    }

    /** {@code gz}, then the failure {@code f} instead of the rest. */
    static InputStream failingAfter(byte[] gz, int length, Supplier<RuntimeException> unchecked, String ioMessage) {
        return new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (n == length) {
                    if (unchecked != null) {
                        throw unchecked.get();
                    }
                    throw new IOException(ioMessage);
                }
                int k = Math.min(len, Math.min(1000, length - n));
                System.arraycopy(gz, n, b, off, k);
                n += k;
                return k;
            }
        };
    }

    @Test
    void anIOExceptionOfTheSourceReachesTheReadingThreadAfterEverythingBeforeIt() throws IOException {
        byte[] gz = TestCaptures.gzip(big("ipv4.pcap", 2));
        int length = gz.length / 2;
        List<String> outcomes = new ArrayList<>();
        for (boolean thread : new boolean[] {false, true}) {
            Recorder r = new Recorder();
            try (CaptureReader reader = CaptureReader.open(failingAfter(gz, length, null, "device gone"), "eth0.pcap.gz",
                    CaptureInput.DEFAULT_BUFFER, thread)) {
                IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> reader.readAll(r));
                assertThat(e.getMessage()).startsWith("eth0.pcap.gz: cannot read after byte offset ").endsWith(": device gone");
                assertThat(e.getCause()).hasMessage("device gone");
                if (thread) {
                    assertThat(e.getCause().getSuppressed()).extracting(Throwable::getMessage)
                            .containsExactly("received from gzip-inflate eth0.pcap.gz");
                    // and again on the next call: the failure stays
                    assertThatThrownBy(() -> reader.next(r)).isInstanceOf(IOException.class).hasMessageEndingWith(": device gone");
                }
                outcomes.add(e.getMessage() + "\n" + String.join("\n", r.events));
            }
        }
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0));
        assertThat(outcomes.get(0).lines().filter(l -> l.startsWith("segment")).count()).isGreaterThan(1000);
    }

    @Test
    void anUncheckedExceptionOfTheSourceReachesTheReadingThreadUnchanged() throws IOException {
        byte[] gz = TestCaptures.gzip(big("ipv4.pcap", 1));
        IllegalStateException boom = new IllegalStateException("boom");
        try (CaptureReader reader = CaptureReader.open(failingAfter(gz, gz.length / 2, () -> boom, null), "x.gz")) {
            assertThatThrownBy(() -> reader.readAll(new Recorder())).isSameAs(boom);
        }
    }

    // ------------------------------------------------------------------ the thread's life

    static Optional<Thread> inflateThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("gzip-inflate " + name)).findAny();
    }

    static void awaitEnd(String name) {
        assertTimeoutPreemptively(PROMPTLY, () -> {
            while (inflateThread(name).isPresent()) {
                Thread.sleep(5);
            }
        }, "gzip-inflate " + name + " is still running");
    }

    @Test
    void theThreadIsANamedDaemonAndEndsWithTheInput() throws IOException {
        byte[] gz = TestCaptures.gzip(TestCaptures.resource("fixtures/ethernet-vlan.pcap"));
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(gz), "daemon-test")) {
            Optional<Thread> t = inflateThread("daemon-test");
            if (t.isPresent()) { // it may have ended already: the input is small
                assertThat(t.get().isDaemon()).isTrue();
            }
            reader.readAll(new Recorder());
        }
        awaitEnd("daemon-test");
    }

    @Test
    void closingAReaderAbandonedMidFileStopsTheThreadBlockedOnAFullRing() throws Exception {
        byte[] gz = TestCaptures.gzip(big("ipv4.pcap", 4));
        CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(gz), "abandoned");
        reader.next(new Recorder());
        Thread t = inflateThread("abandoned").orElseThrow();
        assertTimeoutPreemptively(PROMPTLY, () -> {
            while (t.getState() != Thread.State.WAITING) { // parked: the ring is full
                Thread.sleep(5);
            }
        });
        assertTimeoutPreemptively(PROMPTLY, reader::close);
        t.join(PROMPTLY.toMillis());
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void closingWhileTheThreadIsBlockedOnAJavaPipeEndsItAndTheBlockedReader() throws Exception {
        PipedInputStream in = new PipedInputStream();
        PipedOutputStream pipe = new PipedOutputStream(in);
        GZIPOutputStream gz = new GZIPOutputStream(pipe, 512, true);
        byte[] pcap = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
        int firstTwo = BadInputTest.pcapRecords(pcap).get(2);
        gz.write(pcap, 0, firstTwo);
        gz.flush();
        CaptureReader reader = CaptureReader.open(in, "piped");
        Recorder r = new Recorder();
        reader.next(r);
        reader.next(r);
        assertThat(r.segments).hasSize(2);
        // the reading thread now waits for the third packet, the inflate thread for the pipe
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                reader.next(r);
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        Thread t = inflateThread("piped").orElseThrow();
        sleep(200);
        assertThat(blocked).isNotDone();
        assertTimeoutPreemptively(PROMPTLY, reader::close);
        Throwable e = blocked.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(IOException.class).hasMessage("piped: cannot read after byte offset " + firstTwo
                + ": stream closed");
        awaitEnd("piped");
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void closingWhileTheThreadIsBlockedOnAnOperatingSystemPipeReturnsAtOnce() throws Exception {
        // cat's stdout: a read of it ends only when cat writes or exits, whatever this process does
        Process cat = new ProcessBuilder("cat").start();
        try {
            OutputStream toCat = cat.getOutputStream();
            GZIPOutputStream gz = new GZIPOutputStream(toCat, 512, true);
            byte[] pcap = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
            gz.write(pcap, 0, BadInputTest.pcapRecords(pcap).get(1));
            gz.flush();
            CaptureReader reader = CaptureReader.open(cat.getInputStream(), "os-pipe");
            Recorder r = new Recorder();
            assertTimeoutPreemptively(PROMPTLY, () -> reader.next(r));
            assertThat(r.segments).hasSize(1);
            Thread t = inflateThread("os-pipe").orElseThrow();
            assertTimeoutPreemptively(Duration.ofSeconds(2), reader::close);
            assertThatThrownBy(() -> reader.next(r)).isInstanceOf(IOException.class).hasMessageEndingWith("stream closed");
            // the thread ends as soon as its read returns: here when cat exits
            toCat.close();
            cat.waitFor(10, TimeUnit.SECONDS);
            awaitEnd("os-pipe");
            assertThat(t.isAlive()).isFalse();
        } finally {
            cat.destroyForcibly();
        }
    }

    @Test
    void aFailedOpenStopsTheThreadAndLeavesTheStreamToTheCaller() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        byte[] text = new byte[3 << 20]; // more than the ring holds: the thread waits for room when open fails
        System.arraycopy("not a capture".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, text, 0, 13);
        byte[] gz = TestCaptures.gzip(text);
        InputStream in = new ByteArrayInputStream(gz) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        assertThatThrownBy(() -> CaptureReader.open(in, "not-a-capture")).isInstanceOf(CaptureFormatException.class)
                .hasMessage("not-a-capture: after gzip decompression, not a pcap or pcapng capture (it starts with 6e 6f 74 20)");
        awaitEnd("not-a-capture");
        assertThat(closed).isFalse();
    }

    @Test
    void anInterruptedReadingThreadStopsWaiting() throws Exception {
        PipedInputStream in = new PipedInputStream();
        PipedOutputStream pipe = new PipedOutputStream(in);
        GZIPOutputStream gz = new GZIPOutputStream(pipe, 512, true);
        byte[] pcap = TestCaptures.resource("fixtures/ethernet-vlan.pcap");
        gz.write(pcap, 0, BadInputTest.pcapRecords(pcap).get(1));
        gz.flush();
        try (CaptureReader reader = CaptureReader.open(in, "interrupted")) {
            Recorder r = new Recorder();
            reader.next(r);
            CompletableFuture<Throwable> blocked = new CompletableFuture<>();
            Thread reading = new Thread(() -> {
                try {
                    reader.next(r);
                    blocked.complete(null);
                } catch (Throwable e) {
                    blocked.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("interrupt lost", e));
                }
            });
            reading.start();
            sleep(200);
            reading.interrupt();
            Throwable e = blocked.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(IOException.class).hasCauseInstanceOf(InterruptedIOException.class)
                    .hasMessageEndingWith("interrupted while waiting for gzip-inflate interrupted");
        }
        awaitEnd("interrupted");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
