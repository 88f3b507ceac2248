package io.plainsight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * tshark as the independent reader of the captures we write.
 *
 * <p>Every run uses an empty, private {@code WIRESHARK_CONFIG_DIR}, so the user's Wireshark
 * preferences never change a result, and a timeout. Instances are immutable; the {@code with...}
 * methods return a copy with one more option:
 *
 * <pre>{@code
 * Tshark tshark = new Tshark()
 *         .withDecodeAs("tcp.port==" + port + ",http")      // -d, for non-standard ports
 *         .withKeyLog(keylogFile);                          // -o tls.keylog_file:...
 * List<String> paths = tshark.fieldLines(pcap, "http.request", "http.request.uri");
 * String h2 = tshark.fields(pcap, "http2", "http2.headers.path", "http2.headers.status");
 * }</pre>
 */
public final class Tshark {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static Path configDir;

    private final List<String> options;
    private final Duration timeout;

    /** tshark with no extra options and a 120 s timeout per run. */
    public Tshark() {
        this(List.of(), DEFAULT_TIMEOUT);
    }

    private Tshark(List<String> options, Duration timeout) {
        this.options = List.copyOf(options);
        this.timeout = timeout;
    }

    /** A copy with extra raw command-line options placed before the per-call options. */
    public Tshark withOptions(String... opts) {
        List<String> o = new ArrayList<>(options);
        o.addAll(List.of(opts));
        return new Tshark(o, timeout);
    }

    /** A copy with {@code -d RULE}, e.g. {@code "tcp.port==8080,http"} or {@code "tcp.port==8081,http2"}. */
    public Tshark withDecodeAs(String rule) {
        return withOptions("-d", rule);
    }

    /** A copy with {@code -o NAME:VALUE} (a Wireshark preference). */
    public Tshark withPreference(String name, String value) {
        return withOptions("-o", name + ":" + value);
    }

    /** A copy that decrypts TLS with an NSS key log file. */
    public Tshark withKeyLog(Path keyLog) {
        return withPreference("tls.keylog_file", keyLog.toAbsolutePath().toString());
    }

    /** A copy using two-pass analysis ({@code -2}), for fields that need later packets. */
    public Tshark withTwoPass() {
        return withOptions("-2");
    }

    /** A copy with another timeout per run. */
    public Tshark withTimeout(Duration t) {
        return new Tshark(options, t);
    }

    /**
     * {@code tshark -r PCAP -Y FILTER -T fields -E separator=/t -e F1 -e F2...}: one line per
     * matching packet, fields separated by TAB (multiple occurrences of a field by ",").
     * An empty or null filter means all packets. HTTP/2 fields such as {@code http2.headers.path}
     * or {@code http2.headers.status} work like any other.
     */
    public String fields(Path pcap, String displayFilter, String... fields) {
        List<String> args = new ArrayList<>(List.of("-T", "fields", "-E", "separator=/t"));
        if (displayFilter != null && !displayFilter.isBlank()) {
            args.addAll(List.of("-Y", displayFilter));
        }
        for (String f : fields) {
            args.add("-e");
            args.add(f);
        }
        return run(pcap, args).assertSuccess().stdout();
    }

    /** {@link #fields} split into lines (without empty trailing lines). */
    public List<String> fieldLines(Path pcap, String displayFilter, String... fields) {
        return fields(pcap, displayFilter, fields).lines().filter(l -> !l.isEmpty()).toList();
    }

    /** The number of packets matching {@code displayFilter} (all packets if null or empty). */
    public int count(Path pcap, String displayFilter) {
        return fieldLines(pcap, displayFilter, "frame.number").size();
    }

    /**
     * The bytes of one direction of TCP stream {@code stream} ({@code tcp.stream} index), from
     * {@code -q -z follow,tcp,raw,N}. Node 0 (lines without a leading TAB) is the side that sent
     * the stream's first packet: the client for a normally opened connection.
     */
    public byte[] followTcpRaw(Path pcap, int stream, boolean clientToServer) {
        String out = run(pcap, List.of("-q", "-z", "follow,tcp,raw," + stream)).assertSuccess().stdout();
        return parseFollowRaw(out, clientToServer);
    }

