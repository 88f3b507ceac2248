package io.plainsight.offline.tls;

import io.plainsight.tls.Pem;
import io.plainsight.tls.ServerCertificates;
import io.plainsight.tls.TlsSetupException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything that can open TLS connections of a capture, shared by all its connections
 * ({@link TlsStreamDecryptor}s): NSS key logs (from files or pcapng Decryption Secrets Blocks),
 * RSA private keys, pre-shared keys, and the cache of sessions seen so far (for resumption by
 * session ID or ticket, across connections).
 *
 * <p>Keys may be added while connections are being decrypted (a DSB in the middle of a pcapng
 * applies from where it appears): a connection looks its keys up when its first encrypted
 * record needs them. Thread-safe. Not the same thing as {@code io.plainsight.tls.KeyMaterial}
 * (a key and certificate chain the proxy presents).
 */
public final class DecryptionKeys {
    private final Map<KeyLogLabel, Map<Bytes, byte[]>> byClientRandom = new EnumMap<>(KeyLogLabel.class);
    /** "RSA &lt;first 8 bytes of the encrypted premaster&gt; &lt;premaster&gt;". */
    private final Map<Bytes, byte[]> premasterByEncryptedPrefix = new ConcurrentHashMap<>();
    /** "RSA Session-ID:&lt;id&gt; Master-Key:&lt;master secret&gt;". */
    private final Map<Bytes, byte[]> masterBySessionId = new ConcurrentHashMap<>();
    private final List<RsaKey> rsaKeys = new CopyOnWriteArrayList<>();
    private final List<byte[]> psks = new CopyOnWriteArrayList<>();
    private final List<String> keyLogSources = new CopyOnWriteArrayList<>();
    private final AtomicInteger keyLogEntries = new AtomicInteger();
    private final SessionCache sessions = new SessionCache();

    /** An RSA private key; {@code narrowTo} (or null) limits it to one server address or port (0.0.0.0 and port 0 match any). */
    record RsaKey(String source, RSAPrivateKey key, InetSocketAddress narrowTo) {
        boolean appliesTo(InetSocketAddress server) {
            if (narrowTo == null || server == null) {
                return true;
            }
            boolean anyHost = narrowTo.getAddress() == null || narrowTo.getAddress().isAnyLocalAddress();
            boolean hostOk = anyHost || narrowTo.getAddress().equals(server.getAddress());
            return hostOk && (narrowTo.getPort() == 0 || narrowTo.getPort() == server.getPort());
        }
    }

    public DecryptionKeys() {
        for (KeyLogLabel l : KeyLogLabel.values()) {
            byClientRandom.put(l, new ConcurrentHashMap<>());
        }
    }

