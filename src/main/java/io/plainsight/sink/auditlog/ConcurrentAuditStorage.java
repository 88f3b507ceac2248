package io.plainsight.sink.auditlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ModSecurity 2's concurrent audit log layout ({@code SecAuditLogType Concurrent}): one file per
 * entry at {@code DIR/YYYYMMDD/YYYYMMDD-HHMM/YYYYMMDD-HHMMSS-UNIQUEID} (time of the request's
 * start, in the log's time zone), and one index line per entry for the audit log file, in the
 * format {@code sec_audit_logger} writes and mlogc reads:
 *
 * <pre>
 * HOST CLIENT_IP - - [21/Nov/2025:17:00:00 +0100] "GET / HTTP/1.1" 200 1234 "-" "-" UNIQUEID "-" /20251121/20251121-1700/20251121-170000-UNIQUEID 0 SIZE md5:HEX
 * </pre>
 *
 * followed by {@code " \n"} (or {@code " L\n"} when the request line had to be cut to keep the
 * line under 3980 bytes). SIZE and the MD5 are of the entry file's bytes. Directories are created
 * owner-only (0700) and files owner-readable (0600), as entries hold credentials and cookies. A
 * file that cannot be written is logged once (until one succeeds again), counted, and gets no
 * index line.
 */
final class ConcurrentAuditStorage {
    private static final Logger log = LoggerFactory.getLogger("plainsight");
    /** ModSecurity keeps index lines below this many bytes. */
    static final int INDEX_LINE_LIMIT = 3980;

    private final Path dir;
    private final AuditTime time;
    private final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private boolean failing;
    private long failures;

    ConcurrentAuditStorage(Path dir, AuditTime time) {
        this.dir = dir;
        this.time = time;
    }

    /** The entry's path below the storage directory, with a leading slash, as the index names it. */
    String fileName(AuditRecord r) {
        return "/" + time.storagePath(r.startMicros()) + "-" + r.uniqueId();
    }

    /**
     * Writes the entry's file; returns its index line, or null when the file could not be written.
     */
    byte[] store(AuditRecord r, byte[] entry) {
        String name = fileName(r);
        Path file = dir.resolve(name.substring(1));
        try {
            createDirectories(file.getParent());
            if (posix) {
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(file, entry, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            if (failing) {
                failing = false;
                log.warn("audit log storage {} writes again ({} entries lost)", dir.toAbsolutePath(), failures);
            }
        } catch (IOException | RuntimeException e) {
            failures++;
            if (!failing) {
                failing = true;
                log.warn("audit log storage {}: cannot write {}: {}; will retry with the next entry", dir.toAbsolutePath(), file,
                        e.getMessage() == null ? e : e.getMessage());
            }
            return null;
        }
        return indexLine(r, time, name, entry.length, md5(entry)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private void createDirectories(Path d) throws IOException {
        if (Files.isDirectory(d)) {
            return;
        }
        if (!posix) {
            Files.createDirectories(d);
            return;
        }
        Path parent = d.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made meanwhile, or a file in the way (the write then fails and says so)
        }
    }

    /** Entry files that could not be written. */
    long failures() {
        return failures;
    }

    /** The index line for an entry file of {@code size} bytes with MD5 {@code md5Hex} (ends with a line feed). */
    static String indexLine(AuditRecord r, AuditTime time, String fileName, long size, String md5Hex) {
        String host = r.hostName() == null ? "-" : LogEscape.unquoted(r.hostName());
        AuditRecord.Response resp = r.response();
        int status = resp == null ? 0 : resp.status();
        long bytesSent = resp == null || resp.body() == null ? 0 : resp.body().size();
        String requestLine = LogEscape.quoted(r.requestLine());
        String before = host + " " + r.clientIp() + " - - [" + time.logTime(r.startMicros()) + "] \"";
        String after = "\" " + status + " " + bytesSent + " \"-\" \"-\" " + LogEscape.quoted(r.uniqueId()) + " \"-\" "
                + fileName + " 0 " + size + " md5:" + md5Hex;
        int room = INDEX_LINE_LIMIT - before.length() - after.length() - 3;
        boolean limited = requestLine.length() > room;
        if (limited) {
            // cut the request line itself, so no escape sequence is left in halves
            String raw = r.requestLine();
            while (!raw.isEmpty() && requestLine.length() > room) {
                raw = raw.substring(0, Math.max(0, raw.length() - Math.max(1, (requestLine.length() - room) / 4)));
                requestLine = LogEscape.quoted(raw);
            }
        }
        return before + requestLine + after + (limited ? " L\n" : " \n");
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is always available", e);
        }
    }
}
