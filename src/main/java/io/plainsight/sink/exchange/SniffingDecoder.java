package io.plainsight.sink.exchange;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import io.plainsight.http.ConnectionDecoder;
import io.plainsight.http.DecodeListener;

/** Waits for the first bytes of a tunnel, then hands them (and the rest) to the decoder they call for. */
final class SniffingDecoder implements ConnectionDecoder {
    interface Choice {
        ConnectionDecoder choose(Direction direction, ByteBuf first, DecodeListener listener);
    }

    private final DecodeListener listener;
    private final Choice choice;
    private ConnectionDecoder chosen;
    private boolean decided;

    SniffingDecoder(long connectionId, DecodeListener listener, Choice choice) {
        this.listener = listener;
        this.choice = choice;
    }

    @Override
    public void data(Direction direction, long timestampMicros, ByteBuf data) {
        if (!decided && data.isReadable()) {
            decided = true;
            chosen = choice.choose(direction, data, listener);
        }
        if (chosen != null) {
            chosen.data(direction, timestampMicros, data);
        }
    }

    @Override
    public void end(long timestampMicros) {
        if (chosen != null) {
            chosen.end(timestampMicros);
        }
    }
}
