package io.plainsight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

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

    static byte[] parseFollowRaw(String out, boolean node0) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean inBody = false;
        HexFormat hex = HexFormat.of();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("=====")) {
                if (inBody) {
                    break;
                }
                continue;
            }
            if (line.startsWith("Follow:") || line.startsWith("Filter:") || line.startsWith("Node ")) {
                inBody = true;
                continue;
            }
            if (!inBody || line.isBlank()) {
                continue;
            }
            boolean fromNode1 = line.startsWith("\t");
            if (fromNode1 == node0) {
                continue;
            }
            bytes.writeBytes(hex.parseHex(line.strip().toLowerCase(Locale.ROOT)));
        }
        return bytes.toByteArray();
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
