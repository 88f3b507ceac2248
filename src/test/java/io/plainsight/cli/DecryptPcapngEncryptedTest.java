package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code decrypt --pcapng FILE --pcapng-encrypted} on every case of the Wireshark TLS corpus, with
 * the case's keys (key log, RSA key, PSK, or only the capture's own Decryption Secrets Blocks):
 * tshark, given NO key option, decrypts the original packets of the file we wrote, and its
 * {@code follow,tls} plaintext of every connection hashes to the corpus's streams.tsv SHA-256 each
 * way; the decrypted streams' interface is still there with as many payload bytes as tshark's
 * plaintext.
 */
class DecryptPcapngEncryptedTest {
    /** The original interfaces' name prefix, and the decrypted streams' interface. */
    static final String ORIGINAL = "frame.interface_name contains \"original: \"";
    static final String DECRYPTED = "frame.interface_name == \"plainsight offline decrypted\"";
    private static final Pattern OPTION = Pattern.compile("(-[od]) ('[^']*'|\\S+)");

    static Stream<String> cases() throws IOException {
        return DecryptCorpusTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tsharkDecryptsTheOriginalPacketsWithNoKeyOptions(String name) throws IOException {
        Path dir = TestFiles.newDir("pcapng-encrypted-" + name);
        Path out = dir.resolve("out.pcapng");
        List<String> args = new ArrayList<>(List.of(DecryptCorpusTest.capture(name).toString()));
        args.addAll(DecryptCorpusTest.keyOptions(name, dir));
        args.addAll(List.of("--pcapng", out.toString(), "--pcapng-encrypted", "-q", "--report", "none"));
        DecryptRun run = DecryptRun.decrypt(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("%s", run).isZero();

        Tshark tshark = new Tshark().withOptions(nonKeyOptions(name).toArray(String[]::new));
        tshark.assertReadsCleanly(out);
        long inputPackets = new Tshark().count(DecryptCorpusTest.capture(name), null);
        assertThat(tshark.count(out, ORIGINAL)).as("every input packet, as read").isEqualTo(inputPackets);

        StreamsTsv expected = StreamsTsv.load(name);
        Map<String, Integer> streams = originalStreams(tshark, out);
        Map<Integer, Tshark.Followed> followed = tshark.follow(out, "tls", streams.values());
        long plaintext = 0;
        for (StreamsTsv.Row row : expected.rows()) {
            Integer stream = streams.get(row.client() + " " + row.server());
            assertThat(stream).as("the original packets of %s -> %s", row.client(), row.server()).isNotNull();
            Tshark.Followed f = followed.get(stream);
            byte[] c2s = sent(f, row.client(), row.server());
            byte[] s2c = sent(f, row.server(), row.client());
            assertThat(sha256(c2s)).as("%s stream %d client to server (%d bytes)", name, row.stream(), c2s.length)
                    .isEqualTo(row.c2sSha256());
            assertThat(sha256(s2c)).as("%s stream %d server to client (%d bytes)", name, row.stream(), s2c.length)
                    .isEqualTo(row.s2cSha256());
            plaintext += row.c2sBytes() + row.s2cBytes();
        }
        long decryptedPayload = tshark.fieldLines(out, DECRYPTED + " && tcp.len > 0", "tcp.len").stream()
                .mapToLong(Long::parseLong).sum();
        assertThat(decryptedPayload).as("the decrypted streams' interface").isEqualTo(plaintext);
    }

    /** The case's tshark options that are not keys (TCP out-of-order reassembly, decode-as). */
    static List<String> nonKeyOptions(String name) throws IOException {
        String line = Files.readAllLines(WiresharkTlsCorpus.file("expected/" + name + ".streams.tsv")).stream()
                .filter(l -> l.startsWith("# decryption options:")).findFirst().orElseThrow();
        List<String> options = new ArrayList<>();
        Matcher m = OPTION.matcher(line);
        while (m.find()) {
            String value = m.group(2).replaceAll("^'|'$", "");
            if (m.group(1).equals("-d") || value.startsWith("tcp.")) {
                options.add(m.group(1));
                options.add(value);
            }
        }
        return options;
    }

    /**
     * The tcp.stream of each connection of the original interfaces, by "CLIENT SERVER" addresses
     * ("IP:PORT"): the client is the sender of the stream's first payload (TLS: the ClientHello;
     * some captures have no SYN).
     */
    static Map<String, Integer> originalStreams(Tshark tshark, Path pcapng) {
        Map<String, Integer> streams = new LinkedHashMap<>();
        for (String line : tshark.fieldLines(pcapng, ORIGINAL + " && tcp.len > 0", "tcp.stream", "ip.src", "ipv6.src",
                "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport")) {
            String[] f = line.split("\t", -1);
            int stream = Integer.parseInt(f[0]);
            if (!streams.containsValue(stream)) {
                streams.put(address(f[1], f[2], f[3]) + " " + address(f[4], f[5], f[6]), stream);
            }
        }
        return streams;
    }

    /** What {@code from} sent to {@code to} in a followed stream (empty when neither sent anything). */
    static byte[] sent(Tshark.Followed f, String from, String to) {
        if (f.fromNode0().length == 0 && f.fromNode1().length == 0) {
            return new byte[0];
        }
        return f.sentBy(from, to);
    }

    private static String address(String ip, String ipv6, String port) {
        return (ip.isEmpty() ? "[" + ipv6 + "]" : ip) + ":" + port;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
