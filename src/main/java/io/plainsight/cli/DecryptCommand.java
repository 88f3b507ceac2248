package io.plainsight.cli;

import io.plainsight.event.CaptureBus;
import io.plainsight.event.Sink;
import io.plainsight.offline.ConnectionPrefilter;
import io.plainsight.offline.DecryptionReport;
import io.plainsight.offline.OfflineDecryption;
import io.plainsight.offline.ReportJson;
import io.plainsight.offline.ReportText;
import io.plainsight.offline.capture.CaptureFormatException;
import io.plainsight.offline.capture.CaptureReader;
import io.plainsight.offline.capture.MappedFileInput;
import io.plainsight.offline.tls.DecryptionKeys;
import io.plainsight.policy.FilterExpression;
import io.plainsight.policy.FilterSyntaxException;
import io.plainsight.tls.TlsSetupException;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plainsight decrypt}: a capture file plus keys in, plaintext out to every output. */
@Command(name = "decrypt", mixinStandardHelpOptions = true,
        description = {"Decrypts the TLS in pcap/pcapng captures (also gzip-compressed, or '-' for a live stream on stdin) "
                + "with server RSA keys, key logs (SSLKEYLOGFILE) or the capture's own Decryption Secrets Blocks, and writes "
                + "the plaintext to every output: PCAP (default: NAME.decrypted.pcap in the current directory), HAR, flow "
                + "log, console.",
                "Exit code: 0 everything decrypted, 4 some connections not (fully) decrypted, 5 nothing decrypted, "
                        + "1 an input or output could not be used at all, 2 bad options."})
