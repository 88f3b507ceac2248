package io.plainsight.http;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses the messages of one direction of a WebSocket connection with permessage-deflate
 * (RFC 7692 7.2.2): raw DEFLATE, the four octets 00 00 ff ff appended to each message, one
 * inflater (and so one sliding window) across messages unless the sender takes no context over.
 *
 * <p>Output goes to a {@link BodyCapture}, through a fixed 8 KiB buffer: memory stays bounded
 * whatever the ratio. A message whose output passes {@code bound} bytes stops decompression with
 * an error, so a decompression bomb costs at most {@code bound} bytes of inflating. Not
 * thread-safe; {@link #close()} frees the native inflater.
 */
final class MessageInflater {
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final Inflater inflater = new Inflater(true);
    private final boolean noContextTakeover;
    private final long bound;
    private final byte[] out = new byte[8 * 1024];
    private long produced;

    MessageInflater(boolean noContextTakeover, long bound) {
        this.noContextTakeover = noContextTakeover;
        this.bound = bound;
    }

    /**
     * Inflates {@code len} bytes of a message's compressed payload into {@code sink}.
     *
     * @return null, or why the message cannot be decompressed
     */
    String inflate(byte[] in, int off, int len, BodyCapture sink) {
        if (inflater.finished()) {
            return null; // after a block with BFINAL set (RFC 7692 7.2.3.4): the rest of the message is padding
        }
        inflater.setInput(in, off, len);
        while (true) {
            int n;
            try {
                n = inflater.inflate(out);
            } catch (DataFormatException e) {
                return "invalid deflate data in a compressed WebSocket message (" + ContentDecoding.describe(e) + ")";
            }
            if (n > 0) {
                sink.append(out, 0, n);
                produced += n;
                if (produced > bound) {
                    return "a compressed WebSocket message inflates beyond " + bound + " bytes (the decompression bound)";
                }
            } else if (inflater.finished() || inflater.needsInput()) {
                return null;
            } else if (inflater.needsDictionary()) {
                return "invalid deflate data in a compressed WebSocket message (a preset dictionary is asked for)";
            } else {
                return null; // no progress: nothing more to get from this input
            }
        }
    }

    /**
     * Ends a message: appends the tail the sender removed and inflates what it releases, then
     * empties the window if the sender takes no context over (or ended its stream with BFINAL).
     *
     * @return null, or why the message cannot be decompressed
     */
    String endMessage(BodyCapture sink) {
        String error = inflate(TAIL, 0, TAIL.length, sink);
        produced = 0;
        if (noContextTakeover || inflater.finished()) {
            inflater.reset();
        }
        return error;
    }

    void close() {
        inflater.end();
    }
}
