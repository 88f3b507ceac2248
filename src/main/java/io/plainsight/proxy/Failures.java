package io.plainsight.proxy;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.util.internal.StringUtil;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;

/** Turns exceptions into one-line reasons a person can act on. */
public final class Failures {
    private Failures() {}

    /** The innermost cause's message, or its class name when it has none. */
    public static String rootMessage(Throwable t) {
        Throwable root = t;
        String best = null;
        while (root != null) {
            if (root.getMessage() != null && !root.getMessage().isBlank()) {
                best = root.getMessage();
            }
            if (root.getCause() == null || root.getCause() == root) {
                break;
            }
            root = root.getCause();
        }
        if (best == null) {
            return t.getClass().getSimpleName();
        }
        return oneLine(best);
    }

    public static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** True for a peer that reset the connection. */
    public static boolean isReset(Throwable t) {
        String m = rootMessage(t);
        return m.contains("Connection reset") || m.contains("Broken pipe");
    }

    /** Reason for a peer that sent something other than TLS where TLS was expected. */
    public static String notTls(Throwable t) {
        NotSslRecordException e = find(t, NotSslRecordException.class);
        if (e == null) {
            return null;
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        int i = m.indexOf("record: ");
        String preview = "";
        if (i >= 0) {
            String hex = m.substring(i + 8).trim();
            int n = Math.min(hex.length() / 2, 24);
            try {
                byte[] bytes = StringUtil.decodeHexDump(hex, 0, n * 2);
                preview = " (first bytes: \"" + printable(bytes) + "\")";
            } catch (RuntimeException ignored) {
                // not hex: no preview
            }
        }
        return "did not speak TLS" + preview;
    }

    /** Up to 24 bytes from the reader index, escaped for a log line. */
    public static String preview(io.netty.buffer.ByteBuf buf) {
        byte[] bytes = new byte[Math.min(24, buf.readableBytes())];
        buf.getBytes(buf.readerIndex(), bytes);
        return printable(bytes);
    }

    /** A reason for an upstream connect failure. */
    public static String connect(Throwable t) {
        if (find(t, UnknownHostException.class) != null) {
            return "host does not resolve (" + rootMessage(t) + ")";
        }
        ConnectException ce = find(t, ConnectException.class);
        if (ce != null) {
            String m = rootMessage(t);
            if (m.contains("refused")) {
                return "connection refused";
            }
            return m;
        }
        return rootMessage(t);
    }

    /** A reason for a TLS handshake failure on either leg. */
    public static String handshake(Throwable t) {
        String notTls = notTls(t);
        if (notTls != null) {
            return notTls;
        }
        if (find(t, ClosedChannelException.class) != null) {
            return "connection closed during the TLS handshake";
        }
        if (isReset(t)) {
            return "connection reset during the TLS handshake";
        }
        SSLException ssl = find(t, SSLException.class);
        String m = rootMessage(t);
        if (ssl != null && m.equals("SSLHandshakeException")) {
            return "TLS handshake failed";
        }
        return m;
    }

    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c >= 0x20 && c < 0x7f && c != '"') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    static String oneLine(String s) {
        String line = s.replace('\n', ' ').replace('\r', ' ');
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
