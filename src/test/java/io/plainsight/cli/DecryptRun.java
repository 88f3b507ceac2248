package io.plainsight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One in-process run of {@code plainsight decrypt} through {@link Main#run}: its exit code, what
 * it wrote to its console ({@code out}) and to {@code err} (usage errors, the text report), and
 * its JSON report when it was asked for one with {@code --report-file}.
 */
record DecryptRun(int exitCode, String out, String err, Path reportFile) {

    /**
     * Runs {@code decrypt ARGS... --pcap DIR/out.pcap -q --report json --report-file DIR/report.json}
     * (see {@link #pcap()}, {@link #report()}).
     */
    static DecryptRun into(Path dir, String... args) {
        return into(dir, new ByteArrayInputStream(new byte[0]), args);
    }

    /** {@link #into(Path, String...)} with '-' reading {@code stdin}. */
    static DecryptRun into(Path dir, InputStream stdin, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--pcap", dir.resolve("out.pcap").toString(), "-q", "--report", "json",
                "--report-file", dir.resolve("report.json").toString()));
        return decrypt(stdin, all.toArray(String[]::new));
    }

    /** The PCAP of {@link #into}. */
    Path pcap() {
        return reportFile.resolveSibling("out.pcap");
    }

    /** Runs {@code decrypt ARGS...} with an empty stdin. */
    static DecryptRun decrypt(String... args) {
        return decrypt(new ByteArrayInputStream(new byte[0]), args);
    }

    /** Runs {@code decrypt ARGS...}, '-' reading {@code stdin}. */
    static DecryptRun decrypt(InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("decrypt"));
        all.addAll(Arrays.asList(args));
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(o, e, stdin, all.toArray(String[]::new));
        }
        int i = all.indexOf("--report-file");
        return new DecryptRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                i > 0 ? Path.of(all.get(i + 1)) : null);
    }

    /** The JSON report of {@code --report json --report-file FILE} (an AssertionError if it is not valid JSON). */
    JsonNode report() {
        try {
            return new ObjectMapper().readTree(Files.readString(reportFile));
        } catch (IOException e) {
            throw new UncheckedIOException("the report " + reportFile + " is not valid JSON", e);
        }
    }

    /** The report's connection whose client is {@code client} ("IP:PORT"). */
    JsonNode connection(String client) {
        for (JsonNode c : report().get("connections")) {
            if (c.get("client").asText().equals(client)) {
                return c;
            }
        }
        throw new AssertionError("no connection from " + client + " in the report " + report());
    }

    /** The report's array {@code field} ("warnings", "unreadable_inputs") as strings. */
    List<String> strings(String field) {
        List<String> out = new ArrayList<>();
        report().get(field).forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
}
