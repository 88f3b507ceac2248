package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads the fixtures under {@code src/test/resources/offline/tcp/} (made by make-fixtures.sh
 * with tshark; see the README there): segments ({@code NAME.segments.tsv.gz}) and tshark's
 * follow output, raw ({@code NAME.follow}) or as lengths and SHA-256 per line
 * ({@code NAME.follow-digest}).
 */
final class TsharkFixtures {
    private TsharkFixtures() {}

    /** One TCP packet as tshark decoded it. */
    record Row(long frame, long micros, InetAddress src, int srcPort, InetAddress dst, int dstPort, long seq, long ack,
               int flags, long stream, byte[] payload) {}

    /** One line of follow output: the node (0 or 1) and its bytes, or only their length and SHA-256. */
    record FollowLine(int node, byte[] bytes, int length, String sha256) {}

    /** One stream's follow section. */
    record Follow(long stream, String node0, String node1, List<FollowLine> lines) {}

    static List<Row> segments(String name, LongPredicate keepFrame) {
        List<Row> rows = new ArrayList<>();
        Map<String, InetAddress> addresses = new HashMap<>(); // one object per address, as a capture reader might keep
        try (BufferedReader in = reader(name + ".segments.tsv.gz")) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                long frame = Long.parseLong(f[0]);
                if (!keepFrame.test(frame)) {
                    continue;
                }
                String[] t = f[1].split("\\.");
                long micros = Long.parseLong(t[0]) * 1_000_000 + Long.parseLong((t[1] + "000000").substring(0, 6));
                InetAddress src = addresses.computeIfAbsent(f[2].isEmpty() ? f[3] : f[2], Wire::address);
                InetAddress dst = addresses.computeIfAbsent(f[5].isEmpty() ? f[6] : f[5], Wire::address);
                rows.add(new Row(frame, micros, src, Integer.parseInt(f[4]), dst, Integer.parseInt(f[7]),
                        Long.parseLong(f[8]), Long.parseLong(f[9]), Integer.decode(f[10]) & 0xFF, Long.parseLong(f[11]),
                        HexFormat.of().parseHex(f[12])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    static void feed(TcpReassembler r, List<Row> rows) {
        for (Row row : rows) {
            r.segment(row.frame(), row.micros(), row.src(), row.srcPort(), row.dst(), row.dstPort(), row.seq(), row.ack(),
                    row.flags(), Unpooled.wrappedBuffer(row.payload()));
        }
        r.finish(rows.get(rows.size() - 1).micros() + 1);
    }

    /** Follow sections by stream number, from a raw or a digest file. */
    static Map<Long, Follow> follows(String file) {
        Map<Long, Follow> out = new HashMap<>();
        try (BufferedReader in = reader(file)) {
            Long stream = null;
            String node0 = null;
            String node1 = null;
            List<FollowLine> lines = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("Filter: tcp.stream eq ")) {
                    stream = Long.parseLong(line.substring("Filter: tcp.stream eq ".length()));
                    lines = new ArrayList<>();
                } else if (line.startsWith("Node 0: ")) {
                    node0 = line.substring(8);
                } else if (line.startsWith("Node 1: ")) {
                    node1 = line.substring(8);
                } else if (line.startsWith("=====")) {
                    if (stream != null) {
                        out.put(stream, new Follow(stream, node0, node1, lines));
                        stream = null;
                    }
                } else if (stream != null && !line.isEmpty()) {
                    int node = line.startsWith("\t") ? 1 : 0;
                    String body = line.substring(node);
                    if (body.startsWith("#")) {
                        String[] p = body.substring(1).split(" ");
                        lines.add(new FollowLine(node, null, Integer.parseInt(p[0]), p[1]));
                    } else {
                        byte[] b = HexFormat.of().parseHex(body);
                        lines.add(new FollowLine(node, b, b.length, null));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Whether tshark's "10.0.0.1:40001" or "[2001:db8::1]:443" is that address and port. */
    static boolean isEndpoint(String node, InetAddress address, int port) {
        int colon = node.lastIndexOf(':');
        String host = node.substring(0, colon).replace("[", "").replace("]", "");
        return Integer.parseInt(node.substring(colon + 1)) == port && Wire.address(host).equals(address);
    }

    /**
     * Null if tshark's follow of the stream and the recorded streams (with tshark's gap markers,
     * "[N bytes missing in capture file]" and a NUL) hold the same bytes; else where they part.
     */
    static String compare(Follow follow, Recorder rec) {
        TcpConnection c = rec.connections.get(follow.stream());
        if (c == null) {
            return "stream " + follow.stream() + ": no such connection";
        }
        boolean node0IsClient = isEndpoint(follow.node0(), c.clientAddress(), c.clientPort());
        if (!node0IsClient && !isEndpoint(follow.node0(), c.serverAddress(), c.serverPort())) {
            return "stream " + follow.stream() + ": node 0 " + follow.node0() + " is neither end of " + c;
        }
        byte[][] ours = {rec.tsharkStyle(c.id(), node0IsClient), rec.tsharkStyle(c.id(), !node0IsClient)};
        int[] at = {0, 0};
        int lineNumber = 0;
        for (FollowLine line : follow.lines()) {
            lineNumber++;
            byte[] mine = ours[line.node()];
            int from = at[line.node()];
            String where = "stream " + follow.stream() + " node " + line.node() + " line " + lineNumber + " at offset " + from;
            if (from + line.length() > mine.length) {
                return where + ": tshark has " + line.length() + " bytes, we have " + (mine.length - from) + " left";
            }
            byte[] part = java.util.Arrays.copyOfRange(mine, from, from + line.length());
            boolean same = line.bytes() != null
                    ? java.util.Arrays.equals(part, line.bytes())
                    : sha256(part).equals(line.sha256());
            if (!same) {
                return where + ": " + line.length() + " bytes differ"
                        + (line.bytes() != null ? ": tshark " + ByteBufUtil.hexDump(line.bytes()) + ", we "
                        + ByteBufUtil.hexDump(part) : "");
            }
            at[line.node()] += line.length();
        }
        for (int node = 0; node < 2; node++) {
            if (at[node] != ours[node].length) {
                return "stream " + follow.stream() + " node " + node + ": we have " + (ours[node].length - at[node])
                        + " bytes more than tshark, from offset " + at[node];
            }
        }
        return null;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BufferedReader reader(String file) throws IOException {
        InputStream in = TsharkFixtures.class.getResourceAsStream("/offline/tcp/" + file);
        if (in == null) {
            throw new IOException("no fixture offline/tcp/" + file);
        }
        if (file.endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16);
    }
}
