package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PCAP written by {@code plainsight decrypt}, read back by tshark: per connection (keyed by its
 * client's "IP:PORT", since the PCAP numbers only the connections that had data) the server and
 * each direction's TCP payload, concatenated.
 */
final class DecryptedPcap {
    /** One TCP connection of the PCAP. */
    static final class Conversation {
        final String client;
        final String server;
        final ByteArrayOutputStream c2s = new ByteArrayOutputStream();
        final ByteArrayOutputStream s2c = new ByteArrayOutputStream();

        Conversation(String client, String server) {
            this.client = client;
            this.server = server;
        }

        String c2sSha256() {
            return sha256(c2s.toByteArray());
        }

        String s2cSha256() {
            return sha256(s2c.toByteArray());
        }
    }

    final Map<String, Conversation> byClient = new LinkedHashMap<>();

    private DecryptedPcap() {}

    /**
     * Reads {@code pcap} with one tshark run. Each connection's client is the sender of its SYN
     * (we write a handshake for every connection); payload is taken in capture order, which tshark
     * confirms is plain in-order TCP (no packet carries a tcp.analysis flag).
     */
    static DecryptedPcap read(Path pcap) {
        List<String> lines = new Tshark().fieldLines(pcap, null, "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport",
                "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.analysis.flags", "tcp.payload");
        DecryptedPcap p = new DecryptedPcap();
        Map<String, Conversation> byStream = new LinkedHashMap<>();
        HexFormat hex = HexFormat.of();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            assertThat(f[9]).as("tcp.analysis.flags of %s in %s", line, pcap).isEmpty();
            String src = (f[1].isEmpty() ? "[" + f[2] + "]" : f[1]) + ":" + f[3];
            String dst = (f[4].isEmpty() ? "[" + f[5] + "]" : f[4]) + ":" + f[6];
            boolean synOnly = isSet(f[7]) && !isSet(f[8]);
            Conversation c = byStream.get(f[0]);
            if (c == null) {
                assertThat(synOnly).as("tcp.stream %s of %s starts with a SYN: %s", f[0], pcap, line).isTrue();
                c = new Conversation(src, dst);
                byStream.put(f[0], c);
                assertThat(p.byClient.put(src, c)).as("two connections from %s in %s", src, pcap).isNull();
            }
            (src.equals(c.client) ? c.c2s : c.s2c).writeBytes(hex.parseHex(f[10]));
        }
        return p;
    }

    private static boolean isSet(String flag) {
        return flag.equals("1") || flag.equalsIgnoreCase("true");
    }

    /**
     * Every stream of {@code expected} is in the PCAP (found by its client, with its server's
     * address and the real port or 80, HTTP's) with tshark's plaintext in both directions, and
     * there is no other connection.
     */
    void assertMatches(StreamsTsv expected) {
        for (StreamsTsv.Row row : expected.rows()) {
            Conversation c = byClient.get(row.client());
            assertThat(c).as("the connection from %s (tshark's tcp.stream %d) among %s", row.client(), row.stream(),
                    byClient.keySet()).isNotNull();
            String serverIp = row.server().substring(0, row.server().lastIndexOf(':'));
            assertThat(c.server).as("server of %s", row.client()).isIn(row.server(), serverIp + ":80");
            assertThat(c.c2s.size()).as("c2s bytes of %s", row.client()).isEqualTo(row.c2sBytes());
            assertThat(c.c2sSha256()).as("c2s SHA-256 of %s", row.client()).isEqualTo(row.c2sSha256());
            assertThat(c.s2c.size()).as("s2c bytes of %s", row.client()).isEqualTo(row.s2cBytes());
            assertThat(c.s2cSha256()).as("s2c SHA-256 of %s", row.client()).isEqualTo(row.s2cSha256());
        }
        assertThat(byClient).hasSameSizeAs(expected.rows());
    }

    /**
     * What a damaged copy of a capture gave: each connection's plaintext in each direction is the
     * start of what the whole capture gives, and some plaintext is there.
     */
    void assertIsAPartOf(DecryptedPcap whole) {
        long total = 0;
        for (Conversation c : byClient.values()) {
            Conversation w = whole.byClient.get(c.client);
            assertThat(w).as("connection from %s", c.client).isNotNull();
            assertStartOf(w.c2s.toByteArray(), c.c2s.toByteArray(), "c2s of " + c.client);
            assertStartOf(w.s2c.toByteArray(), c.s2c.toByteArray(), "s2c of " + c.client);
            total += c.c2s.size() + c.s2c.size();
        }
        assertThat(total).as("plaintext bytes").isPositive();
    }

    private static void assertStartOf(byte[] whole, byte[] part, String what) {
        assertThat(part.length).as("%s: bytes", what).isLessThanOrEqualTo(whole.length);
        assertThat(sha256(part)).as("%s: SHA-256 of the first %d bytes", what, part.length)
                .isEqualTo(sha256(Arrays.copyOf(whole, part.length)));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
