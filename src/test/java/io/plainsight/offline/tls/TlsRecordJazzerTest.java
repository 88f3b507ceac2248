package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz targets (Jazzer) of the TLS record layer, {@link TlsStreamDecryptor}, with
 * keys that make decryption happen:
 *
 * <ul>
 *   <li>{@link #recordedConnections}: the fuzzer's bytes, cut by fuzzer-chosen lengths and
 *       directions (and the odd {@code gap}), are the TCP streams of one connection, decrypted
 *       with the keys of the Wireshark corpus (key logs, RSA keys, a PSK). The seeds are real
 *       connections of that corpus, so the fuzzer mutates handshakes that work and the records
 *       after them.
 *   <li>{@link #protectedRecords}: past a recorded TLS 1.3 ClientHello and ServerHello (whose
 *       traffic secrets the key log has), or a synthetic TLS 1.2 handshake ({@link SyntheticTls}),
 *       the fuzzer chooses the content of records that are then encrypted with the right keys
 *       (fuzzer-chosen epoch: clear, 0-RTT, handshake, application after n KeyUpdates), so that it
 *       reaches what lies behind the MAC check: encrypted handshake messages, KeyUpdate, alerts,
 *       renegotiation. The TLS 1.3 seeds are the corpus's connections decrypted and sealed again.
 * </ul>
 *
 * <p>Allowed outcomes: listener calls (handshake, plaintext, note, failed). Findings: anything
 * thrown out of {@code data}, {@code gap} or {@code end}; an "internal error" failure or note
 * (the decryptor's own RuntimeException, which it catches); more than one {@code failed}; an
 * empty or oversized plaintext, or one with a timestamp not yet fed; a listener call after
 * {@code end}; input buffers whose indexes or bytes the decryptor changed; other listener calls
 * when the same bytes come in small pieces (the decryptor must not depend on the segmentation);
 * a timeout.
 *
 * <p>The normal build ({@code mvn verify}) runs only the seeds in
 * src/test/resources/io/plainsight/offline/tls/TlsRecordJazzerTestInputs/METHOD/ (made by
 * {@link #seeds}, which also checks that they decrypt). To fuzz one method (5 minutes;
 * {@code -Djazzer.max_duration=30m} for longer):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B test -Dtest='TlsRecordJazzerTest#recordedConnections' \
 *     -Djunit.jupiter.execution.timeout.mode=disabled -Dsurefire.failIfNoSpecifiedTests=false
 * JAZZER_FUZZ=1 mvn -B test -Dtest='TlsRecordJazzerTest#protectedRecords' \
 *     -Djunit.jupiter.execution.timeout.mode=disabled -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * (Jazzer turns the {@code @Timeout} into libFuzzer's per-input {@code -timeout}; JUnit would
 * apply it to the whole fuzzing run, hence the timeout mode.) Jazzer keeps its corpus in
 * .cifuzz-corpus/ (not committed) and writes a crashing or hanging input into the seed
 * directory, where it stays as a regression test. To rewrite the generated seeds:
 * {@code mvn test -Dtest='TlsRecordJazzerTest#seeds' -Dplainsight.writeJazzerSeeds=true}.
 */
class TlsRecordJazzerTest {

    // ---- recorded connections ----

    /** Op kinds of {@link #recordedConnections}: bits 1-3 of the op byte (bit 0: from the client). */
    static final int WRAPPED = 0;
    static final int READER_INDEX = 4;
    static final int SLICE = 5;
    static final int DIRECT = 6;
    static final int GAP = 7;

    /**
     * Until the input is used up: an op byte (direction, kind), then for data a length (0..65535)
     * and that many bytes, handed over as a heap buffer (wrapped, with a reader index, or a slice
     * with an array offset) or a direct buffer; for a gap, its length.
     */
    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void recordedConnections(FuzzedDataProvider data) {
        run(data, TlsRecordJazzerTest::recorded);
    }

    static Script recorded(Input data) {
        List<Step> steps = new ArrayList<>();
        while (data.remaining() > 0) {
            int op = data.intIn(0, 255);
            boolean fromClient = (op & 1) != 0;
            int kind = (op >>> 1) & 7;
            if (kind == GAP) {
                steps.add(new Step(fromClient, null, kind, data.intIn(1, 1 << 20)));
            } else {
                steps.add(new Step(fromClient, data.bytes(data.intIn(0, 0xFFFF)), kind, 0));
            }
        }
        return new Script(TlsRecordJazzerTest::corpusKeys, steps);
    }

    /** Keys of the corpus connections used as seeds (fresh per input: the session cache must not carry over). */
    static DecryptionKeys corpusKeys() {
        DecryptionKeys keys = new DecryptionKeys();
        try {
            keys.addKeyLog("corpus", new StringReader(Corpus.KEY_LOG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        keys.addRsaKey("rsa-p-lt-q.key", Corpus.RSA_P_LT_Q, null);
        keys.addRsaKey("rsasnakeoil2.key", Corpus.RSA_SNAKEOIL, null);
        keys.addPsk(HexFormat.of().parseHex(TlsCorpusTest.PSK));
        return keys;
    }

    /** Key material parsed once. */
    static final class Corpus {
        static final String KEY_LOG = resourceText("keys/tls13-rfc8446.keys") + "\n" + resourceText("keys/dhe1_keylog.dat")
                + "\n" + resourceText("keys/tls13-20-chacha20poly1305.keys");
        static final PrivateKey RSA_P_LT_Q = DecryptionKeys.readPrivateKey(TlsCorpusTest.key("rsa-p-lt-q.key"), null);
        static final PrivateKey RSA_SNAKEOIL = DecryptionKeys.readPrivateKey(TlsCorpusTest.key("rsasnakeoil2.key"), null);
    }

    // ---- protected records ----

    /** Content types by bits 4-7 of the op byte; beyond the table, the value itself (not a content type). */
    static final int[] TYPES = {23, 22, 21, 20, 24, 0, 25, 255};
    /** TLS 1.2 suites of {@link SyntheticTls}: AES-GCM, ChaCha20-Poly1305, AES-CBC (SHA-1, SHA-256), 3DES, RC4, NULL. */
    static final int[] TLS12_SUITES = {0xc02f, 0xc030, 0xcca8, 0x002f, 0x003d, 0x000a, 0x0005, 0x003b};

    /**
     * A boolean: TLS 1.3 (then which recorded hello) or TLS 1.2 (then which suite); then until
     * the input is used up: an op byte (bit 0 from the client, bits 1-3 the epoch, bits 4-7 the
     * content type), a length (0..32767), an aux byte (bits 0-6: where to cut the record in two
     * data calls, 0: not cut; bit 7: TLS 1.3 padding) and the content. Epoch 0 writes the record in
     * the clear; in TLS 1.2 any other epoch protects it with the connection's keys; in TLS 1.3 see
     * {@link Tls13Sealer}.
     */
    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void protectedRecords(FuzzedDataProvider data) {
        run(data, TlsRecordJazzerTest::protectedRecords);
    }

    interface Sealer {
        byte[] seal(boolean fromClient, int epoch, int type, byte[] content, int padding);
    }

    static Script protectedRecords(Input data) {
        List<Step> steps = new ArrayList<>();
        String keyLog;
        Sealer sealer;
        if (data.bool()) {
            Tls13Hello hello = Tls13Hello.ALL.get(data.intIn(0, Tls13Hello.ALL.size() - 1));
            keyLog = hello.keyLog;
            steps.add(new Step(true, hello.clientHello, WRAPPED, 0));
            steps.add(new Step(false, hello.serverHello, WRAPPED, 0));
            Tls13Sealer tls = new Tls13Sealer(hello.suite, keys(keyLog), hello.clientRandom);
            sealer = (c, epoch, type, content, padding) -> epoch == Tls13Sealer.CLEAR ? clear(type, content)
                    : tls.seal(c, epoch, type, content, padding);
        } else {
            SyntheticTls tls = new SyntheticTls(TLS12_SUITES[data.intIn(0, TLS12_SUITES.length - 1)], 1);
            keyLog = tls.keyLogLine();
            steps.add(new Step(true, tls.client.toByteArray(), WRAPPED, 0));
            steps.add(new Step(false, tls.server.toByteArray(), WRAPPED, 0));
            sealer = (c, epoch, type, content, padding) -> epoch == 0 ? clear(type, content) : tls.protect(c, type, content);
        }
        while (data.remaining() > 0) {
            int op = data.intIn(0, 255);
            boolean fromClient = (op & 1) != 0;
            int epoch = (op >>> 1) & 7;
            int sel = op >>> 4;
            int type = sel < TYPES.length ? TYPES[sel] : sel;
            int length = data.intIn(0, 0x7FFF);
            int aux = data.intIn(0, 255);
            byte[] record = sealer.seal(fromClient, epoch, type, data.bytes(length), (aux & 0x80) != 0 ? 7 : 0);
            int cut = aux & 0x7f;
            if (cut > 0 && cut < record.length) {
                steps.add(new Step(fromClient, Arrays.copyOf(record, cut), WRAPPED, 0));
                steps.add(new Step(fromClient, Arrays.copyOfRange(record, cut, record.length), WRAPPED, 0));
            } else {
                steps.add(new Step(fromClient, record, WRAPPED, 0));
            }
        }
        return new Script(() -> keys(keyLog), steps);
    }

    static DecryptionKeys keys(String keyLog) {
        DecryptionKeys keys = new DecryptionKeys();
        try {
            keys.addKeyLog("key log", new StringReader(keyLog));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    static byte[] clear(int type, byte[] content) {
        byte[] r = new byte[5 + content.length];
        r[0] = (byte) type;
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) (content.length >> 8);
        r[4] = (byte) content.length;
        System.arraycopy(content, 0, r, 5, content.length);
        return r;
    }

    /** A recorded TLS 1.3 ClientHello and ServerHello (the first record of each direction), with the key log. */
    record Tls13Hello(String fixture, int stream, byte[] clientHello, byte[] serverHello, byte[] clientRandom,
            CipherSuite suite, String keyLog) {
        static final List<Tls13Hello> ALL = List.of(load("tls13-rfc8446", 0), load("tls13-rfc8446", 1));

        static Tls13Hello load(String fixture, int stream) {
            try {
                List<Segments.Chunk> chunks = Streams.stream(fixture, stream);
                byte[] ch = firstRecord(Streams.direction(chunks, true));
                byte[] sh = firstRecord(Streams.direction(chunks, false));
                ServerHello parsed = ServerHello.parse(sh, 9, sh.length - 9);
                return new Tls13Hello(fixture, stream, ch, sh, Arrays.copyOfRange(ch, 11, 43),
                        CipherSuite.byCode(parsed.cipherSuite()), resourceText("keys/" + fixture + ".keys"));
            } catch (IOException | ByteReader.MalformedException e) {
                throw new IllegalStateException(e);
            }
        }

        static byte[] firstRecord(byte[] direction) {
            return Arrays.copyOf(direction, 5 + (((direction[3] & 0xff) << 8) | (direction[4] & 0xff)));
        }
    }

    // ---- input, feeding and checking ----

    /** What the targets read: Jazzer's FuzzedDataProvider, or {@link ProviderBytes.Reader} for {@link #seeds}. */
    interface Input {
        int remaining();

        byte[] bytes(int n);

        boolean bool();

        int intIn(int min, int max);

        static Input of(FuzzedDataProvider data) {
            return new Input() {
                @Override
                public int remaining() {
                    return data.remainingBytes();
                }

                @Override
                public byte[] bytes(int n) {
                    return data.consumeBytes(n);
                }

                @Override
                public boolean bool() {
                    return data.consumeBoolean();
                }

                @Override
                public int intIn(int min, int max) {
                    return data.consumeInt(min, max);
                }
            };
        }
    }

    /** What a target feeds a decryptor: its keys (made anew per decryptor), then data and gaps in order. */
    record Script(Supplier<DecryptionKeys> keys, List<Step> steps) {}

    /** Data ({@code bytes}, in a buffer of {@code kind}), or a gap of {@code gap} bytes when bytes is null. */
    record Step(boolean fromClient, byte[] bytes, int kind, int gap) {}

    /**
     * Plays the script a target reads from Jazzer's provider, and again with every data step cut
     * in small pieces: the decryptor must report the same, whatever the segmentation. In
     * regression mode (the provider then holds the input as a Java array) it also reads the input
     * through {@link ProviderBytes.Reader}, which {@link #seeds} uses, and checks that the outcome
     * is the same: the seeds mean what {@link #seeds} says.
     */
    private static void run(FuzzedDataProvider data, Function<Input, Script> target) {
        Script script = target.apply(Input.of(data));
        List<String> whole = play(script, false).events;
        List<String> pieces = play(script, true).events;
        if (!normalized(pieces).equals(normalized(whole))) {
            throw new AssertionError("other events when the data comes in pieces: " + diff(normalized(whole),
                    normalized(pieces)));
        }
        if (data instanceof FuzzedDataProviderImpl impl && impl.getJavaData() != null) {
            List<String> seedReader = play(target.apply(new ProviderBytes.Reader(impl.getJavaData())), false).events;
            if (!seedReader.equals(whole)) {
                throw new AssertionError("Jazzer's FuzzedDataProvider reads this input unlike ProviderBytes.Reader: "
                        + diff(whole, seedReader));
            }
        }
    }

    /** The first bytes of something that is not a TLS record: the message shows 5 to 8 of them, as many as have come. */
    private static final Pattern NOT_TLS = Pattern.compile("((?:stream starts with |not a TLS record header at [^:]*: )"
            + "[0-9a-f]{2}(?: [0-9a-f]{2}){4})(?: [0-9a-f]{2})*(?: \\(\".*\"\\))?");

    /** Events with the parts that may depend on the segmentation (what {@link #NOT_TLS} matches) cut to what may not. */
    static List<String> normalized(List<String> events) {
        return events.stream().map(e -> NOT_TLS.matcher(e).replaceAll("$1")).toList();
    }

    /** Sizes the pieces of a data step cycle through when {@link #play} cuts it. */
    private static final int[] PIECES = {1, 2, 3, 5, 8, 13, 1, 4, 700};

    static Checked play(Script script, boolean inPieces) {
        Checked listener = new Checked();
        TlsStreamDecryptor d = new TlsStreamDecryptor(1, script.keys.get(), listener);
        int piece = 0;
        for (Step s : script.steps) {
            listener.now++;
            if (s.bytes == null) {
                d.gap(s.fromClient, s.gap);
            } else if (!inPieces) {
                feed(d, listener, s.fromClient, s.bytes, s.kind);
            } else {
                int off = 0;
                do {
                    int n = Math.min(s.bytes.length - off, PIECES[piece++ % PIECES.length]);
                    feed(d, listener, s.fromClient, Arrays.copyOfRange(s.bytes, off, off + n), s.kind);
                    off += n;
                } while (off < s.bytes.length);
            }
        }
        listener.end(d);
        return listener;
    }

    private static String diff(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return "event " + i + ": " + (i < a.size() ? a.get(i) : "(none)") + " / " + (i < b.size() ? b.get(i) : "(none)");
    }

    /** Hands {@code b} to {@code d} in a buffer of the given kind, and checks that it was neither changed nor consumed. */
    static void feed(TlsStreamDecryptor d, Checked listener, boolean fromClient, byte[] b, int kind) {
        byte[] copy = b.clone();
        ByteBuf buf = switch (kind) {
            case READER_INDEX -> Unpooled.wrappedBuffer(padded(b)).setIndex(7, 7 + b.length);
            case SLICE -> Unpooled.wrappedBuffer(padded(b)).slice(7, b.length);
            case DIRECT -> Unpooled.directBuffer(Math.max(1, b.length)).writeBytes(b);
            default -> Unpooled.wrappedBuffer(b);
        };
        try {
            int r = buf.readerIndex();
            int w = buf.writerIndex();
            d.data(fromClient, listener.now, buf);
            if (buf.readerIndex() != r || buf.writerIndex() != w) {
                throw new AssertionError("data() moved the buffer's indexes");
            }
            byte[] after = new byte[b.length];
            buf.getBytes(r, after);
            if (!Arrays.equals(after, copy)) {
                throw new AssertionError("data() changed the bytes it was given");
            }
        } finally {
            buf.release();
        }
    }

    private static byte[] padded(byte[] b) {
        byte[] p = new byte[b.length + 14];
        Arrays.fill(p, (byte) 0x17); // what a stray read beyond the view would take for a record header
        System.arraycopy(b, 0, p, 7, b.length);
        return p;
    }

    /** Checks every listener call; counts what came out for {@link #seeds}. */
    static final class Checked implements TlsListener {
        long now;
        boolean ended;
        int handshakes;
        int plaintextRecords;
        final List<String> failures = new ArrayList<>();
        /** Every call, for comparisons. */
        final List<String> events = new ArrayList<>();

        void end(TlsStreamDecryptor d) {
            now++;
            d.end(now);
            ended = true;
            d.end(now + 1); // both ignored, without a listener call
            d.data(true, now + 1, Unpooled.wrappedBuffer(new byte[] {22, 3, 3, 0, 0}));
        }

        private void alive(String call) {
            if (ended) {
                throw new AssertionError(call + " after end()");
            }
        }

        @Override
        public void handshake(TlsHandshakeInfo info) {
            alive("handshake");
            if (info == null || info.version() == null || info.cipherSuite() == null) {
                throw new AssertionError("incomplete handshake info " + info);
            }
            handshakes++;
            events.add("handshake " + info);
        }

        @Override
        public void plaintext(boolean fromClient, long timestampMicros, ByteBuf data) {
            alive("plaintext");
            int n = data.readableBytes();
            if (n < 1 || n > TlsStreamDecryptor.MAX_FRAGMENT) {
                throw new AssertionError("plaintext of " + n + " bytes");
            }
            if (timestampMicros < 1 || timestampMicros > now) {
                throw new AssertionError("plaintext at " + timestampMicros + " while feeding data of " + now);
            }
            byte[] b = new byte[n];
            data.getBytes(data.readerIndex(), b); // within bounds, or this throws
            plaintextRecords++;
            events.add("plaintext " + (fromClient ? "c2s " : "s2c ") + n + " bytes at " + timestampMicros + " #"
                    + Arrays.hashCode(b));
        }

        @Override
        public void note(String message) {
            alive("note");
            if (message == null || message.isEmpty() || message.contains("internal error")) {
                throw new AssertionError("note: " + message);
            }
            events.add("note " + message);
        }

        @Override
        public void failed(String reason) {
            alive("failed");
            if (reason == null || reason.isEmpty() || reason.contains("internal error")) {
                throw new AssertionError("failed: " + reason);
            }
            failures.add(reason);
            events.add("failed " + reason);
            if (failures.size() > 1) {
                throw new AssertionError("failed twice: " + failures);
            }
        }
    }

    static String resourceText(String name) {
        try (InputStream in = TlsRecordJazzerTest.class.getResourceAsStream("/offline/tls/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- seeds ----

    static final String INPUTS = "io/plainsight/offline/tls/TlsRecordJazzerTestInputs/";

    /**
     * The seed inputs decrypt: every recorded connection and every re-sealed TLS 1.3 one gives
     * plaintext without a failure through the fuzz targets (so the ops are read as written, and
     * the fuzzer starts from inputs that reach decryption), and the checked-in files are what this
     * makes ({@code -Dplainsight.writeJazzerSeeds=true} rewrites them).
     */
    @Test
    void seeds() throws IOException {
        boolean write = Boolean.getBoolean("plainsight.writeJazzerSeeds");
        Map<String, byte[]> recorded = recordedSeeds();
        Map<String, byte[]> sealed = protectedSeeds();
        for (var e : recorded.entrySet()) {
            check("recordedConnections/" + e.getKey(), e.getValue(), write);
            Checked r = play(recorded(new ProviderBytes.Reader(e.getValue())), false);
            assertThat(r.failures).as(e.getKey()).isEmpty();
            assertThat(r.plaintextRecords).as(e.getKey()).isPositive();
        }
        for (var e : sealed.entrySet()) {
            check("protectedRecords/" + e.getKey(), e.getValue(), write);
            Checked r = play(protectedRecords(new ProviderBytes.Reader(e.getValue())), false);
            assertThat(r.failures).as(e.getKey()).isEmpty();
            assertThat(r.plaintextRecords).as(e.getKey()).isPositive();
            assertThat(r.handshakes).as(e.getKey()).isPositive();
        }
    }

    private static void check(String name, byte[] expected, boolean write) throws IOException {
        if (write) {
            Path file = Path.of("src/test/resources", INPUTS, name);
            Files.createDirectories(file.getParent());
            Files.write(file, expected);
            return;
        }
        try (InputStream in = TlsRecordJazzerTest.class.getResourceAsStream("/" + INPUTS + name)) {
            assertThat(in).as("seed %s (write it with -Dplainsight.writeJazzerSeeds=true)", name).isNotNull();
            assertThat(in.readAllBytes()).as("seed %s is what seeds() makes", name).isEqualTo(expected);
        }
    }

    /** Corpus connections, chunk by chunk as captured. */
    static Map<String, byte[]> recordedSeeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (String s : List.of("tls13-rfc8446:0", "tls13-rfc8446:1", "dhe1:0", "rsa-p-lt-q:0", "tls12-aes128ccm:0",
                "tls-renegotiation:0", "tls13-20-chacha20poly1305:0")) {
            String fixture = s.substring(0, s.indexOf(':'));
            int stream = Integer.parseInt(s.substring(s.indexOf(':') + 1));
            ProviderBytes p = new ProviderBytes();
            List<Segments.Chunk> chunks = Streams.stream(fixture, stream);
            for (int i = 0; i < chunks.size(); i++) {
                Segments.Chunk c = chunks.get(i);
                // the kinds of buffer in turn on one connection; the others get plain wrapped arrays
                int kind = fixture.equals("dhe1") ? new int[] {WRAPPED, READER_INDEX, SLICE, DIRECT}[i % 4] : WRAPPED;
                p.intIn(0, 255, (c.fromClient() ? 1 : 0) | kind << 1).intIn(0, 0xFFFF, c.bytes().length).bytes(c.bytes());
            }
            seeds.put(fixture + "-" + stream, p.build());
        }
        return seeds;
    }

    /** TLS 1.3 corpus connections decrypted and sealed again, with a KeyUpdate added; TLS 1.2 synthetic exchanges. */
    static Map<String, byte[]> protectedSeeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (int h = 0; h < Tls13Hello.ALL.size(); h++) {
            Tls13Hello hello = Tls13Hello.ALL.get(h);
            ProviderBytes p = new ProviderBytes().bool(true).intIn(0, Tls13Hello.ALL.size() - 1, h);
            DecryptionKeys keys = new DecryptionKeys();
            keys.addKeyLog(hello.fixture, new StringReader(hello.keyLog));
            Tls13Sealer opener = new Tls13Sealer(hello.suite, keys, hello.clientRandom);
            int[] epoch = {Tls13Sealer.EARLY, Tls13Sealer.HANDSHAKE}; // the first each side may use
            for (Record r : records(Streams.stream(hello.fixture, hello.stream))) {
                int side = r.fromClient ? 0 : 1;
                byte[] content;
                int type;
                if (r.bytes[0] != 23) {
                    type = r.bytes[0];
                    content = Arrays.copyOfRange(r.bytes, 5, r.bytes.length);
                    op(p, r.fromClient, 0, type, content);
                    continue;
                }
                byte[] inner = null;
                while (epoch[side] < Tls13Sealer.EPOCHS && (inner = opener.open(r.fromClient, epoch[side], r.bytes)) == null) {
                    epoch[side]++;
                }
                assertThat(inner).as("%s stream %d: a record that no epoch opens", hello.fixture, hello.stream).isNotNull();
                int end = inner.length;
                while (inner[end - 1] == 0) {
                    end--;
                }
                type = inner[end - 1];
                content = Arrays.copyOf(inner, end - 1);
                op(p, r.fromClient, epoch[side], type, content);
            }
            if (hello.stream == 0) { // then a KeyUpdate each way, and data under the next keys
                op(p, false, Tls13Sealer.APPLICATION, 22, new byte[] {24, 0, 0, 1, 1});
                op(p, true, Tls13Sealer.APPLICATION, 22, new byte[] {24, 0, 0, 1, 0});
                op(p, false, Tls13Sealer.APPLICATION + 1, 23, "after a KeyUpdate".getBytes(StandardCharsets.US_ASCII));
                op(p, true, Tls13Sealer.APPLICATION + 1, 23, "after a KeyUpdate".getBytes(StandardCharsets.US_ASCII));
            }
            seeds.put(hello.fixture + "-" + hello.stream + "-resealed", p.build());
        }
        for (int suite : new int[] {0xc02f, 0xcca8, 0x003d}) {
            int index = 0;
            while (TLS12_SUITES[index] != suite) {
                index++;
            }
            ProviderBytes p = new ProviderBytes().bool(false).intIn(0, TLS12_SUITES.length - 1, index);
            op(p, true, 1, 23, "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            op(p, false, 1, 23, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            op(p, false, 1, 24, new byte[] {1, 0, 3, 'a', 'b', 'c'}); // heartbeat
            op(p, false, 1, 22, new byte[] {0, 0, 0, 0}); // HelloRequest
            op(p, false, 1, 21, new byte[] {1, 0}); // close_notify
            op(p, true, 1, 21, new byte[] {2, 40}); // handshake_failure
            seeds.put("tls12-" + Integer.toHexString(suite), p.build());
        }
        return seeds;
    }

    private static void op(ProviderBytes p, boolean fromClient, int epoch, int type, byte[] content) {
        int sel = 0;
        while (TYPES[sel] != type) {
            sel++;
        }
        p.intIn(0, 255, (fromClient ? 1 : 0) | epoch << 1 | sel << 4).intIn(0, 0x7FFF, content.length).intIn(0, 255, 0)
                .bytes(content);
    }

    record Record(boolean fromClient, byte[] bytes) {}

    /** The records of a connection after each side's first (the hellos), in the order they were complete. */
    static List<Record> records(List<Segments.Chunk> chunks) {
        List<Record> out = new ArrayList<>();
        ByteArrayOutputStream[] pending = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        int[] seen = {0, 0};
        for (Segments.Chunk c : chunks) {
            int side = c.fromClient() ? 0 : 1;
            pending[side].writeBytes(c.bytes());
            byte[] b = pending[side].toByteArray();
            int p = 0;
            while (b.length - p >= 5 && b.length - p >= 5 + (((b[p + 3] & 0xff) << 8) | (b[p + 4] & 0xff))) {
                int end = p + 5 + (((b[p + 3] & 0xff) << 8) | (b[p + 4] & 0xff));
                if (seen[side]++ > 0) {
                    out.add(new Record(c.fromClient(), Arrays.copyOfRange(b, p, end)));
                }
                p = end;
            }
            pending[side] = new ByteArrayOutputStream();
            pending[side].write(b, p, b.length - p);
        }
        return out;
    }
}
