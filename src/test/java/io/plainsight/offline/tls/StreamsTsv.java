package io.plainsight.offline.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ground truth of a corpus case (resources offline/tls/expected/NAME.streams.tsv): tshark's
 * per-stream, per-direction record counts, bytes and SHA-256.
 */
public record StreamsTsv(List<Row> rows) {
    /**
     * One TCP stream. {@code client} and {@code server} are "IP:PORT"; {@code version} and
     * {@code cipherSuites} are tshark's names with their codes ("TLS 1.2 (0x0303)"; suites of
     * renegotiations joined by " / "), see {@link #withoutCodes}.
     */
    public record Row(int stream, String client, String server, String version, String cipherSuites, int c2sRecords,
            long c2sBytes, String c2sSha256, int s2cRecords, long s2cBytes, String s2cSha256) {}

    /** "TLS 1.2 (0x0303)" -> "TLS 1.2". */
    public static String withoutCodes(String s) {
        return s.replaceAll(" \\(0x[0-9a-f]{4}\\)", "");
    }

    public static StreamsTsv load(String name) throws IOException {
        InputStream in = StreamsTsv.class.getResourceAsStream("/offline/tls/expected/" + name + ".streams.tsv");
        if (in == null) {
            throw new IOException("no expected/" + name + ".streams.tsv");
        }
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.startsWith("tcp_stream") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                rows.add(new Row(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4], Integer.parseInt(f[5]), Long.parseLong(f[6]),
                        f[7], Integer.parseInt(f[8]), Long.parseLong(f[9]), f[10]));
            }
        }
        return new StreamsTsv(rows);
    }
}
