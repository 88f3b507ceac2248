package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a reassembler's events as lines ("data 0 c @0 hello #3") and each connection's two
 * streams (bytes, with gaps shown as {@code [gap N]} in {@link #text}), and checks the listener
 * contract on the way: opened first, offsets tiling each direction, closed once and last.
 */
final class Recorder implements StreamListener {
    final List<String> events = new ArrayList<>();
    final Map<Long, TcpConnection> connections = new LinkedHashMap<>();
    private final Map<Long, ByteArrayOutputStream[]> streams = new LinkedHashMap<>();
    private final Map<Long, StringBuilder[]> texts = new LinkedHashMap<>();
    /** The streams as tshark's follow shows them: gaps as "[N bytes missing in capture file]" and a NUL. */
    private final Map<Long, ByteArrayOutputStream[]> tshark = new LinkedHashMap<>();
    private final Map<Long, long[]> offsets = new LinkedHashMap<>();
    private final Map<Long, CloseReason> closed = new LinkedHashMap<>();
    /** Whether data lines show the bytes (ASCII) or only their count. */
    boolean showBytes = true;
    /** Whether packet numbers are shown in data and gap lines. */
    boolean showPackets = true;

    @Override
    public void opened(TcpConnection c, long packetNumber, long timestampMicros) {
        if (connections.containsKey(c.id())) {
            throw new AssertionError("opened twice: " + c.id());
        }
        connections.put(c.id(), c);
        streams.put(c.id(), new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()});
        texts.put(c.id(), new StringBuilder[] {new StringBuilder(), new StringBuilder()});
        tshark.put(c.id(), new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()});
        offsets.put(c.id(), new long[2]);
        events.add("opened " + c.id() + " " + c.clientAddress().getHostAddress() + ":" + c.clientPort() + " -> "
                + c.serverAddress().getHostAddress() + ":" + c.serverPort() + (c.sawSyn() ? " syn" : " nosyn")
                + " #" + packetNumber);
    }

    @Override
    public void data(TcpConnection c, boolean fromClient, long packetNumber, long timestampMicros, ByteBuf bytes,
                     long streamOffset) {
        check(c, fromClient, streamOffset);
        byte[] b = ByteBufUtil.getBytes(bytes);
        if (b.length == 0) {
            throw new AssertionError("empty data event");
        }
        int d = fromClient ? 0 : 1;
        streams.get(c.id())[d].writeBytes(b);
        tshark.get(c.id())[d].writeBytes(b);
        texts.get(c.id())[d].append(new String(b, StandardCharsets.ISO_8859_1));
        offsets.get(c.id())[d] = streamOffset + b.length;
        events.add("data " + c.id() + (fromClient ? " c" : " s") + " @" + streamOffset + " "
                + (showBytes ? new String(b, StandardCharsets.ISO_8859_1) : b.length + " bytes")
                + (showPackets ? " #" + packetNumber : ""));
    }

    @Override
    public void gap(TcpConnection c, boolean fromClient, long packetNumber, long timestampMicros, long streamOffset,
                    long missingBytes) {
        check(c, fromClient, streamOffset);
        if (missingBytes <= 0) {
            throw new AssertionError("gap of " + missingBytes);
        }
        int d = fromClient ? 0 : 1;
        texts.get(c.id())[d].append("[gap ").append(missingBytes).append(']');
        tshark.get(c.id())[d].writeBytes(("[" + missingBytes + " bytes missing in capture file]\0")
                .getBytes(StandardCharsets.US_ASCII));
        offsets.get(c.id())[d] = streamOffset + missingBytes;
        events.add("gap " + c.id() + (fromClient ? " c" : " s") + " @" + streamOffset + " +" + missingBytes
                + (showPackets ? " #" + packetNumber : ""));
    }

    @Override
    public void closed(TcpConnection c, long timestampMicros, CloseReason reason) {
        if (!connections.containsKey(c.id()) || closed.containsKey(c.id())) {
            throw new AssertionError("closed without open, or twice: " + c.id());
        }
        if (c.isOpen()) {
            throw new AssertionError("still open while reported closed");
        }
        closed.put(c.id(), reason);
        events.add("closed " + c.id() + " " + reason);
    }

    private void check(TcpConnection c, boolean fromClient, long streamOffset) {
        if (!connections.containsKey(c.id()) || closed.containsKey(c.id())) {
            throw new AssertionError("event outside open..closed: " + c.id());
        }
        long expected = offsets.get(c.id())[fromClient ? 0 : 1];
        if (streamOffset != expected) {
            throw new AssertionError("offset " + streamOffset + " where " + expected + " was expected, connection "
                    + c.id() + (fromClient ? " client" : " server"));
        }
    }

    /** The consumer swapped the connection's roles: the recorded directions follow. */
    void swapped(long id) {
        swap(streams.get(id));
        swap(texts.get(id));
        swap(tshark.get(id));
        long[] o = offsets.get(id);
        long t = o[0];
        o[0] = o[1];
        o[1] = t;
    }

    private static <T> void swap(T[] a) {
        T t = a[0];
        a[0] = a[1];
        a[1] = t;
    }

    byte[] stream(long id, boolean fromClient) {
        return streams.get(id)[fromClient ? 0 : 1].toByteArray();
    }

    byte[] tsharkStyle(long id, boolean fromClient) {
        return tshark.get(id)[fromClient ? 0 : 1].toByteArray();
    }

    /** The direction's stream as ISO-8859-1 text with "[gap N]" where bytes are missing. */
    String text(long id, boolean fromClient) {
        return texts.get(id)[fromClient ? 0 : 1].toString();
    }

    CloseReason closeReason(long id) {
        return closed.get(id);
    }

    List<String> take() {
        List<String> copy = List.copyOf(events);
        events.clear();
        return copy;
    }
}
