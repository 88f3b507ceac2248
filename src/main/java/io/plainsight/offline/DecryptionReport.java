package io.plainsight.offline;

import io.plainsight.offline.tcp.ReassemblyCounters;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What an offline decryption found: the inputs, every connection's outcome, and the problems met.
 * Counts cover everything; rows are kept for the first {@link #MAX_ROWS} connections and the
 * first {@link #MAX_FAILED_ROWS} that could not be (fully) decrypted, so the report's memory does
 * not grow with the capture (a {@code rowListener} sees every row as its connection closes).
 */
public final class DecryptionReport {
    public static final int MAX_ROWS = 100;
    public static final int MAX_FAILED_ROWS = 1000;
    public static final int MAX_WARNINGS = 200;

    /** Exit code: every TLS connection was decrypted (or there was no TLS, only plaintext). */
    public static final int EXIT_ALL = 0;
    /** Exit code: some connections (or parts of them) could not be decrypted. */
    public static final int EXIT_SOME = 4;
    /** Exit code: nothing was decrypted (no TLS connection could be, or the capture had no data). */
    public static final int EXIT_NONE = 5;
    /** Exit code: no input could be read at all (none is a capture, or none could be opened). */
    public static final int EXIT_UNREADABLE = 1;

    /** One capture file or stream. */
    public static final class Input {
        public final String name;
        public final String format;
        public long packets;
        public long segments;
        public long problems;
        /** Packets that were not TCP over IP (or could not be read as such), by reason. */
        public final Map<String, Long> skipped = new LinkedHashMap<>();

        Input(String name, String format) {
            this.name = name;
            this.format = format;
        }

        void skipped(String reason) {
            skipped.merge(reason, 1L, Long::sum);
        }

        public long skippedTotal() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public final List<Input> inputs = new ArrayList<>();
    /** Inputs that could not be read at all, with the reason. */
    public final List<String> unreadable = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    public long warningCount;
    public int secretsBlocks;
    private final EnumMap<ConnectionOutcome.Status, Long> counts = new EnumMap<>(ConnectionOutcome.Status.class);
    public final List<ConnectionOutcome> rows = new ArrayList<>();
    public final List<ConnectionOutcome> failedRows = new ArrayList<>();
    public long plaintextBytes;
    /** Connections a {@code capture: off} rule left out, by rule id (also counted as filtered out). */
    public final Map<String, Long> filteredByRule = new TreeMap<>();
    public ReassemblyCounters reassembly;
    private final Consumer<ConnectionOutcome> rowListener;

    public DecryptionReport(Consumer<ConnectionOutcome> rowListener) {
        this.rowListener = rowListener;
    }

    public DecryptionReport() {
        this(null);
    }

    Input input(String name, String format) {
        Input in = new Input(name, format);
        inputs.add(in);
        return in;
    }

    /** An input that could not be opened or is not a capture. */
    public void unreadable(String message) {
        unreadable.add(message);
        warning(message);
    }

    /** A problem met on the way (in an input, with a key), counted and kept for the report. */
    public void warning(String message) {
        warningCount++;
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(message);
        }
    }

    void filteredByRule(String ruleId) {
        filteredByRule.merge(ruleId, 1L, Long::sum);
    }

    void connection(ConnectionOutcome o) {
        counts.merge(o.status(), 1L, Long::sum);
        plaintextBytes += o.plaintextClientToServer() + o.plaintextServerToClient();
        if (o.status() != ConnectionOutcome.Status.FILTERED && rows.size() < MAX_ROWS) {
            rows.add(o);
        }
        if (o.status().failed() && failedRows.size() < MAX_FAILED_ROWS) {
            failedRows.add(o);
        }
        if (rowListener != null) {
            rowListener.accept(o);
        }
    }

    void finished(ReassemblyCounters counters) {
        this.reassembly = counters;
    }

    public long count(ConnectionOutcome.Status status) {
        return counts.getOrDefault(status, 0L);
    }

    /** Connections seen, those left out by the filter included. */
    public long connections() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long tlsConnections() {
        return count(ConnectionOutcome.Status.DECRYPTED) + count(ConnectionOutcome.Status.PARTLY)
                + count(ConnectionOutcome.Status.NOT_DECRYPTED);
    }

    public long packets() {
        return inputs.stream().mapToLong(i -> i.packets).sum();
    }

    /**
     * {@link #EXIT_ALL} when every TLS connection was fully decrypted (plaintext connections count
     * as captured); {@link #EXIT_NONE} when no TLS connection yielded any plaintext (or there was
     * no data at all); else {@link #EXIT_SOME}. An input that could not be read at all makes "all"
     * into "some"; when no input could be read, {@link #EXIT_UNREADABLE}.
     */
    public int exitCode() {
        if (inputs.isEmpty() && !unreadable.isEmpty()) {
            return EXIT_UNREADABLE;
        }
        long decrypted = count(ConnectionOutcome.Status.DECRYPTED);
        long partly = count(ConnectionOutcome.Status.PARTLY);
        long none = count(ConnectionOutcome.Status.NOT_DECRYPTED);
        long plain = count(ConnectionOutcome.Status.PLAIN);
        if (decrypted + partly == 0 && (none > 0 || plain == 0)) {
            return EXIT_NONE;
        }
        if (partly + none > 0 || !unreadable.isEmpty()) {
            return EXIT_SOME;
        }
        return EXIT_ALL;
    }
}