final class DecryptCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger("plainsight");
    /** Inputs smaller than this get no progress bar. */
    private static final long PROGRESS_MIN_BYTES = 8L << 20;

    @Parameters(paramLabel = "INPUT", arity = "1..*",
            description = "Capture files read in this order as one capture (pcap, pcapng, either gzip-compressed); '-' = stdin.")
    List<String> inputs;

    @Option(names = "--rsa-key", paramLabel = "[IP,PORT,]FILE[:PASSWORD]",
            description = "Server RSA private key (PEM: PKCS#1, PKCS#8, encrypted PKCS#8; or PKCS#12). PASSWORD is a file "
                    + "holding it or env:VARIABLE. Matched to connections by the server certificate; IP,PORT narrow it "
                    + "when the certificate is not in the capture. Only RSA key exchange suites can be decrypted this way.")
    List<String> rsaKeys = new ArrayList<>();

    @Option(names = "--keylog", paramLabel = "FILE",
            description = "NSS key log (SSLKEYLOGFILE format: CLIENT_RANDOM and the TLS 1.3 secrets). Repeatable.")
    List<Path> keyLogs = new ArrayList<>();

    @Option(names = "--psk", paramLabel = "HEX", description = "Pre-shared key for the PSK cipher suites, in hex. Repeatable.")
    List<String> psks = new ArrayList<>();

    @Option(names = "--report", paramLabel = "FORMAT", defaultValue = "text",
            description = "The report at the end: text (to stderr), json (to stdout), none. Default: ${DEFAULT-VALUE}.")
    String report;

    @Option(names = "--report-file", paramLabel = "FILE", description = "Write the report to FILE instead ('-' = stdout).")
    String reportFile;

    @Option(names = "--progress", negatable = true, description = "Progress bar on stderr (default: when stderr is a terminal "
            + "and the console output does not go to the same terminal).")
    Boolean progress;

    @Mixin
    HomeOption home;

    @Mixin
    CaptureOptions capture;

    /** Where console lines go. */
    PrintStream console = System.out;
    /** Where the text report and warnings go. */
    PrintStream err = System.err;
    /** What '-' reads. */
    InputStream stdin = System.in;
    /** The environment (for --rsa-key ...:env:VAR). */
    Map<String, String> env = System.getenv();
    /** Bytes read from the input files so far, for the progress bar. */
    private final AtomicLong consumed = new AtomicLong();

    @Override
    public Integer call() throws IOException {
        if (!List.of("text", "json", "none").contains(report)) {
            throw new IllegalArgumentException("--report '" + report + "': expected text, json or none");
        }
        capture.checkBusOptions();
        ConnectionPrefilter prefilter = prefilter();
        io.plainsight.policy.LiveRules rules = capture.liveRules();
        String decryptRulesIgnored = null;
        if (rules != null) {
            prefilter = prefilter.withRules(rules.current());
            if (rules.current().connectionRules().stream().anyMatch(x -> x.actions().decrypt() != null)) {
                decryptRulesIgnored = "--rules " + rules.current().source() + ": decrypt rules act in the proxy and "
                        + "transparent modes only (they relay a connection without decrypting it); decrypt ignores them";
                log.warn("{}", decryptRulesIgnored);
            }
        }
        List<String> keyProblems = new ArrayList<>();
        DecryptionKeys keys = keys(keyProblems);
        defaultPcap();
        ReportOutput reportOut = reportOutput();
        DecryptionReport result;
        try (reportOut) {
            DecryptionReport r = new DecryptionReport(reportOut.json == null ? null : reportOut.json::connection);
            keyProblems.forEach(r::warning);
            if (decryptRulesIgnored != null) {
                r.warning(decryptRulesIgnored);
            }
            // the outputs are made once an input opens as a capture: no empty PCAP when none does
            List<String> rest = new ArrayList<>(inputs);
            CaptureReader first = null;
            while (first == null && !rest.isEmpty()) {
                first = open(rest.remove(0), r);
            }
            result = first == null ? r : decrypt(prefilter, keys, r, first, rest);
            reportOut.finish(result);
        }
        ClassArchive.writeIfAsked(); // for the launcher, once every output is closed
        return result.exitCode();
    }

    private DecryptionReport decrypt(ConnectionPrefilter prefilter, DecryptionKeys keys, DecryptionReport r,
            CaptureReader first, List<String> rest) throws IOException {
        List<Sink> sinks;
        try {
            sinks = Outputs.forDecrypt(capture, home.resolve(), console);
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        CaptureBus bus = new CaptureBus(sinks, capture.overflowPolicy(), capture.queueBytes());
        Thread hook = new Thread(() -> {
            err.println("plainsight: interrupted; flushing what was decrypted so far");
            bus.close();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            OfflineDecryption decryption = new OfflineDecryption(keys, bus::publish, bus.wantsData(), bus.wantsWire(), prefilter,
                    message -> log.warn("{}", message), r);
            readInputs(decryption, r, first, rest);
            DecryptionReport result = decryption.finish();
            bus.close();
            return result;
        } finally {
            bus.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    /** Reads {@code first} (open), then opens and reads each of {@code rest}. */
    private void readInputs(OfflineDecryption decryption, DecryptionReport r, CaptureReader first, List<String> rest) {
        long total = 0;
        for (String in : inputs) {
            if (!"-".equals(in)) {
                try {
                    total += Files.size(Path.of(in));
                } catch (IOException e) {
                    // reported when opened
                }
            }
        }
        boolean bar = progress != null ? progress
                : total >= PROGRESS_MIN_BYTES && !inputs.contains("-") && ProgressBar.isTerminal(2)
                        && (capture.quiet || !ProgressBar.isTerminal(1));
        ProgressBar progressBar = bar ? new ProgressBar(err, total, consumed::get, decryption::openConnections) : null;
        Runnable tick = progressBar == null ? () -> { } : progressBar::tick;
        try {
            read(decryption, r, first, tick);
            for (String name : rest) {
                CaptureReader reader = open(name, r);
                if (reader != null) {
                    read(decryption, r, reader, tick);
                }
            }
        } finally {
            if (progressBar != null) {
                progressBar.done();
            }
        }
    }

    private static void read(OfflineDecryption decryption, DecryptionReport r, CaptureReader reader, Runnable tick) {
        try (reader) {
            decryption.read(reader, tick);
        } catch (IOException e) {
            unreadable(r, reader.name(), e);
        }
    }

    /** Opens an input; one that cannot be opened, or is not a capture, goes into the report and null is returned. */
    private CaptureReader open(String name, DecryptionReport r) {
        if ("-".equals(name)) {
            try {
                return CaptureReader.open(stdin, "stdin");
            } catch (IOException e) {
                unreadable(r, "stdin", e);
                return null;
            }
        }
        InputStream in = null;
        try {
            Path path = Path.of(name);
            // a regular file is read through mappings; a pipe, a device, and a file whose size says
            // nothing (0: empty, or a /proc-like file) are streamed
            if (Files.isRegularFile(path) && Files.size(path) > 0) {
                MappedFileInput mapped = null;
                try {
                    mapped = MappedFileInput.open(path);
                } catch (IOException e) {
                    log.debug("{}: cannot map it ({}); reading it as a stream", name, e.toString());
                }
                if (mapped != null) {
                    in = new CountingInputStream(mapped, consumed);
                    return CaptureReader.open(in, name);
                }
            }
            in = new CountingInputStream(Files.newInputStream(path), consumed);
            return CaptureReader.openReadAhead(in, name);
        } catch (IOException e) {
            closeQuietly(in);
            unreadable(r, name, e);
            return null;
        } catch (RuntimeException e) {
            closeQuietly(in);
            throw e;
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // what it says is of no use any more
            }
        }
    }

    private static void unreadable(DecryptionReport r, String name, IOException e) {
        String message = e instanceof CaptureFormatException ? e.getMessage()
                : name + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
                        : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : "cannot read: " + e.getMessage());
        r.unreadable(message);
        log.error("{}", message);
    }

    private ConnectionPrefilter prefilter() {
        if (capture.filter == null) {
            return ConnectionPrefilter.ALL;
        }
        try {
            return ConnectionPrefilter.of(FilterExpression.parse(capture.filter));
        } catch (FilterSyntaxException e) {
            throw new IllegalArgumentException("--filter: " + e.getMessage(), e);
        }
    }

    /** The keys of the options; what is wrong with them (but not fatal) goes to {@code problems} and the log. */
    private DecryptionKeys keys(List<String> problems) {
        DecryptionKeys keys = new DecryptionKeys();
        for (Path file : keyLogs) {
            try (InputStream in = Files.newInputStream(file)) {
                for (String p : keys.addKeyLog(file.toString(), in)) {
                    problems.add(p);
                    log.warn("{}", p);
                }
            } catch (IOException e) {
                throw new StartupException("--keylog " + file + ": cannot read it: " + describe(e));
            }
        }
        for (String spec : rsaKeys) {
            RsaKeyOption k = RsaKeyOption.parse(spec, env);
            try {
                keys.addRsaKeyFile(k.file(), k.password(), k.narrowTo());
            } catch (TlsSetupException e) {
                // the rest can still be decrypted (with the other keys, the key logs): say so and go on
                String problem = "--rsa-key " + spec + ": " + e.getMessage() + "; going on without this key";
                problems.add(problem);
                log.error("{}", problem);
            }
        }
        for (String hex : psks) {
            try {
                keys.addPsk(HexFormat.of().parseHex(hex.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--psk '" + hex + "': expected 1 to 65535 bytes in hex (" + e.getMessage() + ")");
            }
        }
        if (keyLogs.isEmpty() && rsaKeys.isEmpty() && psks.isEmpty()) {
            log.warn("no --keylog, --rsa-key or --psk given: only keys embedded in pcapng captures (Decryption Secrets Blocks) can be used");
        }
        return keys;
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
    }

    /** Without any PCAP option: NAME.decrypted.pcap in the current directory. */
    private void defaultPcap() {
        if (capture.noPcap || capture.pcap != null || capture.pcapDir != null || capture.pcapng != null) {
            return;
        }
        String first = inputs.get(0);
        String base = "-".equals(first) ? "stdin" : Path.of(first).getFileName().toString();
        base = base.replaceFirst("(?i)(\\.gz)$", "").replaceFirst("(?i)\\.(pcapng|pcap|cap|ntar)$", "");
        capture.pcap = base + ".decrypted.pcap";
        for (String in : inputs) {
            if (!"-".equals(in) && Path.of(in).toAbsolutePath().normalize().equals(Path.of(capture.pcap).toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("the default output " + capture.pcap + " is an input; name one with --pcap");
            }
        }
    }

    private ReportOutput reportOutput() throws IOException {
        if ("none".equals(report)) {
            return new ReportOutput(null, null, null);
        }
        String target = reportFile != null ? reportFile : "json".equals(report) ? "-" : null;
        OutputStream stream;
        if (target == null) {
            stream = null;
        } else if ("-".equals(target)) {
            if ("-".equals(capture.pcap) || "-".equals(capture.har) || "-".equals(capture.flows)
                    || "-".equals(capture.auditLog)) {
                throw new IllegalArgumentException("--report " + report + " would go to stdout, which another output uses; "
                        + "give --report-file FILE");
            }
            stream = console;
        } else {
            stream = new BufferedOutputStream(Files.newOutputStream(Path.of(target)));
        }
        if ("json".equals(report)) {
            return new ReportOutput(stream, new ReportJson(stream), null);
        }
        PrintStream text = stream == null ? err : new PrintStream(stream, false, StandardCharsets.UTF_8);
        return new ReportOutput(stream, null, text);
    }

    /** Where the report goes: a JSON writer, or a text stream. */
    private final class ReportOutput implements AutoCloseable {
        final OutputStream stream;
        final ReportJson json;
        final PrintStream text;

        ReportOutput(OutputStream stream, ReportJson json, PrintStream text) {
            this.stream = stream;
            this.json = json;
            this.text = text;
        }

        void finish(DecryptionReport r) {
            if (json != null) {
                json.finish(r);
            } else if (text != null) {
                ReportText.write(r, text);
                text.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (json != null) {
                json.close();
            }
            if (stream != null && stream != console) {
                stream.close();
            } else if (stream != null) {
                stream.flush();
            }
        }
    }

    /** Counts the bytes read from a file, for the progress bar. */
    private static final class CountingInputStream extends FilterInputStream {
        private final AtomicLong counter;

        CountingInputStream(InputStream in, AtomicLong counter) {
            super(in);
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counter.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                counter.addAndGet(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(n);
            counter.addAndGet(s);
            return s;
        }
    }
}
