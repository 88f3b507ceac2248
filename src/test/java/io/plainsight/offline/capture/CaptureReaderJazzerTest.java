package io.plainsight.offline.capture;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz target (Jazzer) of the pcap/pcapng reader: the fuzzer's bytes are a
 * capture file. In the normal build ({@code mvn verify}) this runs only the seed inputs under
 * src/test/resources/io/plainsight/offline/capture/CaptureReaderJazzerTestInputs/captureReader/
 * (a pcap, pcapng files with interfaces, sections and a Decryption Secrets Block, a gzip one, and
 * inputs that once broke the reader). To fuzz (5 minutes, see {@link FuzzTest#maxDuration};
 * {@code -Djazzer.max_duration=30m} for longer):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B test -Dtest=CaptureReaderJazzerTest -Djunit.jupiter.execution.timeout.mode=disabled \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * (Jazzer turns the {@code @Timeout} into libFuzzer's per-input {@code -timeout}; JUnit would
 * apply it to the whole fuzzing run, hence the timeout mode.) Jazzer keeps its generated corpus in
 * .cifuzz-corpus/ (not committed) and writes a crashing or hanging input into the seed directory
 * above, where it stays as a regression test once the bug is fixed.
 *
 * <p>Allowed outcomes: {@link CaptureFormatException} from {@code open} naming the input;
 * warnings and skipped packets through the listener. Findings: any other exception or error out
 * of {@code open} or {@code next}, a {@code next} that loops (returns true without consuming
 * input, or never returns: the timeout), a segment failing {@link CaptureReaderFuzzTest.Sane}'s
 * checks (ports, numbers and flags in range, payload view within its buffer, packet numbers in
 * file order), and, for inputs that are not gzip, different events when the same bytes arrive a
 * few at a time through a 64-byte buffer (the reader must not depend on how its input is read).
 */
class CaptureReaderJazzerTest {
    static final String NAME = "fuzz";

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 20, unit = TimeUnit.SECONDS) // per input: a loop inside next() is a finding
    void captureReader(byte[] input) throws IOException {
        Recorder whole = read(new ByteArrayInputStream(input), CaptureInput.DEFAULT_BUFFER);
        boolean gzip = input.length >= 2 && (input[0] & 0xFF) == 0x1F && (input[1] & 0xFF) == 0x8B;
        if (whole == null || gzip) {
            return; // a cut or corrupt gzip stream loses up to a read's worth of data depending on the reads
        }
        Recorder trickled = read(new TrickleInputStream(input, 3), 64);
        if (!trickled.events.equals(whole.events) || !trickled.segments.equals(whole.segments)) {
            throw new AssertionError("other events when the input trickles in: " + diff(whole, trickled));
        }
    }

    /** Reads everything with the checks of {@link CaptureReaderFuzzTest.Sane}; null if not a capture. */
    static Recorder read(java.io.InputStream in, int bufferSize) throws IOException {
        Checked listener = new Checked();
        CaptureReader reader;
        try {
            reader = CaptureReader.open(in, NAME, bufferSize);
        } catch (CaptureFormatException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith(NAME + ": ")) {
                throw new AssertionError("CaptureFormatException without the input's name", e);
            }
            return null;
        }
        try (reader) {
            CaptureReaderFuzzTest.drain(reader, listener);
        }
        return listener.recorder;
    }

    private static String diff(Recorder a, Recorder b) {
        int i = 0;
        while (i < a.events.size() && i < b.events.size() && a.events.get(i).equals(b.events.get(i))) {
            i++;
        }
        return "event " + i + ": " + (i < a.events.size() ? a.events.get(i) : "(end)") + " / "
                + (i < b.events.size() ? b.events.get(i) : "(end)") + "; segments " + a.segments.size() + " / "
                + b.segments.size();
    }

    /** {@link CaptureReaderFuzzTest.Sane}'s checks, and a record of every event for the comparison. */
    static final class Checked extends CaptureReaderFuzzTest.Sane {
        final Recorder recorder = new Recorder();

        Checked() {
            super(NAME);
        }

        @Override
        public void segment(TcpSegment s) {
            super.segment(s);
            recorder.segment(s);
        }

        @Override
        public void secrets(int secretsType, byte[] data, long position) {
            super.secrets(secretsType, data, position);
            recorder.secrets(secretsType, data, position);
        }

        @Override
        public void skipped(long packetNumber, String reason) {
            super.skipped(packetNumber, reason);
            recorder.skipped(packetNumber, reason);
        }

        @Override
        public void warning(String message) {
            super.warning(message);
            recorder.warning(message);
        }
    }
}
