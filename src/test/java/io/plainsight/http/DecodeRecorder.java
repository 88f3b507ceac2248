package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Records what a decoder reports, and stands in for the decoders after a protocol switch (an
 * {@link UpgradeHandler} whose decoders record the bytes they are given), and renders all of it
 * as text for exact comparison. Exchanges come first in the order reported, then undecodable
 * directions (by direction), then the switch, so that the text does not depend on how the two
 * directions' bytes were interleaved.
 */
class DecodeRecorder implements DecodeListener, UpgradeHandler {
    final List<Exchange> exchanges = new ArrayList<>();
    final TreeMap<Direction, String> undecodable = new TreeMap<>();
    final List<String> switches = new ArrayList<>();
    /** Bytes given to the decoder after the switch, as "> @ts bytes" lines (consecutive events of one direction and timestamp merged). */
    final List<String> forwarded = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private Direction currentDirection;
    private long currentMicros;
    private int ends;
    /** Whether the switch decoders are handed out (false: the handler returns null). */
    boolean decodeAfterSwitch = true;
    HttpMessage upgradeRequest;

    @Override
    public void exchange(Exchange exchange) {
        exchanges.add(exchange);
    }

    @Override
    public void webSocket(WebSocketMessage message) {
        throw new AssertionError("an HTTP/1 decoder reported a WebSocket message");
    }

    @Override
    public void undecodable(long connectionId, Direction direction, long offset, String reason) {
        if (undecodable.containsKey(direction)) {
            throw new AssertionError("undecodable reported twice for " + direction);
        }
        undecodable.put(direction, "at " + offset + ": " + reason);
    }

    @Override
    public ConnectionDecoder webSocket(long connectionId, String extensions) {
        return switched("websocket(extensions=" + extensions + ")");
    }

    @Override
    public ConnectionDecoder h2c(long connectionId, HttpMessage request) {
        upgradeRequest = request;
        return switched("h2c(" + request.method + " " + request.target + ")");
    }

    @Override
    public ConnectionDecoder tunnel(long connectionId, String authority) {
        return switched("tunnel(" + authority + ")");
    }

    private ConnectionDecoder switched(String what) {
        switches.add(what);
        if (!decodeAfterSwitch) {
            return null;
        }
        return new ConnectionDecoder() {
            @Override
            public void data(Direction direction, long timestampMicros, ByteBuf data) {
                if (ends > 0) {
                    throw new AssertionError("data after end");
                }
                if (direction != currentDirection || timestampMicros != currentMicros) {
                    flush();
                    currentDirection = direction;
                    currentMicros = timestampMicros;
                }
                current.append(data.toString(StandardCharsets.ISO_8859_1));
            }

            @Override
            public void end(long timestampMicros) {
                flush();
                ends++;
            }
        };
    }

    private void flush() {
        if (currentDirection != null && current.length() > 0) {
            forwarded.add((currentDirection == Direction.CLIENT_TO_SERVER ? "> @" : "< @") + currentMicros + " "
                    + ExchangeText.quote(current.toString()));
        }
        current.setLength(0);
    }

    /** Everything recorded, as text. */
    String text() {
        flush();
        StringBuilder sb = new StringBuilder();
        for (Exchange e : exchanges) {
            sb.append(ExchangeText.render(e));
        }
        undecodable.forEach((d, s) -> sb.append("undecodable ").append(d).append(' ').append(s).append('\n'));
        for (String s : switches) {
            sb.append("switch ").append(s).append('\n');
        }
        for (String s : forwarded) {
            sb.append("  ").append(s).append('\n');
        }
        if (ends > 0) {
            sb.append("  end").append(ends > 1 ? " x" + ends : "").append('\n');
        }
        return sb.toString();
    }
}
