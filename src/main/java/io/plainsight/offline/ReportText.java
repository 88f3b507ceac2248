package io.plainsight.offline;

import io.plainsight.sink.console.ConsoleFormat;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The decryption report as text for a person (stderr at the end of {@code plainsight decrypt}). */
public final class ReportText {
    /** Failing connections listed when there are more connections than {@link DecryptionReport#MAX_ROWS}. */
    static final int FAILED_LISTED = 50;

    private ReportText() {}

    public static void write(DecryptionReport r, PrintStream out) {
        long packets = r.packets();
        long skipped = r.inputs.stream().mapToLong(DecryptionReport.Input::skippedTotal).sum();
        out.printf("decryption report: %s, %,d packets (%,d not TCP/IP), %,d connections%n",
                r.inputs.size() == 1 ? r.inputs.get(0).name + " (" + r.inputs.get(0).format + ")" : r.inputs.size() + " inputs",
                packets, skipped, r.connections());
        StringBuilder counts = new StringBuilder();
        for (ConnectionOutcome.Status s : ConnectionOutcome.Status.values()) {
            long n = r.count(s);
            if (n > 0 || s == ConnectionOutcome.Status.DECRYPTED || s == ConnectionOutcome.Status.NOT_DECRYPTED) {
                counts.append(counts.isEmpty() ? "" : ", ").append(s.label()).append(' ').append(String.format("%,d", n));
            }
        }
        out.println("  " + counts + "; " + ConsoleFormat.bytes(r.plaintextBytes) + " of plaintext");
        r.filteredByRule.forEach((id, n) -> out.printf("  filtered out by capture rule %s: %,d%n", id, n));
        if (r.secretsBlocks > 0) {
            out.printf("  key material from %d decryption secrets block(s) in the capture%n", r.secretsBlocks);
        }
        for (DecryptionReport.Input in : r.inputs) {
            for (Map.Entry<String, Long> e : in.skipped.entrySet()) {
                out.printf("  %s: %,d packet(s) skipped: %s%n", in.name, e.getValue(), e.getKey());
            }
        }
        if (r.warningCount > 0) {
            out.printf("  %,d problem(s) in the input or the keys (told above as they were met)%n", r.warningCount);
        }
        boolean all = r.connections() <= DecryptionReport.MAX_ROWS;
        List<ConnectionOutcome> rows = all ? r.rows : r.failedRows;
        if (!all && !rows.isEmpty()) {
            out.printf("connections that could not be (fully) decrypted (%s):%n",
                    r.failedRows.size() > FAILED_LISTED ? "the first " + FAILED_LISTED + "; all of them with --report json" : "all");
        } else if (all && !rows.isEmpty()) {
            out.println("connections:");
        }
        int listed = 0;
        for (ConnectionOutcome o : rows) {
            if (!all && ++listed > FAILED_LISTED) {
                break;
            }
            out.println("  " + line(o));
        }
        out.println(switch (r.exitCode()) {
            case DecryptionReport.EXIT_ALL -> "result: everything decrypted (exit code 0)";
            case DecryptionReport.EXIT_SOME -> "result: some connections not (fully) decrypted (exit code 4)";
            case DecryptionReport.EXIT_UNREADABLE -> "result: no input could be read (exit code 1)";
            default -> "result: nothing decrypted (exit code 5)";
        });
    }

    /** One connection: "#3 10.0.0.1:5123 -> 10.0.0.2:443 example.com TLS 1.3 TLS_AES_128_GCM_SHA256: decrypted, 1.2 kB up, 3 MB down". */
    static String line(ConnectionOutcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append('#').append(o.id()).append(' ').append(ConsoleFormat.address(o.client())).append(" -> ")
                .append(ConsoleFormat.address(o.server()));
        if (o.sni() != null) {
            sb.append(' ').append(o.sni());
        }
        if (o.version() != null) {
            sb.append(' ').append(o.version()).append(' ').append(o.cipher());
        }
        if (o.resumption() != null) {
            sb.append(" (resumed by ").append(o.resumption()).append(')');
        }
        sb.append(": ").append(o.status().label());
        if (o.plaintextClientToServer() + o.plaintextServerToClient() > 0) {
            sb.append(", ").append(ConsoleFormat.bytes(o.plaintextClientToServer())).append(" up, ")
                    .append(ConsoleFormat.bytes(o.plaintextServerToClient())).append(" down");
        }
        if (o.reason() != null) {
            sb.append(" - ").append(o.reason());
        }
        return sb.toString();
    }
}
