package io.plainsight.offline.capture;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A listener that writes down everything it is told, in order, as text lines:
 * {@code segment} lines in the column format of {@code tshark_truth.py}, and
 * {@code secrets}, {@code skipped} and {@code warning} lines.
 */
class Recorder implements CaptureListener {
    final List<String> events = new ArrayList<>();
    final List<String> segments = new ArrayList<>();
    final List<TcpSegment> segmentRecords = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final List<byte[]> secrets = new ArrayList<>();
    final List<Long> secretsPositions = new ArrayList<>();

    @Override
    public void segment(TcpSegment s) {
        byte[] payload = new byte[s.payload().readableBytes()];
        s.payload().getBytes(s.payload().readerIndex(), payload);
        String line = String.join("\t", String.valueOf(s.packetNumber()), addr(s.src()), String.valueOf(s.srcPort()),
                addr(s.dst()), String.valueOf(s.dstPort()), String.valueOf(s.seq()), String.valueOf(s.ack()),
                String.valueOf(s.flags()), String.valueOf(s.window()), String.valueOf(payload.length),
                sha16(payload), String.valueOf(s.timestampMicros()));
        segments.add(line);
        events.add("segment " + s.packetNumber() + (s.truncated() ? " truncated" : ""));
        payloads.add(payload);
        // keep the record with a copy of its payload: the reader's view is only valid during the call
        segmentRecords.add(new TcpSegment(s.packetNumber(), s.timestampMicros(), s.src(), s.srcPort(), s.dst(),
                s.dstPort(), s.seq(), s.ack(), s.flags(), s.window(), io.netty.buffer.Unpooled.wrappedBuffer(payload),
                s.truncated()));
    }

    @Override
    public void secrets(int secretsType, byte[] data, long position) {
        secrets.add(data);
        secretsPositions.add(position);
        events.add("secrets 0x" + Integer.toHexString(secretsType) + " " + data.length + " bytes at " + position);
    }

    @Override
    public void skipped(long packetNumber, String reason) {
        skipped.add(packetNumber + " " + reason);
        events.add("skipped " + packetNumber + " " + reason);
    }

    @Override
    public void warning(String message) {
        warnings.add(message);
        events.add("warning " + message);
    }

    String payloadText(int i) {
        return new String(payloads.get(i), StandardCharsets.ISO_8859_1);
    }

    /** The address as tshark prints it (IPv6 in RFC 5952 form: lower case, the longest run of zero groups as "::"). */
    static String addr(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    static String sha16(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
