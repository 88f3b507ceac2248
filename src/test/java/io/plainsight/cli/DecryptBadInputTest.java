package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Damaged captures and bad keys or options through {@code plainsight decrypt}: the message names
 * the file and where or why, what could be decrypted is still in the PCAP, and the exit code says
 * how it went (0 all, 3 some, 4 nothing decrypted, 1 no input readable, 2 bad options).
 */
class DecryptBadInputTest {
    static final Path SNAKEOIL = WiresharkTlsCorpus.capture("rsasnakeoil2.pcap");
    static final Path DMGR = WiresharkTlsCorpus.capture("dmgr.pcapng");
    static final String SNAKEOIL_KEY = WiresharkTlsCorpus.key("rsasnakeoil2.key").toString();

    static DecryptedPcap wholeSnakeoil;
    static DecryptedPcap wholeDmgr;
    static Path dmgrPassword;

    @BeforeAll
    static void decryptTheWholeCaptures() throws IOException {
        Path dir = TestFiles.newDir("whole");
        dmgrPassword = Files.writeString(dir.resolve("dmgr.password"), "WebAS\n");
        DecryptRun s = DecryptRun.into(Files.createDirectory(dir.resolve("s")), SNAKEOIL.toString(), "--rsa-key", SNAKEOIL_KEY);
        assertThat(s.exitCode()).as("%s", s).isZero();
        wholeSnakeoil = DecryptedPcap.read(s.pcap());
        DecryptRun d = DecryptRun.into(Files.createDirectory(dir.resolve("d")), DMGR.toString(), "--rsa-key", dmgrKey());
        assertThat(d.exitCode()).as("%s", d).isZero();
        wholeDmgr = DecryptedPcap.read(d.pcap());
    }

    static String dmgrKey() {
        return "127.0.0.1,9131," + WiresharkTlsCorpus.key("key.p12") + ":" + dmgrPassword;
    }

    /** Where each packet record of a (little-endian) pcap starts, after the 24-byte file header. */
    static int pcapRecord(byte[] pcap, int number) {
        int off = 24;
        for (int n = 1; n < number; n++) {
            off += 16 + le(pcap).getInt(off + 8);
        }
        return off;
    }

    /** Where the {@code number}th enhanced packet block (type 6) of a little-endian pcapng starts. */
    static int pcapngPacketBlock(byte[] pcapng, int number) {
        int n = 0;
        for (int off = 0; off < pcapng.length; off += le(pcapng).getInt(off + 4)) {
            if (le(pcapng).getInt(off) == 6 && ++n == number) {
                return off;
            }
        }
        throw new AssertionError("no packet " + number);
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void aPcapCutInTheMiddleOfAPacket() throws IOException {
        Path dir = TestFiles.newDir("cut-pcap");
        byte[] whole = Files.readAllBytes(SNAKEOIL);
        int at = pcapRecord(whole, 47); // 16-byte record header, then 511 bytes
        Path cut = write(dir, "cut.pcap", Arrays.copyOf(whole, at + 16 + 19));
        DecryptRun run = DecryptRun.into(dir, cut.toString(), "--rsa-key", SNAKEOIL_KEY);
        // what the capture holds was decrypted: a capture that stops is no failed decryption
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.strings("warnings")).containsExactly(cut + ": packet 47 at byte offset " + at
                + " is cut short: the file ends after 19 of its 511 captured bytes; the part that is there is used");
        assertThat(run.report().at("/inputs/0/problems").asInt()).isEqualTo(1);
        DecryptedPcap.read(run.pcap()).assertIsAPartOf(wholeSnakeoil);
    }