    /**
     * One stream as {@code -z follow,PROTOCOL,raw,N} shows it: the nodes' addresses ("IP:PORT") and
     * the bytes each sent, in order. With {@code follow,tls}, tshark 4.0 names only node 0 (node 1 is
     * ":0"), and node 0 is not always the client: use {@link #sentBy}.
     */
    public record Followed(String node0, String node1, byte[] fromNode0, byte[] fromNode1) {
        /**
         * The bytes {@code address} sent to {@code peer}, telling the nodes apart by node 0's address
         * (which must be one of the two).
         */
        public byte[] sentBy(String address, String peer) {
            if (node0.equals(address)) {
                return fromNode0;
            }
            if (node0.equals(peer)) {
                return fromNode1;
            }
            throw new AssertionError("follow output's node 0 is " + node0 + ", neither " + address + " nor " + peer);
        }
    }

    /**
     * Follows several streams in one tshark run ({@code -q -z follow,PROTOCOL,raw,N} for each):
     * {@code protocol} is "tcp" (the payload as it is), "tls" (the decrypted application data; give
     * the keys with {@link #withKeyLog} or an {@code uat:rsa_keys} preference), "http2"... Returns
     * each stream index's {@link Followed}.
     */
    public Map<Integer, Followed> follow(Path pcap, String protocol, Collection<Integer> streams) {
        List<String> args = new ArrayList<>(List.of("-q"));
        for (int s : streams) {
            args.addAll(List.of("-z", "follow," + protocol + ",raw," + s));
        }
        Map<Integer, Followed> byStream = new TreeMap<>();
        for (Map.Entry<String, Followed> e : parseFollow(run(pcap, args).assertSuccess().stdout()).entrySet()) {
            byStream.put(Integer.parseInt(e.getKey().replaceFirst("^tcp\\.stream eq ", "")), e.getValue());
        }
        return byStream;
    }

    static byte[] parseFollowRaw(String out, boolean node0) {
        Followed f = parseFollow(out).values().iterator().next();
        return node0 ? f.fromNode0() : f.fromNode1();
    }

