package io.plainsight.sink.pcapng;

import static io.plainsight.sink.pcapng.Play.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PCAPNG sink fed with real TLS: connections of Wireshark's corpus (TLS 1.2 ChaCha20-Poly1305,
 * TLS 1.3 with 0-RTT), replayed as a live source publishes them (wire bytes per leg, plaintext,
 * key log lines, often after the records they decrypt), independently of the live producers.
 * tshark, given no key option at all, must then show the HTTP requests on the encrypted legs'
 * interfaces (decrypted with the Decryption Secrets Blocks alone) and on the decrypted one.
 */
class PcapngCorpusTest {
    static final Tshark TSHARK = new Tshark();
    static List<RecordedTls.Connection> tls12;
    static List<RecordedTls.Connection> tls13;

    @TempDir Path tmp;

    @BeforeAll
    static void readCorpus() throws Exception {
        tls12 = RecordedTls.read(WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap"),
                WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys"));
        tls13 = RecordedTls.read(WiresharkTlsCorpus.capture("tls13-rfc8446.pcap"),
                WiresharkTlsCorpus.key("tls13-rfc8446.keys"));
        assertThat(tls12).hasSize(7).allSatisfy(c -> assertThat(c.keyLines()).hasSize(1));
        assertThat(tls13).hasSize(2);
    }

    /**
     * Plays one recorded connection as leg {@code leg} of connection {@code id}: its wire bytes as
     * WireChunks, its plaintext as DataChunks when {@code plaintext}, and its key log lines (each
     * as an event of its own when {@code linePerEvent}) right after its {@code secretsAfter}-th wire
     * chunk (never, when negative).
     */
    static void playLeg(Play play, long id, Leg leg, RecordedTls.Connection rec, boolean plaintext, int secretsAfter,
            boolean linePerEvent) {
        int wireChunks = 0;
        for (RecordedTls.Step s : rec.steps()) {
            if (s.wire()) {
                play.wire(id, s.timestampMicros(), leg, s.direction(), s.bytes());
                if (++wireChunks == secretsAfter) {
                    if (linePerEvent) {
                        rec.keyLines().forEach(l -> play.secrets(id, s.timestampMicros(), leg, l + "\n"));
                    } else {
                        play.secrets(id, s.timestampMicros(), leg, rec.keyLog());
                    }
                }
            } else if (plaintext) {
                play.data(id, s.timestampMicros(), s.direction(), s.bytes());
            }
        }
    }

    /** The plaintext of a recorded connection, as the plaintext upstream leg of a terminating proxy. */
    static void playPlainUpstream(Play play, long id, RecordedTls.Connection rec) {
        for (RecordedTls.Step s : rec.steps()) {
            if (!s.wire()) {
                play.wire(id, s.timestampMicros(), Leg.UPSTREAM, s.direction(), s.bytes());
            }
        }
    }

    /**
     * Reverse proxy, TLS 1.2 on both legs (recorded connections 0/1, 2/3, 4/5 as client/upstream
     * legs): the client leg's key arrives only after its encrypted Finished went by (the third
     * chunk), the upstream leg's right after the ServerHello. Connection 4 (recorded 6) never gets
     * its key. Then a terminating proxy, TLS 1.3 on the client leg (with 0-RTT early data on the
     * second connection), keys one line per event after the server's first flight, and a
     * plaintext upstream leg.
     */
    static Path writeCapture(Path file) {
        PcapngSink sink = PcapngSink.open(file.toString(), null, true, PcapOptions.defaults(), "plainsight test");
        Play play = new Play(sink);
        for (int k = 0; k < 3; k++) {
            RecordedTls.Connection client = tls12.get(2 * k);
            RecordedTls.Connection upstream = tls12.get(2 * k + 1);
            long id = k + 1;
            play.open(id, client.openedMicros(), Mode.REVERSE, client.client(), upstream.server(), client.server(),
                    "corpus.test", upstream.client());
            playLeg(play, id, Leg.CLIENT, client, true, 3, false);
            playLeg(play, id, Leg.UPSTREAM, upstream, false, 2, false);
            play.close(id, upstream.closedMicros());
        }
        RecordedTls.Connection keyless = tls12.get(6);
        play.open(4, keyless.openedMicros(), Mode.REVERSE, keyless.client(), keyless.server(), keyless.server(), null,
                addr("10.42.0.243", 50_000));
        playLeg(play, 4, Leg.CLIENT, keyless, true, -1, false);
        play.close(4, keyless.closedMicros());

        for (int k = 0; k < 2; k++) {
            RecordedTls.Connection client = tls13.get(k);
            long id = 10 + k;
            InetSocketAddress backend = addr("10.9.0.3", 8080);
            play.open(id, client.openedMicros(), Mode.TERMINATE, client.client(), backend, client.server(),
                    "tls13.test", addr("10.9.0.2", 40_000 + k));
            int firstFlight = 1 + (int) client.wire().stream().takeWhile(s -> s.direction() == Direction.CLIENT_TO_SERVER).count();
            playLeg(play, id, Leg.CLIENT, client, true, firstFlight, true);
            playPlainUpstream(play, id, client);
            play.close(id, client.closedMicros());
        }
        sink.close();
        return file;
    }

    static final String REVERSE = "plainsight reverse 10.42.0.243:443 ";
    static final String TERMINATE = "plainsight terminate 10.9.0.2:443 ";

    @Test
    void tsharkShowsTheRequestsOnEveryInterfaceWithNoKeyOptions() throws Exception {
        Path f = writeCapture(tmp.resolve("corpus.pcapng"));
        TSHARK.assertReadsCleanly(f);
        TSHARK.assertChecksumsAndTcpAnalysisClean(f);

        List<String> requests = TSHARK.fieldLines(f, "http.request", "frame.interface_name", "http.request.uri");
        assertThat(requests).containsExactlyInAnyOrder(
                REVERSE + "client leg\t/", REVERSE + "client leg\t/", REVERSE + "client leg\t/",
                REVERSE + "upstream leg\t/", REVERSE + "upstream leg\t/", REVERSE + "upstream leg\t/",
                REVERSE + "decrypted\t/", REVERSE + "decrypted\t/", REVERSE + "decrypted\t/", REVERSE + "decrypted\t/",
                TERMINATE + "client leg\t/first", TERMINATE + "client leg\t/early", TERMINATE + "client leg\t/second",
                TERMINATE + "upstream leg\t/first", TERMINATE + "upstream leg\t/early", TERMINATE + "upstream leg\t/second",
                TERMINATE + "decrypted\t/first", TERMINATE + "decrypted\t/early", TERMINATE + "decrypted\t/second");

        // the TLS legs' requests came from the keys in the file: without its secrets blocks, none is left
        Path stripped = tmp.resolve("stripped.pcapng");
        ExternalProcess.Result r = run("editcap", "--discard-all-secrets", f.toString(), stripped.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(TSHARK.fieldLines(stripped, "http.request", "frame.interface_name"))
                .hasSize(4 + 3 + 3)
                .containsOnly(REVERSE + "decrypted", TERMINATE + "decrypted", TERMINATE + "upstream leg");
        // (the plaintext upstream leg of the terminating proxy needs no key)
    }

    @Test
    void legsCarryTheirRealAddressesAndTheFirstPacketOfEachConnectionItsComment() throws Exception {
        Path f = writeCapture(tmp.resolve("corpus.pcapng"));
        RecordedTls.Connection c0 = tls12.get(0);
        RecordedTls.Connection u0 = tls12.get(1);
        // the first SYN on each interface of connection 1: client leg, upstream leg, decrypted stream
        List<String> syns = TSHARK.fieldLines(f, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && frame.comment contains \"#1 \"",
                "frame.interface_name", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "frame.comment");
        assertThat(syns).containsExactlyInAnyOrder(
                REVERSE + "client leg\t" + ends(c0.client(), c0.server()) + "\tconnection #1 sni=corpus.test",
                REVERSE + "upstream leg\t" + ends(u0.client(), u0.server()) + "\tconnection #1 sni=corpus.test",
                REVERSE + "decrypted\t" + ends(c0.client(), addr("10.42.0.243", 80)) + "\tconnection #1 sni=corpus.test");
        // one comment per connection and interface, nothing else commented
        List<String> comments = TSHARK.fieldLines(f, "frame.comment", "frame.comment");
        assertThat(comments).hasSize(3 * 3 + 2 /* connection 4: client leg and decrypted */ + 2 * 3)
                .contains("connection #4 no sni", "connection #11 sni=tls13.test");
        // the interfaces, in the order they were first needed (the client's ClientHello, held, brings the
        // client leg's before its secrets block), with their descriptions
        assertThat(TSHARK.fieldLines(f, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && frame.comment contains \"#1 \"",
                "frame.interface_id", "frame.interface_description"))
                .containsExactlyInAnyOrder("0\tclient leg as on the wire (encrypted; keys in Decryption Secrets Blocks)",
                        "1\tdecrypted streams (synthesized TCP, as in the PCAP output)",
                        "2\tupstream leg as on the wire (encrypted; keys in Decryption Secrets Blocks)");
        // the key-less leg is there, as it was on the wire, undecrypted
        RecordedTls.Connection k = tls12.get(6);
        assertThat(TSHARK.count(f, "tcp.srcport == " + k.client().getPort() + " && tls && frame.interface_name contains \"client leg\""))
                .isGreaterThan(0);
        ExternalProcess.Result info = run("capinfos", "-D", "-F", f.toString());
        int blocks = 3 + 3 + tls13.get(0).keyLines().size() + tls13.get(1).keyLines().size(); // one per TLS 1.3 line
        assertThat(blocks).isEqualTo(15);
        assertThat(info.stdout()).containsPattern("Number of decryption secrets in file:\\s+" + blocks)
                .containsPattern("Capture application:\\s+plainsight test");
    }

    static String ends(InetSocketAddress from, InetSocketAddress to) {
        return from.getAddress().getHostAddress() + "\t" + from.getPort() + "\t" + to.getAddress().getHostAddress() + "\t"
                + to.getPort();
    }

    static ExternalProcess.Result run(String tool, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(ExternalProcess.requireTool(tool).toString()));
        cmd.addAll(List.of(args));
        try (ExternalProcess p = ExternalProcess.start(cmd)) {
            return p.waitFor(Duration.ofSeconds(60));
        }
    }
}
