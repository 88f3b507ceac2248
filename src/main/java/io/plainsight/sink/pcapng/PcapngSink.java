package io.plainsight.sink.pcapng;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import io.plainsight.sink.pcap.ConversationTracker;
import io.plainsight.sink.pcap.FrameFollower;
import io.plainsight.sink.pcap.FrameFollowers;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.Rotation;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes PCAPNG ({@code --pcapng FILE|DIR/}): the decrypted streams exactly as the PCAP output
 * synthesizes them (same frames, same port mapping, {@code --pcap-port} and {@code --pcap-mss}),
 * on one interface per mode and listener ({@code if_name} "plainsight reverse 127.0.0.1:8443
 * decrypted"). The first packet of each connection on each interface carries the comment
 * "connection #ID sni=NAME".
 *
 * <p>With the encrypted packets ({@code --pcapng-encrypted}) it also takes {@link WireChunk}s and
 * writes both legs as they crossed the wire, with their real addresses, on interfaces of their own
 * ("... client leg": client to listener; "... upstream leg": plainsight's upstream address to the
 * server), and every {@link TlsSecrets} as a Decryption Secrets Block, so that Wireshark decrypts
 * the legs with no options. A TLS leg's packets (from its first handshake record on; plaintext
 * before it, such as a CONNECT request, is written at once) are held until its keys are complete,
 * or its handshake completes, so that the block comes
 * before the records it decrypts; a leg whose keys do not come within {@value #MAX_HOLD_SECONDS} s
 * or {@value #MAX_HELD_BYTES_PER_LEG} bytes is written without them. Plaintext legs are written
 * at once. Held packets keep their own timestamps, so a file is not strictly in time order.
 *
 * <p>A new file (rotation, or a file restarted after a failure) gets the Interface Description
 * Blocks its packets need and, at its start, a Decryption Secrets Block with the secrets of the
 * connections still open. Failures are handled as in the PCAP sinks: logged once, counted,
 * retried; the file always ends on a whole block.
 *
 * <p>In {@code plainsight decrypt} (offline connections) there are no legs to rebuild: with the
 * encrypted packets it writes the input's packets as read ({@link CapturedPacket}: their own link
 * type, timestamps and bytes) on one interface per input interface ({@code if_name} "original:
 * FILE#N"), and each {@link TlsSecrets} as a Decryption Secrets Block at once, with no holding: the
 * source publishes the keys before the packets they decrypt.
 */
public final class PcapngSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(PcapngSink.class);

    /** Listeners per mode that get interfaces of their own (transparent TPROXY has one per destination). */
    static final int MAX_LISTENERS_PER_MODE = 16;
    static final int MAX_HOLD_SECONDS = 5;
    static final long MAX_HELD_BYTES_PER_LEG = 1 << 20;
    /**
     * Held in all (heap copies): past it the oldest holding leg is written without its keys. An
     * eighth of the launcher's default heap (64 MiB); thousands of handshakes in flight at once.
     */
    static final long MAX_HELD_BYTES = 8 << 20;
    private static final long MAX_HOLD_NANOS = MAX_HOLD_SECONDS * 1_000_000_000L;

    private final PcapngOutput output;
    private final PcapngWriter writer;
    private final ConversationTracker tracker;
    /** The writer's decrypted frames, and who gets copies (where the tracker writes: {@code followers.frames()}). */
    private final FrameFollowers followers;
    private final WireLeg.Settings legSettings;
    private final boolean encrypted;
    private final String target;
    private final Map<Long, Conn> conns = new HashMap<>();
    /**
     * One instance per interface (mode, listener, kind): the interface table's lookups for every
     * packet then find their key by identity, without comparing its strings.
     */
    private final Map<InterfaceKey, InterfaceKey> interfaceKeys = new HashMap<>();
    private final Map<String, Set<String>> listenersByMode = new HashMap<>();
    /** Legs holding packets, oldest first. */
    private final Set<Conn.LegRef> holding = new LinkedHashSet<>();
    private long heldBytes;
    private boolean gaveUpLogged;
    /** Offline: the input interfaces by name and link type. */
    private final Map<String, InterfaceKey> originalInterfaces = new HashMap<>();
    /** Offline: the interface of the last packet as read, after which secrets are written. */
    private InterfaceKey lastOriginal;
    /** Offline: secrets that came before any packet as read (written before the first). */
    private final List<TlsSecrets> pendingSecrets = new ArrayList<>();
    private long pendingSecretsBytes;
    /** Offline: the secrets of input packets by connection (0: the input's own blocks). */
    private final Map<Long, ByteArrayOutputStream> originalSecrets = new HashMap<>();

    /** One open connection. */
    private static final class Conn {
        final ConnectionOpened opened;
        final String comment;
        final InterfaceKey decrypted;
        boolean decryptedCommented;
        WireLeg client;
        WireLeg upstream;
        final ByteArrayOutputStream secrets = new ByteArrayOutputStream();

        Conn(ConnectionOpened opened, String comment, InterfaceKey decrypted) {
            this.opened = opened;
            this.comment = comment;
            this.decrypted = decrypted;
        }

        record LegRef(Conn conn, WireLeg leg) {}
    }

    /**
     * @param destination where to write
     * @param encrypted whether to write the encrypted packets of both legs and their secrets too
     * @param userAppl the Section Header's {@code shb_userappl}, e.g. "plainsight 1.0"
     */
    PcapngSink(PcapngDestination destination, boolean encrypted, PcapOptions options, String userAppl) {
        this.output = new PcapngOutput(destination, userAppl, options.bufferBytes(), options.retryInterval());
        this.writer = new PcapngWriter(output, this::openSecrets);
        this.followers = new FrameFollowers(writer);
        this.tracker = new ConversationTracker(options, encrypted);
        this.legSettings = new WireLeg.Settings(options.mss(), options.isnSeed());
        this.encrypted = encrypted;
        this.target = destination.describe();
    }

    /**
     * A sink writing to {@code target}: rotated files in a directory when it names an existing
     * directory or ends with '/', else one file (replaced if it exists, created at once so that a
     * bad path shows at start-up).
     *
     * @param rotation for a directory ({@link Rotation#HOURLY} when null)
     * @throws IllegalArgumentException for an empty target or standard output
     */
    public static PcapngSink open(String target, Rotation rotation, boolean encrypted, PcapOptions options,
            String userAppl) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("--pcapng '" + target + "': expected a file name, or a directory (ending in /)");
        }
        if (target.equals("-")) {
            throw new IllegalArgumentException("--pcapng -: standard output is not supported; use --pcap - for a live stream");
        }
        if (namesDirectory(target)) {
            Path dir = Path.of(target);
            PcapngSink sink = new PcapngSink(PcapngDestination.directory(dir, rotation != null ? rotation : Rotation.HOURLY),
                    encrypted, options, userAppl);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                sink.output.failed(e); // said once, now; packets are counted until the directory can be made
            }
            return sink;
        }
        PcapngSink sink = new PcapngSink(PcapngDestination.file(Path.of(target)), encrypted, options, userAppl);
        sink.output.start();
        return sink;
    }

    /** Whether {@code --pcapng} names a directory: one that exists, or a path ending with '/'. */
    public static boolean namesDirectory(String target) {
        return target.endsWith("/") || target.endsWith(File.separator) || Files.isDirectory(Path.of(target));
    }

    @Override
    public String name() {
        return "pcapng";
    }

    @Override
    public boolean acceptsWire() {
        return encrypted;
    }

    @Override
    public void accept(CaptureEvent event) {
        switch (event) {
            case ConnectionOpened o -> opened(o);
            case TlsEstablished t -> {
                tracker.accept(t, followers.frames());
                Conn c = conns.get(t.connectionId());
                WireLeg leg = c == null ? null : leg(c, t.leg());
                if (leg != null) {
                    leg.established = true;
                    release(c, leg);
                }
            }
            case TlsSecrets s -> secrets(s);
            case DataChunk d -> {
                Conn c = conns.get(d.connectionId());
                if (c == null) {
                    tracker.accept(d, followers.frames()); // unknown: the tracker says so
                    return;
                }
                writer.select(c.decrypted, c.decryptedCommented ? null : c.comment);
                tracker.accept(d, followers.frames());
                c.decryptedCommented |= writer.commentUsed();
            }
            case WireChunk w -> wire(w);
            case CapturedPacket p -> original(p);
            case ConnectionClosed e -> closed(e);
        }
        if (!holding.isEmpty()) {
            releaseExpired();
        }
    }

    private void opened(ConnectionOpened o) {
        String comment = "connection #" + o.connectionId() + (o.sni() != null ? " sni=" + o.sni() : " no sni");
        String listener = listenerName(o);
        Conn c = new Conn(o, comment, interfaceKey(o.mode().label(), listener, InterfaceKey.Kind.DECRYPTED));
        if (encrypted && o.mode() != Mode.OFFLINE) { // offline, the packets come as read (CapturedPacket)
            InetSocketAddress plainsight = o.listener() != null ? o.listener() : o.server();
            c.client = new WireLeg(interfaceKey(o.mode().label(), listener, InterfaceKey.Kind.CLIENT_LEG),
                    o.client(), plainsight, o.connectionId() * 4 + 1, o.timestampMicros());
            InetSocketAddress local = o.upstreamLocal() != null ? o.upstreamLocal() : standInUpstream(o);
            c.upstream = new WireLeg(interfaceKey(o.mode().label(), listener, InterfaceKey.Kind.UPSTREAM_LEG),
                    local, o.server(), o.connectionId() * 4 + 2, Long.MAX_VALUE);
        }
        conns.put(o.connectionId(), c);
        tracker.accept(o, followers.frames());
    }

    /** The one instance of an interface's key (bounded: listeners per mode are, see {@link #listenerName}). */
    private InterfaceKey interfaceKey(String mode, String listener, InterfaceKey.Kind kind) {
        InterfaceKey key = new InterfaceKey(mode, listener, kind);
        InterfaceKey known = interfaceKeys.putIfAbsent(key, key);
        return known != null ? known : key;
    }

    private void secrets(TlsSecrets s) {
        Conn c = conns.get(s.connectionId());
        if (!encrypted) {
            return;
        }
        byte[] lines = s.keyLogLines().getBytes(StandardCharsets.US_ASCII);
        if (lines.length > 0 && lines[lines.length - 1] != '\n') {
            lines = (s.keyLogLines() + "\n").getBytes(StandardCharsets.US_ASCII);
        }
        if (c == null || c.client == null) {
            originalSecrets(s, lines);
            return;
        }
        WireLeg leg = leg(c, s.leg());
        writer.secrets(s.timestampMicros(), lines, leg.key); // before adding them: a file started now repeats only the older ones
        c.secrets.writeBytes(lines);
        leg.keys.add(s.keyLogLines());
        if (leg.keys.complete()) {
            release(c, leg);
        }
    }

    private void wire(WireChunk w) {
        Conn c = conns.get(w.connectionId());
        if (c == null || !encrypted) {
            log.debug("pcapng: wire bytes of unknown connection {} ignored", w.connectionId());
            return;
        }
        WireLeg leg = leg(c, w.leg());
        if (!leg.holding() && leg.mayHold() && shouldHold(c, leg, w)) {
            leg.startHolding();
            holding.add(new Conn.LegRef(c, leg));
        }
        int held = leg.chunk(w, writer, c.comment, legSettings);
        if (held > 0) {
            heldBytes += held;
            if (leg.heldBytes() > MAX_HELD_BYTES_PER_LEG) {
                giveUp(c, leg, "after " + leg.heldBytes() + " bytes");
            } else if (heldBytes > MAX_HELD_BYTES) {
                Conn.LegRef oldest = holding.iterator().next();
                giveUp(oldest.conn(), oldest.leg(), "with " + heldBytes + " bytes held in all");
            }
        }
    }

    /**
     * Secrets of an input's packets ({@code plainsight decrypt}, which publishes them before the
     * packets they decrypt): written at once, after the Interface Description Block of the last
     * original interface, or before the first original packet when none came yet. Kept per
     * connection (0: the input's own blocks, for good) for the start of a new file.
     */
    private void originalSecrets(TlsSecrets s, byte[] lines) {
        if (lines.length == 0) {
            return;
        }
        if (lastOriginal != null) {
            writer.secrets(s.timestampMicros(), lines, lastOriginal);
        } else if (pendingSecretsBytes + lines.length <= MAX_HELD_BYTES_PER_LEG) {
            pendingSecrets.add(s);
            pendingSecretsBytes += lines.length;
        }
        originalSecrets.computeIfAbsent(s.connectionId(), id -> new ByteArrayOutputStream()).writeBytes(lines);
    }

    /** One packet of a decrypted capture as read, on its input interface. */
    private void original(CapturedPacket p) {
        if (!encrypted) {
            return;
        }
        InterfaceKey key = originalInterfaces.computeIfAbsent(p.interfaceName() + "\n" + p.linkType(),
                k -> InterfaceKey.original(p.interfaceName(), p.linkType()));
        if (!pendingSecrets.isEmpty()) {
            for (TlsSecrets s : pendingSecrets) {
                writer.secrets(s.timestampMicros(), s.keyLogLines().getBytes(StandardCharsets.US_ASCII), key);
            }
            pendingSecrets.clear();
            pendingSecretsBytes = 0;
        }
        lastOriginal = key;
        writer.original(key, p.timestampMicros(), p.frame(), p.originalLength());
    }

    /**
     * A leg of a decrypted connection holds from its first TLS handshake record (the ClientHello;
     * what came before, such as a CONNECT request, is plaintext) while its keys are not complete.
     */
    private static boolean shouldHold(Conn c, WireLeg leg, WireChunk chunk) {
        return c.opened.interception() == Interception.DECRYPTED && !leg.keys.complete()
                && WireLeg.startsWithHandshake(chunk);
    }

    private void closed(ConnectionClosed e) {
        Conn c = conns.remove(e.connectionId());
        if (c == null) {
            tracker.accept(e, followers.frames());
            return;
        }
        originalSecrets.remove(e.connectionId());
        if (encrypted && c.client != null) {
            release(c, c.client);
            release(c, c.upstream);
            c.client.close(e, writer);
            c.upstream.close(e, writer);
        }
        writer.select(c.decrypted, null);
        tracker.accept(e, followers.frames());
    }

    private void release(Conn c, WireLeg leg) {
        if (leg.holding()) {
            holding.remove(new Conn.LegRef(c, leg));
            heldBytes -= leg.release(writer, c.comment, legSettings);
        }
    }

    private void giveUp(Conn c, WireLeg leg, String why) {
        String message = "pcapng: no TLS keys for connection #" + c.opened.connectionId() + "'s " + leg.key.kind().label + " "
                + why + "; its packets are written without them (Wireshark cannot decrypt that leg)";
        if (!gaveUpLogged) {
            gaveUpLogged = true;
            log.info("{} (further cases are logged at debug level)", message);
        } else {
            log.debug("{}", message);
        }
        release(c, leg);
    }

    /** Releases, oldest first, the legs that waited for their keys too long. */
    private void releaseExpired() {
        long now = System.nanoTime();
        Iterator<Conn.LegRef> it = holding.iterator();
        while (it.hasNext()) {
            Conn.LegRef r = it.next();
            if (now - r.leg().holdingSinceNanos() < MAX_HOLD_NANOS) {
                return;
            }
            it.remove();
            giveUp(r.conn(), r.leg(), "within " + MAX_HOLD_SECONDS + " s");
            it = holding.iterator();
        }
    }

    private static WireLeg leg(Conn c, Leg leg) {
        return leg == Leg.CLIENT ? c.client : c.upstream;
    }

    /** The key log lines of every open connection, for the start of a new file. */
    private byte[] openSecrets() {
        if (!encrypted) {
            return new byte[0];
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Conn c : conns.values()) {
            all.writeBytes(c.secrets.toByteArray());
        }
        for (ByteArrayOutputStream lines : originalSecrets.values()) {
            all.writeBytes(lines.toByteArray());
        }
        return all.toByteArray();
    }

    /**
     * The listener as an interface names it: null offline (no listener), and for a mode's
     * listeners past {@value #MAX_LISTENERS_PER_MODE} (transparent TPROXY accepts on every
     * original destination).
     */
    private String listenerName(ConnectionOpened o) {
        if (o.mode() == Mode.OFFLINE || o.listener() == null) {
            return null;
        }
        String name = hostPort(o.listener());
        Set<String> seen = listenersByMode.computeIfAbsent(o.mode().label(), m -> new HashSet<>());
        if (seen.contains(name) || seen.size() < MAX_LISTENERS_PER_MODE) {
            seen.add(name);
            return name;
        }
        return null;
    }

    /** "IP:PORT", "[IPv6]:PORT", or "host:PORT" for an unresolved address. */
    static String hostPort(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        return (ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress()) + ":" + a.getPort();
    }

    /**
     * plainsight's upstream address when the source did not tell it: the listener's address (else
     * the unspecified one) with a port in the ephemeral range made from the connection id.
     */
    private static InetSocketAddress standInUpstream(ConnectionOpened o) {
        int port = 49_152 + (int) Math.floorMod(o.connectionId(), 16_384L);
        InetSocketAddress near = o.listener() != null ? o.listener() : o.client();
        if (near != null && near.getAddress() != null) {
            return new InetSocketAddress(near.getAddress(), port);
        }
        return new InetSocketAddress(port);
    }

    /**
     * Gives every decrypted frame from now on to {@code follower} too (a PCAP file or directory
     * beside this file: the same frames, synthesized once), which this sink then flushes and closes
     * on its own thread, and whose write failures it counts as its own. Only when the frames are
     * the same: not for {@code plainsight decrypt} with the encrypted packets, where a decrypted
     * stream beside its original packets may get another port. Call it before the sink is given to
     * a bus.
     */
    public void follow(FrameFollower follower) {
        followers.add(follower, follower instanceof Sink s ? s.name() : "a copy of " + name());
    }

    /** The followers given to {@link #follow}, in that order. */
    public List<FrameFollower> followers() {
        return followers.list();
    }

    @Override
    public void flush() {
        if (!holding.isEmpty()) {
            releaseExpired();
        }
        output.flush();
        followers.flush();
    }

    @Override
    public void close() {
        for (Conn.LegRef r : holding.toArray(Conn.LegRef[]::new)) {
            release(r.conn(), r.leg());
        }
        output.close();
        followers.close();
    }

    /** Packets that could not be written. */
    public long lostPackets() {
        return output.lostPackets();
    }

    /** Packets lost to write failures, the followers' included (what metrics and the health check see). */
    @Override
    public long writeFailures() {
        return output.lostPackets() + followers.writeFailures();
    }

    /** Frame bytes of the packets that could not be written. */
    public long lostBytes() {
        return output.lostBytes();
    }

    /** Packets written (or buffered to be written) so far. */
    public long packetsWritten() {
        return output.packetsWritten();
    }

    /** The file being written, or null before the first packet and while failing. */
    public Path currentFile() {
        return output.currentPath();
    }

    /** The destination as given (a file, or a directory ending in '/'). */
    public String target() {
        return target;
    }
}
