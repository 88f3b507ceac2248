package io.plainsight.sink.auditlog;

import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.policy.RuleVerdict;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.OutputFile;
import io.plainsight.sink.exchange.PendingBytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ModSecurity-compatible audit log ({@code --audit-log}): one entry per logged exchange, in
 * ModSecurity 2.9's native serial format or libmodsecurity 3's JSON, in one file, or one file per
 * entry under a storage directory with index lines in the log file (the concurrent layout).
 *
 * <p>Which exchanges: the rules' {@code audit} decision first (off suppresses, on forces), then a
 * sticky full capture of the client (logged with every part), then the engine: On logs every
 * exchange, RelevantOnly those a rule matched or whose response status matches the
 * relevant-status expression. Which parts: the configured ones, changed by the rules' part changes
 * in order. Bodies are those the decoders kept ({@code --max-body}).
 *
 * <p>Runs on the exchange sink's thread, off the I/O threads. Entries are appended to the file
 * (what it held stays) when the sink flushes, at least once a second; a file that cannot be
 * written is reported once and retried, as for the other outputs.
 */
public final class AuditLogOutput implements ExchangeOutput {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final AuditLogSettings settings;
    private final OutputFile file;
    private final int maxBody;
    private final AuditIds ids;
    private final SerialAuditFormat serial;
    private final JsonAuditFormat json;
    private final ConcurrentAuditStorage storage;
    private final PendingBytes pending = new PendingBytes();
    private final AuditBytes entry = new AuditBytes(8192);
    private long entries;
    private long skipped;

    /**
     * @param file the audit log (appended to); with a storage directory it receives the index lines
     * @param producer what entries name as their producer, e.g. {@code plainsight/1.0}
     * @param serverId libmodsecurity 3's {@code server_id} (JSON only)
     */
    AuditLogOutput(AuditLogSettings settings, OutputFile file, int maxBody, AuditIds ids, String producer, String serverId) {
        this.settings = settings;
        this.file = file;
        this.maxBody = maxBody;
        this.ids = ids;
        AuditTime time = new AuditTime(settings.zone());
        this.serial = new SerialAuditFormat(time, producer);
        this.json = new JsonAuditFormat(time, producer, serverId);
        this.storage = settings.storageDir() == null ? null : new ConcurrentAuditStorage(settings.storageDir(), time);
    }

    /** The audit log at {@code target} ("-": stdout), appended to. */
    public static AuditLogOutput open(AuditLogSettings settings, String target, int maxBody) {
        return new AuditLogOutput(settings, OutputFile.appending(target, "audit log"), maxBody, new AuditIds(),
                "plainsight/" + io.plainsight.cli.Version.get(), serverId());
    }

    /** A stable id of this machine, as libmodsecurity's {@code server_id}: the SHA-1 of its host name. */
    static String serverId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            host = "localhost";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(host.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }

    /** Whether the exchange gets an entry. */
    boolean logs(Exchange x) {
        RuleVerdict v = x.verdict;
        if (v.audit() != null) {
            return v.audit();
        }
        if (v.sticky() || settings.engine() == AuditEngine.ON || !v.matches().isEmpty()) {
            return true;
        }
        return x.response != null && settings.relevantStatus().matcher(Integer.toString(x.response.status)).find();
    }

    /** The parts of the exchange's entry: the configured ones, the rules' changes, all of them when sticky. */
    AuditParts parts(RuleVerdict v) {
        if (v.sticky()) {
            return AuditParts.ALL;
        }
        AuditParts p = settings.parts();
        for (String change : v.partChanges()) {
            try {
                p = p.apply(change);
            } catch (IllegalArgumentException e) {
                log.debug("audit log: ignoring the part change '{}': {}", change, e.getMessage());
            }
        }
        return p;
    }

    @Override
    public void exchange(ConnectionMeta connection, Exchange exchange) {
        if (!logs(exchange)) {
            skipped++;
            return;
        }
        AuditRecord r = AuditRecord.of(connection, exchange, parts(exchange.verdict), ids.uniqueId(exchange.request.startMicros),
                ids.boundary(), maxBody);
        if (settings.format() == AuditFormat.NATIVE && storage == null) {
            // the common case: formatted into a reused buffer, appended to what is pending
            entry.reset();
            serial.write(r, true, entry);
            pending.write(entry.array(), 0, entry.size());
        } else {
            byte[] bytes = settings.format() == AuditFormat.JSON ? json.entry(r) : serial.entry(r, storage == null);
            if (storage != null) {
                bytes = storage.store(r, bytes);
                if (bytes == null) {
                    return; // reported by the storage
                }
            }
            pending.writeBytes(bytes);
        }
        entries++;
        if (pending.full()) {
            flush();
        }
    }

    /** Only part E writes response bodies (the rules may add it: with rules the bodies are kept anyway). */
    @Override
    public boolean readsResponseBodies() {
        return settings.parts().has('E');
    }

    @Override
    public void webSocket(ConnectionMeta connection, WebSocketMessage message) {
        // ModSecurity logs HTTP transactions; the upgrade exchange is logged, its messages are not
    }

    @Override
    public void connectionClosed(ConnectionMeta connection, String undecodable) {
        // a connection without HTTP has no transaction to log
    }

    @Override
    public void flush() {
        pending.flushTo(file);
    }

    /** Entries written or pending. */
    public long entries() {
        return entries;
    }

    /** Exchanges the engine or the rules left out. */
    public long skipped() {
        return skipped;
    }

    @Override
    public void close() {
        flush();
        file.close();
    }

    @Override
    public String toString() {
        return "audit log " + file.describe();
    }
}
