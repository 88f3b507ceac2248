package io.plainsight.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * tshark's view of a capture's hellos, per TCP stream ({@code tcp.stream}): the first ClientHello
 * and ServerHello for which tshark gives a JA3 / JA3S, with the lists tshark dissected from them;
 * and the packets with payload each stream's ends sent. {@link #expectedJa4} and
 * {@link #expectedJa4s} assemble FoxIO's JA4/JA4S from those lists, so that the fingerprints of
 * our own parser are checked against tshark's dissection (tshark 4.0 has no JA4 field).
 *
 * <p>Run it without keys for the lists where it can be: with keys, tshark also dissects the
 * encrypted handshake (a renegotiation's hellos). A ServerHello's extensions are taken from
 * tshark's JA3S text, since a segment holding it and the TLS 1.3 EncryptedExtensions, decrypted
 * with keys a pcapng carries, mixes their extension types in tshark's fields.
 */
public final class TsharkHellos {
    /** The first ClientHello of a stream with a JA3. */
    public record Client(String ja3, String ja3Full, String sni, int legacyVersion, List<Integer> ciphers, List<Integer> extensions,
            List<Integer> sigalgs, List<Integer> versions, List<String> alpn) {}

    /** The first ServerHello of a stream with a JA3S. */
    public record Server(String ja3s, String ja3sFull, int legacyVersion, int cipher, List<Integer> extensions, List<Integer> versions,
            List<String> alpn) {}

    public final Map<Integer, Client> clients = new TreeMap<>();
    public final Map<Integer, Server> servers = new TreeMap<>();
    /** Packets with TCP payload by stream and sender ("IP:PORT"). */
    final Map<Integer, Map<String, Integer>> payloadPackets = new HashMap<>();

    public static TsharkHellos read(Tshark tshark, Path pcap) {
        TsharkHellos h = new TsharkHellos();
        Tshark t = tshark.withOptions("-E", "aggregator=|");
        for (String line : t.fieldLines(pcap, "tls.handshake.type == 1", "tcp.stream", "tls.handshake.ja3",
                "tls.handshake.ja3_full", "tls.handshake.extensions_server_name", "tls.handshake.version",
                "tls.handshake.ciphersuite", "tls.handshake.extension.type", "tls.handshake.sig_hash_alg_len",
                "tls.handshake.sig_hash_alg", "tls.handshake.extensions.supported_version", "tls.handshake.extensions_alpn_str")) {
            String[] f = line.split("\t", -1);
            int stream = Integer.parseInt(f[0]);
            if (f[1].isEmpty() || h.clients.containsKey(stream)) {
                continue;
            }
            List<Integer> extensions = numbers(f[6]);
            h.clients.put(stream, new Client(f[1], f[2], f[3].isEmpty() ? null : first(f[3]), number(first(f[4])), numbers(f[5]),
                    extensions, signatureAlgorithms(extensions, numbers(f[7]), numbers(f[8])), numbers(f[9]), strings(f[10])));
        }
        for (String line : t.fieldLines(pcap, "tls.handshake.type == 2", "tcp.stream", "tls.handshake.ja3s",
                "tls.handshake.ja3s_full", "tls.handshake.version", "tls.handshake.ciphersuite", "tls.handshake.extension.type",
                "tls.handshake.extensions.supported_version", "tls.handshake.extensions_alpn_str")) {
            String[] f = line.split("\t", -1);
            int stream = Integer.parseInt(f[0]);
            if (f[1].isEmpty() || h.servers.containsKey(stream)) {
                continue;
            }
            // the ServerHello's own extensions are those of tshark's JA3S text: in a pcapng with keys embedded
            // (Decryption Secrets Blocks) tshark also dissects the encrypted EncryptedExtensions of the same segment
            String[] ja3s = f[2].split(",", -1);
            List<Integer> extensions = ja3s[2].isEmpty() ? List.of()
                    : java.util.Arrays.stream(ja3s[2].split("-")).map(Integer::valueOf).toList();
            h.servers.put(stream, new Server(f[1], f[2], number(first(f[3])), number(first(f[4])), extensions, numbers(f[6]),
                    extensions.contains(16) ? strings(f[7]) : List.of()));
        }
        for (String line : tshark.fieldLines(pcap, "tcp.len > 0", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport")) {
            String[] f = line.split("\t", -1);
            String src = f[1].isEmpty() ? "[" + f[2] + "]" : f[1];
            h.payloadPackets.computeIfAbsent(Integer.parseInt(f[0]), k -> new HashMap<>()).merge(src + ":" + f[3], 1, Integer::sum);
        }
        return h;
    }

    /** Packets with payload that {@code sender} ("IP:PORT") sent in {@code stream}. */
    public int payloadPackets(int stream, String sender) {
        return payloadPackets.getOrDefault(stream, Map.of()).getOrDefault(sender, 0);
    }

    /**
     * The signature_algorithms (13) list: tshark gives the algorithms of 13, delegated_credentials
     * (34) and signature_algorithms_cert (50) as one field, with one length per list, in the order
     * of the extensions.
     */
    private static List<Integer> signatureAlgorithms(List<Integer> extensions, List<Integer> lengths, List<Integer> all) {
        int at = 0;
        int list = 0;
        for (int type : extensions) {
            if (type != 13 && type != 34 && type != 50) {
                continue;
            }
            int n = lengths.get(list++) / 2;
            if (type == 13) {
                return all.subList(at, at + n);
            }
            at += n;
        }
        return List.of();
    }

    /** JA4 (FoxIO's JA4.md) of a ClientHello as tshark dissected it. */
    public static String expectedJa4(Client c) {
        List<Integer> ciphers = noGrease(c.ciphers());
        List<Integer> extensions = noGrease(c.extensions());
        int version = c.legacyVersion();
        if (extensions.contains(43)) {
            version = noGrease(c.versions()).stream().mapToInt(Integer::intValue).max().orElse(-1);
        }
        String alpn = c.alpn().isEmpty() || c.alpn().get(0).isEmpty() ? "00"
                : "" + c.alpn().get(0).charAt(0) + c.alpn().get(0).charAt(c.alpn().get(0).length() - 1);
        String a = "t" + versionChars(version) + (extensions.contains(0) ? "d" : "i") + twoDigits(ciphers.size())
                + twoDigits(extensions.size()) + alpn;
        String b = hexSorted(ciphers);
        List<Integer> rest = new ArrayList<>(extensions);
        rest.removeIf(e -> e == 0 || e == 16);
        String ext = hexSorted(rest);
        List<Integer> sigalgs = noGrease(c.sigalgs());
        if (!ext.isEmpty() && !sigalgs.isEmpty()) {
            ext += "_" + hex(sigalgs);
        }
        return a + "_" + hash12(b) + "_" + hash12(ext);
    }

    /** JA4S (FoxIO's JA4S.md) of a ServerHello as tshark dissected it. */
    public static String expectedJa4s(Server s) {
        int version = s.versions().isEmpty() ? s.legacyVersion() : s.versions().get(0);
        String alpn = s.alpn().isEmpty() || s.alpn().get(0).isEmpty() ? "00"
                : "" + s.alpn().get(0).charAt(0) + s.alpn().get(0).charAt(s.alpn().get(0).length() - 1);
        return "t" + versionChars(version) + twoDigits(s.extensions().size()) + alpn + "_" + String.format("%04x", s.cipher())
                + "_" + hash12(hex(s.extensions()));
    }

    private static String versionChars(int v) {
        return switch (v) {
            case 0x0304 -> "13";
            case 0x0303 -> "12";
            case 0x0302 -> "11";
            case 0x0301 -> "10";
            case 0x0300 -> "s3";
            default -> "00";
        };
    }

    private static String twoDigits(int n) {
        return String.format("%02d", Math.min(n, 99));
    }

    private static List<Integer> noGrease(List<Integer> values) {
        return values.stream().filter(v -> !((v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff))).toList();
    }

    private static String hexSorted(List<Integer> values) {
        return hex(values.stream().sorted().toList());
    }

    private static String hex(List<Integer> values) {
        return String.join(",", values.stream().map(v -> String.format("%04x", v)).toList());
    }

    private static String hash12(String s) {
        if (s.isEmpty()) {
            return "000000000000";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)))
                    .substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String first(String aggregated) {
        int bar = aggregated.indexOf('|');
        return bar < 0 ? aggregated : aggregated.substring(0, bar);
    }

    private static List<String> strings(String aggregated) {
        return aggregated.isEmpty() ? List.of() : List.of(aggregated.split("\\|"));
    }

    private static List<Integer> numbers(String aggregated) {
        return strings(aggregated).stream().map(TsharkHellos::number).toList();
    }

    private static int number(String s) {
        return s.startsWith("0x") ? Integer.parseInt(s.substring(2), 16) : Integer.parseInt(s);
    }
}