    /** Every block of follow output (as many as -z follow options), by its "Filter:" value. */
    static Map<String, Followed> parseFollow(String out) {
        Map<String, Followed> blocks = new LinkedHashMap<>();
        String filter = null;
        String[] nodes = new String[2];
        ByteArrayOutputStream[] bytes = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        boolean inBody = false;
        HexFormat hex = HexFormat.of();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("=====")) {
                if (inBody) {
                    blocks.put(filter, new Followed(nodes[0], nodes[1], bytes[0].toByteArray(), bytes[1].toByteArray()));
                    bytes = new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
                    nodes = new String[2];
                    filter = null;
                }
                inBody = false;
                continue;
            }
            if (line.startsWith("Follow:")) {
                inBody = true;
            } else if (line.startsWith("Filter: ")) {
                filter = line.substring("Filter: ".length()).strip();
            } else if (line.startsWith("Node 0: ") || line.startsWith("Node 1: ")) {
                nodes[line.charAt(5) - '0'] = line.substring("Node 0: ".length()).strip();
            } else if (inBody && !line.isBlank()) {
                bytes[line.startsWith("\t") ? 1 : 0].writeBytes(hex.parseHex(line.strip().toLowerCase(Locale.ROOT)));
            }
        }
        if (blocks.isEmpty()) {
            throw new AssertionError("no follow output in:\n" + out);
        }
        return blocks;
    }

    /**
     * Exports HTTP objects ({@code --export-objects http,DIR}) into {@code dir} (created if needed)
     * and returns it.
     */
    public Path exportHttpObjects(Path pcap, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        run(pcap, List.of("-q", "--export-objects", "http," + dir.toAbsolutePath())).assertSuccess();
        return dir;
    }

    /**
     * Asserts that tshark reads the whole capture without complaint: exit code 0 and no "cut short"
     * or "appears to be damaged" (or "corrupt") on stderr.
     */
    public void assertReadsCleanly(Path pcap) {
        ExternalProcess.Result r = run(pcap, List.of("-q"));
        String err = r.stderr().toLowerCase(Locale.ROOT);
        if (r.exitCode() != 0 || err.contains("cut short") || err.contains("appears to be damaged")
                || err.contains("corrupt")) {
            throw new AssertionError("tshark does not read " + pcap + " cleanly (exit " + r.exitCode()
                    + "):\n" + r.stderr());
        }
    }

    /**
     * Asserts that a capture we synthesized is right at the TCP/IP level, with tshark validating IP
     * and TCP checksums: no packet has an unverified checksum or any TCP analysis flag (lost segment,
     * retransmission, window problems...), the capture is not empty, and every packet has a good TCP
     * checksum and a good IPv4 checksum (or none, for IPv6).
     */
    public void assertChecksumsAndTcpAnalysisClean(Path pcap) {
        Tshark checking = withPreference("ip.check_checksum", "TRUE").withPreference("tcp.check_checksum", "TRUE");
        List<String> flagged = checking.fieldLines(pcap,
                "ip.checksum.status==2 || tcp.checksum.status==2 || tcp.analysis.flags", "frame.number");
        if (!flagged.isEmpty()) {
            throw new AssertionError("unverified checksums or TCP analysis flags in " + pcap + ", frames " + flagged);
        }
        List<String> statuses = checking.fieldLines(pcap, null, "ip.checksum.status", "tcp.checksum.status");
        if (statuses.isEmpty()) {
            throw new AssertionError("no packets in " + pcap);
        }
        for (String line : statuses) {
            String[] ipAndTcp = line.split("\t", -1);
            if (!(ipAndTcp[0].isEmpty() || ipAndTcp[0].equals("1")) || ipAndTcp.length < 2 || !ipAndTcp[1].equals("1")) {
                throw new AssertionError("checksum status (ip, tcp; 1 = good) is \"" + line.replace('\t', ',')
                        + "\" in " + pcap);
            }
        }
    }

    /**
     * Starts tshark reading a live PCAP-over-IP stream as a reader process does ({@code nc HOST PORT
     * | tshark -r -}), with bash's {@code /dev/tcp} as the client: {@code cat </dev/tcp/HOST/PORT |
     * tee COPY | tshark -n -l -r - OPTIONS... -T fields -E separator=/t [-Y FILTER] -e F1...}. The
     * process ends when the stream does; its stdout then holds one line per matching packet, its
     * stderr tshark's complaints, and {@code copy} the stream's bytes.
     */
    public ExternalProcess streamFields(String host, int port, Path copy, String displayFilter, String... fields) {
        Path bash = ExternalProcess.requireTool("bash");
        Path tshark = ExternalProcess.requireTool("tshark");
        List<String> cmd = new ArrayList<>(List.of(bash.toString(), "-c",
                "exec 3<\"/dev/tcp/$1/$2\" || exit 97; cat <&3 | tee \"$3\" | \"${@:4}\"", "stream-reader",
                host, Integer.toString(port), copy.toAbsolutePath().toString(),
                tshark.toString(), "-n", "-l", "-r", "-"));
        cmd.addAll(options);
        cmd.addAll(List.of("-T", "fields", "-E", "separator=/t"));
        if (displayFilter != null && !displayFilter.isBlank()) {
            cmd.addAll(List.of("-Y", displayFilter));
        }
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        return ExternalProcess.builder(cmd)
                .env("WIRESHARK_CONFIG_DIR", configDir().toString())
                .unsetEnv("SSLKEYLOGFILE")
                .start();
    }

    /** Runs {@code tshark -n -r PCAP OPTIONS... ARGS...} and returns the result whatever the exit code. */
    public ExternalProcess.Result run(Path pcap, List<String> args) {
        Path tshark = ExternalProcess.requireTool("tshark");
        List<String> cmd = new ArrayList<>(List.of(tshark.toString(), "-n", "-r", pcap.toAbsolutePath().toString()));
        cmd.addAll(options);
        cmd.addAll(args);
        try (ExternalProcess p = ExternalProcess.builder(cmd)
                .env("WIRESHARK_CONFIG_DIR", configDir().toString())
                .unsetEnv("SSLKEYLOGFILE")
                .start()) {
            return p.waitFor(timeout);
        }
    }

    private static synchronized Path configDir() {
        if (configDir == null) {
            configDir = TestFiles.newDir("wireshark-config");
        }
        return configDir;
    }
}