    /**
     * Adds the secrets of an NSS key log: {@code CLIENT_RANDOM}, {@code PMS_CLIENT_RANDOM}, the
     * TLS 1.3 traffic secrets (including {@code CLIENT_EARLY_TRAFFIC_SECRET}),
     * {@code RSA <encrypted premaster prefix> <premaster>} and
     * {@code RSA Session-ID:<hex> Master-Key:<hex>} lines. Hex may be upper or lower case; blank
     * lines and {@code #} comments are skipped; a later line for the same key replaces an earlier one.
     *
     * @param source names the input in warnings, e.g. "keys.log" or "capture.pcapng DSB #2"
     * @return one warning per line that was not understood, naming {@code source} and the line number
     * @throws IOException only when {@code text} cannot be read
     */
    public List<String> addKeyLog(String source, Reader text) throws IOException {
        StringWriter all = new StringWriter();
        text.transferTo(all);
        return addKeyLog(source, new ByteArrayInputStream(all.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * {@link #addKeyLog(String, Reader)} for a key log in UTF-8 (ASCII in practice): well-formed
     * lines of the labels keyed by client random are taken from the bytes themselves; every other
     * line (RSA lines, malformed or non-ASCII ones) is decoded and handled as a String.
     */
    public List<String> addKeyLog(String source, InputStream text) throws IOException {
        List<String> warnings = new ArrayList<>();
        int[] numberAndAdded = new int[2];
        KeyLogLines.read(text, (b, from, to) -> {
            int number = ++numberAndAdded[0];
            int fast = addKeyLogLine(b, from, to);
            if (fast >= 0) {
                numberAndAdded[1] += fast;
                return;
            }
            String line = new String(b, from, to - from, StandardCharsets.UTF_8);
            String problem = addKeyLogLine(line.strip());
            if (problem == null) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    numberAndAdded[1]++;
                }
            } else {
                warnings.add(source + " line " + number + ": " + problem);
            }
        });
        keyLogSources.add(source);
        keyLogEntries.addAndGet(numberAndAdded[1]);
        return warnings;
    }

    private static final KeyLogLabel[] LABELS = KeyLogLabel.values();
    private static final byte[][] LABEL_BYTES = Arrays.stream(LABELS)
            .map(l -> l.name().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    /** The value of each hex digit, -1 for bytes that are not one. */
    private static final byte[] HEX_VALUE = new byte[256];

    static {
        Arrays.fill(HEX_VALUE, (byte) -1);
        for (int i = 0; i < 16; i++) {
            HEX_VALUE["0123456789abcdef".charAt(i)] = (byte) i;
            HEX_VALUE["0123456789ABCDEF".charAt(i)] = (byte) i;
        }
    }

    /**
     * The common case of {@link #addKeyLogLine(String)} straight from the bytes: 0 for a blank or
     * comment line, 1 for a well-formed line of a label keyed by client random (added), -1 for
     * anything else (not added; the String path decides what it is).
     */
    private int addKeyLogLine(byte[] b, int from, int to) {
        int i = from;
        int end = to;
        for (int k = from; k < to; k++) {
            if (b[k] < 0) {
                return -1; // not ASCII: the String path strips and splits Unicode whitespace
            }
        }
        while (i < end && isSpace(b[i])) {
            i++;
        }
        while (end > i && isSpace(b[end - 1])) {
            end--;
        }
        if (i == end || b[i] == '#') {
            return 0;
        }
        int labelStart = i;
        i = skip(b, i, end, false);
        KeyLogLabel label = label(b, labelStart, i);
        int randomStart = skip(b, i, end, true);
        int randomEnd = skip(b, randomStart, end, false);
        int secretStart = skip(b, randomEnd, end, true);
        int secretEnd = skip(b, secretStart, end, false);
        if (label == null || secretEnd != end || randomStart == randomEnd || secretStart == secretEnd) {
            return -1;
        }
        byte[] random = hex(b, randomStart, randomEnd);
        byte[] secret = hex(b, secretStart, secretEnd);
        if (random == null || random.length != 32 || secret == null || secret.length < label.minLength
                || secret.length > label.maxLength || (label != KeyLogLabel.CLIENT_RANDOM && label != KeyLogLabel.PMS_CLIENT_RANDOM
                        && secret.length != 32 && secret.length != 48)) {
            return -1;
        }
        byClientRandom.get(label).put(new Bytes(random), secret);
        return 1;
    }

    /** Whether an ASCII byte is whitespace as {@link Character#isWhitespace} says. */
    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }

    /** The index of the first byte from {@code i} that is (space false) or is not (space true) whitespace. */
    private static int skip(byte[] b, int i, int end, boolean space) {
        while (i < end && isSpace(b[i]) == space) {
            i++;
        }
        return i;
    }

    private static KeyLogLabel label(byte[] b, int from, int to) {
        for (int l = 0; l < LABEL_BYTES.length; l++) {
            if (Arrays.equals(LABEL_BYTES[l], 0, LABEL_BYTES[l].length, b, from, to)) {
                return LABELS[l];
            }
        }
        return null;
    }

    /** {@code b[from, to)} as hex digits, or null when it is not an even number of them. */
    private static byte[] hex(byte[] b, int from, int to) {
        if (((to - from) & 1) != 0) {
            return null;
        }
        byte[] out = new byte[(to - from) / 2];
        int bad = 0;
        for (int i = 0, j = from; i < out.length; i++, j += 2) {
            int hi = HEX_VALUE[b[j] & 0xFF];
            int lo = HEX_VALUE[b[j + 1] & 0xFF];
            bad |= hi | lo;
            out[i] = (byte) ((hi << 4) | lo);
        }
        return bad < 0 ? null : out;
    }

    /** Adds one key log line; returns null, or what is wrong with it. */
    private String addKeyLogLine(String line) {
        if (line.isEmpty() || line.startsWith("#")) {
            return null;
        }
        String[] f = fields(line);
        if (f[0].equals("RSA") && f.length == 3 && f[1].startsWith("Session-ID:") && f[2].startsWith("Master-Key:")) {
            byte[] id = hex(f[1].substring("Session-ID:".length()));
            byte[] ms = hex(f[2].substring("Master-Key:".length()));
            if (id == null || ms == null || id.length == 0 || id.length > 32 || ms.length != 48) {
                return "malformed RSA Session-ID line (want a session ID of 1 to 32 bytes and a 48-byte master key in hex)";
            }
            masterBySessionId.put(new Bytes(id), ms);
            return null;
        }
        if (f.length != 3) {
            return "expected 3 fields (LABEL CLIENT_RANDOM SECRET), found " + f.length + ": " + abbreviate(line);
        }
        if (f[0].equals("RSA")) {
            byte[] prefix = hex(f[1]);
            byte[] pms = hex(f[2]);
            if (prefix == null || prefix.length != 8 || pms == null || pms.length != 48) {
                return "malformed RSA line (want 8 bytes of encrypted premaster and a 48-byte premaster in hex)";
            }
            premasterByEncryptedPrefix.put(new Bytes(prefix), pms);
            return null;
        }
        KeyLogLabel label = KeyLogLabel.of(f[0]);
        if (label == null) {
            return "unknown label " + abbreviate(f[0]);
        }
        byte[] random = hex(f[1]);
        if (random == null || random.length != 32) {
            return "the client random must be 32 bytes in hex: " + abbreviate(f[1]);
        }
        byte[] secret = hex(f[2]);
        if (secret == null) {
            return "the secret is not hex: " + abbreviate(f[2]);
        }
        if (secret.length < label.minLength || secret.length > label.maxLength
                || (label != KeyLogLabel.CLIENT_RANDOM && label != KeyLogLabel.PMS_CLIENT_RANDOM
                        && secret.length != 32 && secret.length != 48)) {
            return label + " secret of " + secret.length + " bytes (want "
                    + (label == KeyLogLabel.CLIENT_RANDOM ? "48" : label == KeyLogLabel.PMS_CLIENT_RANDOM ? "1 to 1024" : "32 or 48")
                    + ")";
        }
        byClientRandom.get(label).put(new Bytes(random), secret);
        return null;
    }

    /**
     * The whitespace-separated fields of a stripped line ({@code line.split("\\s+")} without
     * compiling a pattern per line: a key log has two lines per connection or more).
     */
    static String[] fields(String line) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>(3);
        int i = 0;
        int n = line.length();
        while (i < n) {
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            out.add(line.substring(start, i));
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
        }
        return out.toArray(String[]::new);
    }

    private static byte[] hex(String s) {
        if ((s.length() & 1) != 0) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /**
     * Adds an RSA private key, used for connections whose server certificate carries its public
     * key (RSA key exchange only: it cannot open (EC)DHE connections).
     *
     * @param source names the key in reports, e.g. the file name
     * @param narrowTo null, or the only server address it is tried for when a connection's
     *     certificate is not in the capture (0.0.0.0 and port 0 are wildcards)
     * @throws IllegalArgumentException when {@code key} is not an RSA key
     */
    public void addRsaKey(String source, PrivateKey key, InetSocketAddress narrowTo) {
        if (!(key instanceof RSAPrivateKey rsa)) {
            throw new IllegalArgumentException(source + " holds " + (key == null ? "no key" : "a " + key.getAlgorithm()
                    + " key") + ": only RSA private keys can decrypt TLS (RSA key exchange)");
        }
        rsaKeys.add(new RsaKey(source, rsa, narrowTo));
    }

    /**
     * Reads the private key of a PEM file (PKCS#1, PKCS#8, encrypted PKCS#8 or legacy encrypted
     * PEM; certificates in it are ignored) or a PKCS#12 file (including legacy RC2/3DES PBE),
     * through {@link Pem} and {@link ServerCertificates}, and adds it as {@link #addRsaKey}.
     *
     * @param password for an encrypted PEM key or the PKCS#12 file (null: none / empty)
     * @throws TlsSetupException naming the file and what is wrong
     */
    public void addRsaKeyFile(Path file, char[] password, InetSocketAddress narrowTo) {
        PrivateKey key = readPrivateKey(file, password);
        try {
            addRsaKey(file.toString(), key, narrowTo);
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(e.getMessage());
        }
    }

    /** The private key in a PEM or PKCS#12 file; see {@link #addRsaKeyFile}. */
    public static PrivateKey readPrivateKey(Path file, char[] password) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new TlsSetupException("cannot read the key file " + file + ": " + TlsSetupException.reason(e), e);
        }
        if (!text.contains("-----BEGIN ")) {
            return ServerCertificates.load(file, password).key(); // PKCS#12
        }
        Pem.Contents c;
        try {
            c = Pem.parse(text, password);
        } catch (IOException e) {
            throw new TlsSetupException("cannot parse the PEM file " + file + ": " + TlsSetupException.reason(e), e);
        }
        if (c.privateKey() == null) {
            throw new TlsSetupException("no private key in the PEM file " + file);
        }
        return c.privateKey();
    }

