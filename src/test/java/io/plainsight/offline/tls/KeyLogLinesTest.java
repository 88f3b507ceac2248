package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Key log lines split from bytes exactly as {@code BufferedReader.readLine} splits the same text. */
class KeyLogLinesTest {
    @Test
    void sameLinesAsBufferedReaderForEveryMixOfTerminatorsAndReadSizes() throws IOException {
        Random random = new Random(7);
        char[] alphabet = {'a', 'b', '\r', '\n', ' ', 'é'};
        for (int round = 0; round < 300; round++) {
            int length = round < 200 ? random.nextInt(40) : 60_000 + random.nextInt(20_000); // some cross the 64 KiB buffer
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            if (round % 50 == 0) {
                text.append("x".repeat(70_000)); // one line longer than the buffer
            }
            List<String> expected = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new StringReader(text.toString()));
            for (String line; (line = reader.readLine()) != null; ) {
                expected.add(line);
            }
            List<String> lines = new ArrayList<>();
            KeyLogLines.read(chunked(text.toString().getBytes(StandardCharsets.UTF_8), random),
                    (b, from, to) -> lines.add(new String(b, from, to - from, StandardCharsets.UTF_8)));
            assertThat(lines).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void emptyInputHasNoLinesAndALastLineNeedsNoTerminator() throws IOException {
        List<String> lines = new ArrayList<>();
        KeyLogLines.read(new ByteArrayInputStream(new byte[0]), (b, from, to) -> lines.add("?"));
        assertThat(lines).isEmpty();
        KeyLogLines.read(new ByteArrayInputStream("one\r\n\r\ntwo\rthree".getBytes(StandardCharsets.US_ASCII)),
                (b, from, to) -> lines.add(new String(b, from, to - from, StandardCharsets.US_ASCII)));
        assertThat(lines).containsExactly("one", "", "two", "three");
    }

    /** A stream that returns at most a few random bytes per read, so that terminators fall on read boundaries. */
    private static InputStream chunked(byte[] bytes, Random random) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(9_000)));
            }
        };
    }
}