    @Test
    void aPcapngCutInTheMiddleOfABlock() throws IOException {
        Path dir = TestFiles.newDir("cut-pcapng");
        byte[] whole = Files.readAllBytes(DMGR);
        int at = pcapngPacketBlock(whole, 14); // 444 bytes
        Path cut = write(dir, "cut.pcapng", Arrays.copyOf(whole, at + 244));
        DecryptRun run = DecryptRun.into(dir, cut.toString(), "--rsa-key", dmgrKey());
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.strings("warnings")).containsExactly(cut + ": packet 14 at byte offset " + at + " is cut short: "
                + "the file ends after 244 of its block's 444 bytes; the 216 captured bytes that are there are used");
        JsonNode c = run.connection("127.0.0.1:44884");
        assertThat(c.get("notes").toString()).contains("the connection ended inside a server->client record");
        DecryptedPcap.read(run.pcap()).assertIsAPartOf(wholeDmgr);
    }

    @Test
    void aCorruptBlockLengthSkipsToTheNextBlock() throws IOException {
        Path dir = TestFiles.newDir("bad-block");
        byte[] bytes = Files.readAllBytes(DMGR);
        int at = pcapngPacketBlock(bytes, 21); // 2412 bytes of server data
        le(bytes).putInt(at + 4, 7);
        Path bad = write(dir, "bad.pcapng", bytes);
        DecryptRun run = DecryptRun.into(dir, bad.toString(), "--rsa-key", dmgrKey());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(4);
        assertThat(run.strings("warnings")).containsExactly(
                bad + ": bad block at byte offset " + at + " (after packet 20): the enhanced packet block's total length 7 "
                        + "is not valid; looking for the next block",
                bad + ": resumed at byte offset " + (at + 2412) + " after skipping 2412 unreadable bytes");
        JsonNode c = run.connection("127.0.0.1:44884");
        assertThat(c.get("status").asText()).isEqualTo("partly decrypted");
        assertThat(c.get("reason").asText()).startsWith("gap in the server->client TCP stream").contains("2309 bytes missing");
        DecryptedPcap.read(run.pcap()).assertIsAPartOf(wholeDmgr);
    }

    @Test
    void anUnknownLinkTypeIsNamedAndItsPacketsSkipped() throws IOException {
        Path dir = TestFiles.newDir("linktype");
        byte[] bytes = Files.readAllBytes(SNAKEOIL);
        le(bytes).putInt(20, 147);
        Path odd = write(dir, "dlt147.pcap", bytes);
        DecryptRun run = DecryptRun.into(dir, odd.toString(), "--rsa-key", SNAKEOIL_KEY);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(5);
        assertThat(run.strings("warnings")).singleElement().asString()
                .startsWith(odd + ": byte offset 20 (file header): link type 147 is not supported");
        assertThat(run.report().at("/inputs/0/skipped/unsupported link type").asInt()).isEqualTo(58);
        assertThat(run.report().get("connections")).isEmpty();
    }

    @Test
    void packetsCutByTheSnaplenDecryptUpToTheCut() throws IOException {
        Path dir = TestFiles.newDir("snaplen");
        byte[] whole = Files.readAllBytes(SNAKEOIL);
        int snaplen = 1600; // cuts packets 19 (5756 bytes) and 32 (1828 bytes), both server to client
        ByteBuffer out = le(new byte[whole.length]);
        out.put(whole, 0, 24).putInt(16, snaplen);
        for (int off = 24; off < whole.length; ) {
            int length = le(whole).getInt(off + 8);
            int kept = Math.min(length, snaplen);
            out.put(whole, off, 8).putInt(kept).putInt(le(whole).getInt(off + 12)).put(whole, off + 16, kept);
            off += 16 + length;
        }
        Path cut = write(dir, "snap.pcap", Arrays.copyOf(out.array(), out.position()));
        DecryptRun run = DecryptRun.into(dir, cut.toString(), "--rsa-key", SNAKEOIL_KEY);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(4);
        assertThat(run.strings("warnings")).singleElement().asString().startsWith(cut + ": packet 19 at byte offset "
                + pcapRecord(whole, 19) + " is cut by the snaplen (1600 of 5756 bytes captured)");
        for (String client : new String[] {"127.0.0.1:38713", "127.0.0.1:38714"}) {
            JsonNode c = run.connection(client);
            assertThat(c.get("status").asText()).isEqualTo("partly decrypted");
            assertThat(c.get("reason").asText()).startsWith("gap in the server->client TCP stream").contains("inside record");
        }
        DecryptedPcap got = DecryptedPcap.read(run.pcap());
        got.assertIsAPartOf(wholeSnakeoil);
        assertThat(got.byClient.get("127.0.0.1:38713").c2s.size()).isEqualTo(2416); // all of it
    }

    @Test
    void aFileThatIsNotACaptureIsExit1AndNoPcap() throws IOException {
        Path dir = TestFiles.newDir("not-a-capture");
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are not the packets you are looking for\n");
        DecryptRun run = DecryptRun.into(dir, text.toString(), "--rsa-key", SNAKEOIL_KEY);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
        String message = text + ": not a pcap or pcapng capture (it starts with 74 68 65 73)";
        assertThat(run.strings("unreadable_inputs")).containsExactly(message);
        assertThat(run.report().get("exit_code").asInt()).isEqualTo(1);
        assertThat(run.pcap()).doesNotExist();

        DecryptRun text1 = DecryptRun.decrypt(text.toString(), "--pcap", dir.resolve("t.pcap").toString(), "-q");
        assertThat(text1.exitCode()).isEqualTo(1);
        assertThat(text1.err()).contains("result: no input could be read (exit code 1)");
        assertThat(dir.resolve("t.pcap")).doesNotExist();
    }

    @Test
    void aMissingInputAmongTwoTheOtherIsStillDecrypted() throws IOException {
        Path dir = TestFiles.newDir("missing");
        Path missing = dir.resolve("missing.pcap");
        DecryptRun run = DecryptRun.into(dir, missing.toString(), WiresharkTlsCorpus.capture("tls12-dsb.pcapng").toString());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(4);
        assertThat(run.strings("unreadable_inputs")).containsExactly(missing + ": no such file");
        DecryptedPcap.read(run.pcap()).assertMatches(StreamsTsv.load("tls12-dsb"));
    }

    @Test
    void aWrongPkcs12PasswordIsNamedAndTheConnectionIsNotDecrypted() throws IOException {
        Path dir = TestFiles.newDir("p12");
        Path wrong = Files.writeString(dir.resolve("password"), "not-WebAS\n");
        Path p12 = WiresharkTlsCorpus.key("key.p12");
        DecryptRun run = DecryptRun.into(dir, DMGR.toString(), "--rsa-key", "127.0.0.1,9131," + p12 + ":" + wrong);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(5);
        assertThat(run.strings("warnings")).singleElement().asString()
                .contains("cannot open the PKCS#12 file " + p12 + ": the password is wrong").endsWith("going on without this key");
        JsonNode c = run.connection("127.0.0.1:44884");
        assertThat(c.get("status").asText()).isEqualTo("not decrypted");
        assertThat(c.get("reason").asText()).startsWith("no key for client_random ").contains("RSA key exchange");
    }

    @Test
    void aKeyFileThatIsNotAKeyIsNamed() throws IOException {
        Path dir = TestFiles.newDir("not-a-key");
        Path notAKey = Files.writeString(dir.resolve("server.key"), "hello\n");
        DecryptRun run = DecryptRun.into(dir, SNAKEOIL.toString(), "--rsa-key", notAKey.toString());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(5);
        assertThat(run.strings("warnings")).singleElement().asString()
                .startsWith("--rsa-key " + notAKey + ": cannot read " + notAKey + " as PKCS#12 or PEM");
        assertThat(run.connection("127.0.0.1:38713").get("status").asText()).isEqualTo("not decrypted");
    }

    @Test
    void junkLinesOfAKeyLogAreNamedAndTheGoodOnesUsed() throws IOException {
        Path dir = TestFiles.newDir("junk-keylog");
        String good = Files.readString(WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys"));
        Path keyLog = Files.writeString(dir.resolve("junk.keys"),
                "# comment\ngarbage line here\nCLIENT_RANDOM zz 11\n" + good + "CLIENT_RANDOM 00\n");
        int last = 4 + (int) good.lines().count();
        DecryptRun run = DecryptRun.into(dir, WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap").toString(),
                "--keylog", keyLog.toString());
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.strings("warnings")).containsExactly(
                keyLog + " line 2: unknown label garbage",
                keyLog + " line 3: the client random must be 32 bytes in hex: zz",
                keyLog + " line " + last + ": expected 3 fields (LABEL CLIENT_RANDOM SECRET), found 2: CLIENT_RANDOM 00");
        DecryptedPcap.read(run.pcap()).assertMatches(StreamsTsv.load("tls12-chacha20poly1305"));
    }

    @Test
    void aKeyLogThatCannotBeReadIsExit1WithTheFileNamedAndNoOutput() throws IOException {
        Path dir = TestFiles.newDir("unreadable-keylog");
        String in = WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap").toString();
        Path pcap = dir.resolve("out.pcap");
        Path missing = dir.resolve("missing.keys");
        DecryptRun gone = DecryptRun.decrypt(in, "--keylog", missing.toString(), "--pcap", pcap.toString());
        assertThat(gone.exitCode()).as("%s", gone).isEqualTo(1);
        assertThat(gone.err()).contains("--keylog " + missing + ": cannot read it: no such file");
        DecryptRun directory = DecryptRun.decrypt(in, "--keylog", dir.toString(), "--pcap", pcap.toString());
        assertThat(directory.exitCode()).as("%s", directory).isEqualTo(1);
        assertThat(directory.err()).contains("--keylog " + dir + ": cannot read it: Is a directory");
        assertThat(pcap).doesNotExist();
    }

    @Test
    void badOptionsAreExit2WithTheOptionNamedAndNoOutput() throws IOException {
        Path dir = TestFiles.newDir("bad-options");
        String in = WiresharkTlsCorpus.capture("tls12-aes128ccm.pcap").toString();
        String pcap = dir.resolve("out.pcap").toString();
        DecryptRun psk = DecryptRun.decrypt(in, "--psk", "xyz", "--pcap", pcap);
        assertThat(psk.exitCode()).isEqualTo(2);
        assertThat(psk.err()).startsWith("plainsight: --psk 'xyz': expected 1 to 65535 bytes in hex").contains("Usage:");
        DecryptRun report = DecryptRun.decrypt(in, "--report", "bogus", "--pcap", pcap);
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err()).startsWith("plainsight: --report 'bogus': expected text, json or none");
        String spec = "127.0.0.1,99999," + SNAKEOIL_KEY;
        DecryptRun port = DecryptRun.decrypt(in, "--rsa-key", spec, "--pcap", pcap);
        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).startsWith("plainsight: --rsa-key '" + spec + "': '99999' is not a port");
        assertThat(Path.of(pcap)).doesNotExist();
    }
}