    /** Adds a pre-shared key for the PSK cipher suites (TLS 1.2 and earlier); several are tried in turn. */
    public void addPsk(byte[] psk) {
        if (psk == null || psk.length == 0 || psk.length > 65535) {
            throw new IllegalArgumentException("a PSK has 1 to 65535 bytes");
        }
        psks.add(psk.clone());
    }

    /** The number of key log lines added so far (all labels). */
    public int keyLogEntries() {
        return keyLogEntries.get();
    }

    byte[] secret(KeyLogLabel label, byte[] clientRandom) {
        return clientRandom == null ? null : byClientRandom.get(label).get(new Bytes(clientRandom));
    }

    byte[] premasterForEncrypted(byte[] encryptedPremaster) {
        if (encryptedPremaster == null || encryptedPremaster.length < 8) {
            return null;
        }
        return premasterByEncryptedPrefix.get(new Bytes(java.util.Arrays.copyOf(encryptedPremaster, 8)));
    }

    byte[] masterForSessionId(byte[] sessionId) {
        return sessionId == null || sessionId.length == 0 ? null : masterBySessionId.get(new Bytes(sessionId));
    }

    List<RsaKey> rsaKeys() {
        return rsaKeys;
    }

    List<byte[]> psks() {
        return psks;
    }

    SessionCache sessions() {
        return sessions;
    }

    /** For reasons: "the key log (N entries from a, b)" or "no key log". */
    String describeKeyLog() {
        if (keyLogSources.isEmpty()) {
            return "no key log was given";
        }
        int n = keyLogEntries.get();
        return "the key log has " + n + (n == 1 ? " entry" : " entries") + " from " + String.join(", ", keyLogSources);
    }
}
