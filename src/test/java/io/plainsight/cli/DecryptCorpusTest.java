package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of Wireshark's TLS corpus through {@code plainsight decrypt}: the key options are
 * translated from the tshark options each case's streams.tsv was made with, and the decrypted PCAP
 * we write is read back by tshark, whose per-connection, per-direction plaintext must have the
 * SHA-256 of streams.tsv; the JSON report must say "decrypted" with tshark's version and (last)
 * cipher suite for every connection. The PCAP keeps the default {@code --pcap-port} (HTTP in TLS
 * is written to port 80, as users get it); connections are matched by their client's address and
 * port, which the PCAP keeps.
 */
class DecryptCorpusTest {
    private static final Pattern OPTION = Pattern.compile("(-[od]) ('[^']*'|\\S+)");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(WiresharkTlsCorpus.DIR.resolve("expected"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".streams.tsv"))
                    .map(n -> n.substring(0, n.length() - ".streams.tsv".length())).sorted().toList();
            assertThat(names).hasSize(17);
            return names.stream();
        }
    }

    /** The capture of a case: NAME.pcap, .pcapng or .pcapng.gz (two cases reuse another's with other keys). */
    static Path capture(String name) {
        String base = name.replaceFirst("_pkcs8$", "").replaceFirst("-noearly$", "");
        for (String ext : List.of(".pcap", ".pcapng", ".pcapng.gz")) {
            if (Files.exists(WiresharkTlsCorpus.DIR.resolve("captures").resolve(base + ext))) {
                return WiresharkTlsCorpus.capture(base + ext);
            }
        }
        throw new AssertionError("no capture for " + name);
    }

    /**
     * The "# decryption options:" line of the case's streams.tsv in decrypt's terms:
     * {@code tls.keys_list:IP,PORT,PROTO,FILE[,PASSWORD]} to {@code --rsa-key IP,PORT,FILE[:PWFILE]},
     * {@code uat:rsa_keys:"FILE","PASSWORD"} to {@code --rsa-key FILE[:PWFILE]},
     * {@code tls.keylog_file:FILE} to {@code --keylog FILE}, {@code tls.psk:HEX} to {@code --psk HEX}.
     * The rest (TCP out-of-order reassembly, "decode as") are what decrypt always does.
     */
    static List<String> keyOptions(String name, Path dir) throws IOException {
        String line = Files.readAllLines(WiresharkTlsCorpus.file("expected/" + name + ".streams.tsv")).stream()
                .filter(l -> l.startsWith("# decryption options:")).findFirst().orElseThrow();
        List<String> args = new ArrayList<>();
        Matcher m = OPTION.matcher(line.substring("# decryption options:".length()));
        while (m.find()) {
            String value = m.group(2).replaceAll("^'|'$", "");
            if (m.group(1).equals("-d")) {
                continue;
            }
            int colon = value.indexOf(':');
            String pref = value.substring(0, colon);
            String v = value.substring(colon + 1);
            switch (pref) {
                case "tls.keys_list" -> {
                    String[] f = v.split(",");
                    args.add("--rsa-key");
                    args.add(f[0] + "," + f[1] + "," + WiresharkTlsCorpus.file(f[3])
                            + (f.length > 4 ? ":" + passwordFile(dir, f[4]) : ""));
                }
                case "uat" -> {
                    Matcher u = Pattern.compile("rsa_keys:\"([^\"]*)\",\"([^\"]*)\"").matcher(v);
                    assertThat(u.matches()).as(value).isTrue();
                    args.add("--rsa-key");
                    args.add(WiresharkTlsCorpus.file(u.group(1)) + (u.group(2).isEmpty() ? "" : ":" + passwordFile(dir, u.group(2))));
                }
                case "tls.keylog_file" -> {
                    args.add("--keylog");
                    args.add(WiresharkTlsCorpus.file(v).toString());
                }
                case "tls.psk" -> {
                    args.add("--psk");
                    args.add(v);
                }
                case "tcp.reassemble_out_of_order", "tls.desegment_ssl_application_data" -> { }
                default -> throw new AssertionError("no decrypt option for tshark's " + value);
            }
        }
        return args;
    }

    static Path passwordFile(Path dir, String password) throws IOException {
        return Files.writeString(dir.resolve("password"), password + "\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePcapWeWriteHoldsTsharksPlaintext(String name) throws IOException {
        Path dir = TestFiles.newDir("decrypt-" + name);
        List<String> args = new ArrayList<>(List.of(capture(name).toString()));
        args.addAll(keyOptions(name, dir));
        DecryptRun run = DecryptRun.into(dir, args.toArray(String[]::new));
        assertThat(run.exitCode()).as("%s", run).isZero();

        StreamsTsv expected = StreamsTsv.load(name);
        DecryptedPcap.read(run.pcap()).assertMatches(expected);

        JsonNode report = run.report();
        assertThat(report.get("connections")).hasSameSizeAs(expected.rows());
        for (StreamsTsv.Row row : expected.rows()) {
            JsonNode c = run.connection(row.client());
            String[] suites = StreamsTsv.withoutCodes(row.cipherSuites()).split(" / ");
            assertThat(c.get("server").asText()).isEqualTo(row.server());
            assertThat(c.get("status").asText()).as("%s", c).isEqualTo("decrypted");
            assertThat(c.get("decrypted").asBoolean()).isTrue();
            assertThat(c.get("reason").isNull()).as("%s", c).isTrue();
            assertThat(c.get("version").asText()).isEqualTo(StreamsTsv.withoutCodes(row.version()));
            assertThat(c.get("cipher").asText()).isEqualTo(suites[suites.length - 1]);
            assertThat(c.get("handshakes").asInt()).isGreaterThanOrEqualTo(suites.length);
            assertThat(c.get("bytes_client_to_server").asLong()).isEqualTo(row.c2sBytes());
            assertThat(c.get("bytes_server_to_client").asLong()).isEqualTo(row.s2cBytes());
        }
        assertThat(report.get("exit_code").asInt()).isZero();
        assertThat(run.strings("warnings")).isEmpty();
        assertThat(run.strings("unreadable_inputs")).isEmpty();
    }
}
