package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.plainsight.offline.capture.TrickleInputStream;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How {@code plainsight decrypt} takes its captures: '-' reads stdin (all at once, trickling in
 * a few bytes per read, gzip-compressed), and several inputs are read as one capture, connections
 * going on from one file into the next; every way gives what the file on its own gives.
 */
class DecryptInputsTest {
    static final String SNAKEOIL_KEY = WiresharkTlsCorpus.key("rsasnakeoil2.key").toString();

    /** The report's connection rows by client, without the field naming the input. */
    static Map<String, JsonNode> rows(DecryptRun run) {
        Map<String, JsonNode> rows = new TreeMap<>();
        for (JsonNode c : run.report().get("connections")) {
            ObjectNode row = ((ObjectNode) c).deepCopy();
            row.remove("input");
            rows.put(c.get("client").asText(), row);
        }
        return rows;
    }

    /** The same plaintext in the PCAP and the same report rows (but for the input's name) as {@code file}. */
    static void assertSameAs(DecryptRun run, DecryptRun file, StreamsTsv expected) {
        assertThat(run.exitCode()).as("%s", run).isEqualTo(file.exitCode());
        DecryptedPcap.read(run.pcap()).assertMatches(expected);
        DecryptedPcap.read(file.pcap()).assertMatches(expected);
        assertThat(rows(run)).isEqualTo(rows(file));
    }

    static DecryptRun fromFile(String capture, String... keys) {
        List<String> args = new ArrayList<>(List.of(WiresharkTlsCorpus.capture(capture).toString()));
        args.addAll(List.of(keys));
        return DecryptRun.into(TestFiles.newDir("file-" + capture), args.toArray(String[]::new));
    }

    static DecryptRun fromStdin(String dirName, InputStream stdin, String... keys) {
        List<String> args = new ArrayList<>(List.of("-"));
        args.addAll(List.of(keys));
        return DecryptRun.into(TestFiles.newDir(dirName), stdin, args.toArray(String[]::new));
    }

    @Test
    void stdinAtOnceAndTricklingGiveWhatTheFileGives() throws IOException {
        DecryptRun file = fromFile("rsasnakeoil2.pcap", "--rsa-key", SNAKEOIL_KEY);
        assertThat(file.exitCode()).as("%s", file).isZero();
        byte[] bytes = Files.readAllBytes(WiresharkTlsCorpus.capture("rsasnakeoil2.pcap"));
        StreamsTsv expected = StreamsTsv.load("rsasnakeoil2");

        DecryptRun atOnce = fromStdin("stdin", new ByteArrayInputStream(bytes), "--rsa-key", SNAKEOIL_KEY);
        assertSameAs(atOnce, file, expected);
        assertThat(atOnce.report().at("/inputs/0/name").asText()).isEqualTo("stdin");
        assertThat(atOnce.report().at("/connections/0/input").asText()).isEqualTo("stdin");

        TrickleInputStream trickle = new TrickleInputStream(bytes, 3);
        DecryptRun trickled = fromStdin("stdin-trickle", trickle, "--rsa-key", SNAKEOIL_KEY);
        assertSameAs(trickled, file, expected);
        assertThat(trickle.reads).isGreaterThan(bytes.length / 3);
    }

    @Test
    void aGzipCaptureOnStdinTricklingGivesWhatTheFileGives() throws IOException {
        String keyLog = WiresharkTlsCorpus.key("dhe1_keylog.dat").toString();
        DecryptRun file = fromFile("dhe1.pcapng.gz", "--keylog", keyLog);
        assertThat(file.exitCode()).as("%s", file).isZero();
        byte[] gz = Files.readAllBytes(WiresharkTlsCorpus.capture("dhe1.pcapng.gz"));
        DecryptRun trickled = fromStdin("stdin-gz", new TrickleInputStream(gz, 1), "--keylog", keyLog);
        assertSameAs(trickled, file, StreamsTsv.load("dhe1"));
        assertThat(trickled.report().at("/inputs/0/format").asText()).isEqualTo("pcapng (little-endian), gzip-compressed");
    }

    /** {@code editcap -c PACKETS capture} into a new folder: the parts, in order. */
    static List<Path> split(String capture, int packets) throws IOException {
        Path dir = TestFiles.newDir("split-" + capture);
        String name = capture.replaceFirst("\\.gz$", "");
        ExternalProcess.run(Duration.ofSeconds(60), ExternalProcess.requireTool("editcap").toString(), "-c",
                Integer.toString(packets), WiresharkTlsCorpus.capture(capture).toString(), dir.resolve(name).toString());
        try (Stream<Path> parts = Files.list(dir)) {
            return parts.sorted().toList();
        }
    }

    static String[] args(List<Path> inputs, String... keys) {
        List<String> args = new ArrayList<>(inputs.stream().map(Path::toString).toList());
        args.addAll(List.of(keys));
        return args.toArray(String[]::new);
    }

    @Test
    void connectionsGoOnFromOneInputIntoTheNext() throws IOException {
        // rsasnakeoil2: both connections start in the first 30 packets and end in the rest
        List<Path> parts = split("rsasnakeoil2.pcap", 30);
        assertThat(parts).hasSize(2);
        DecryptRun file = fromFile("rsasnakeoil2.pcap", "--rsa-key", SNAKEOIL_KEY);
        DecryptRun both = DecryptRun.into(TestFiles.newDir("two-inputs"), args(parts, "--rsa-key", SNAKEOIL_KEY));
        assertSameAs(both, file, StreamsTsv.load("rsasnakeoil2"));
        assertThat(both.report().get("inputs")).extracting(i -> i.get("packets").asInt()).containsExactly(30, 28);
        // a connection belongs to the input it started in
        assertThat(both.report().get("connections")).extracting(c -> c.get("input").asText())
                .containsOnly(parts.get(0).toString());
    }

    @Test
    void outOfOrderSegmentsAreReassembledAcrossInputs() throws IOException {
        // challenge01_ooo_stream: one TLS 1.3 connection of 1670 packets with reordering, its keys in a DSB
        List<Path> parts = split("challenge01_ooo_stream.pcapng.gz", 600);
        assertThat(parts).hasSize(3);
        DecryptRun file = fromFile("challenge01_ooo_stream.pcapng.gz");
        DecryptRun all = DecryptRun.into(TestFiles.newDir("three-inputs"), args(parts));
        assertSameAs(all, file, StreamsTsv.load("challenge01_ooo_stream"));
    }
}
