package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import io.plainsight.http.WebSocketMessage.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads the frames of one direction of a WebSocket connection (RFC 6455 5) and reports each data
 * message and control frame as it completes. See {@link WebSocketDecoder} for what is accepted,
 * noted and rejected.
 *
 * <p>Nothing is cumulated but a frame header (at most 14 bytes) and a control frame's payload (at
 * most 125): payloads stream through, unmasked and decompressed as they come, into a
 * {@link BodyCapture} that keeps the body limit's worth.
 */
final class WebSocketReader {
    private static final int MAX_HEADER = 14;
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private final long connectionId;
    private final Direction direction;
    private final DecodeListener listener;
    private final int maxBody;
    private final PerMessageDeflate deflate;
    private final long inflateBound;
    private final String extensions;
    private MessageInflater inflater;

    /** Bytes of this direction consumed so far. */
    private long offset;
    /** Undecodable or ended: everything else is ignored. */
    private boolean done;
    /** A close frame was read. */
    private boolean closed;

    // the frame being read: its header is complete when headerHave == headerNeed
    private final byte[] header = new byte[MAX_HEADER];
    private int headerHave;
    private int headerNeed = 2;
    private long frameStart;
    private boolean fin;
    private int opcode;
    private boolean masked;
    private final byte[] mask = new byte[4];
    private long payloadLength;
    private long payloadDone;
    private final Set<String> frameNotes = new LinkedHashSet<>();
    private final byte[] control = new byte[MAX_CONTROL_PAYLOAD];

    // the data message being assembled; type null when there is none
    private Type messageType;
    private boolean messageCompressed;
    private BodyCapture message;
    private long messageWire;
    private long messageStart;
    private final Set<String> messageNotes = new LinkedHashSet<>();

    private final byte[] scratch = new byte[8 * 1024];

    WebSocketReader(long connectionId, Direction direction, DecodeListener listener, int maxBody,
            PerMessageDeflate deflate, long inflateBound, String extensions) {
        this.connectionId = connectionId;
        this.direction = direction;
        this.listener = listener;
        this.maxBody = Math.max(0, maxBody);
        this.deflate = deflate;
        this.inflateBound = inflateBound;
        this.extensions = extensions;
    }

    /** Reads the readable bytes of {@code buf}, without moving its indexes or keeping it. */
    void data(long timestampMicros, ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && !done) {
            if (headerHave < headerNeed) {
                if (headerHave == 0) {
                    frameStart = offset;
                }
                int take = Math.min(end - i, headerNeed - headerHave);
                buf.getBytes(i, header, headerHave, take);
                headerHave += take;
                i += take;
                offset += take;
                if (headerHave == 2 && headerNeed == 2) {
                    int length7 = header[1] & 0x7f;
                    headerNeed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
                }
                if (headerHave == headerNeed && startFrame() && payloadLength == 0) {
                    endFrame(timestampMicros);
                }
            } else {
                int n = (int) Math.min(end - i, payloadLength - payloadDone);
                payload(buf, i, n);
                i += n;
                offset += n;
                if (!done && payloadDone == payloadLength) {
                    endFrame(timestampMicros);
                }
            }
        }
    }

    /** The header is complete: checks it and sets the frame up. Returns false when the direction became undecodable. */
    private boolean startFrame() {
        int b0 = header[0] & 0xff;
        int b1 = header[1] & 0xff;
        fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        opcode = b0 & 0x0f;
        masked = (b1 & 0x80) != 0;
        int length7 = b1 & 0x7f;
        int at = 2;
        frameNotes.clear();
        if (length7 == 126) {
            payloadLength = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            at = 4;
            if (payloadLength < 126) {
                frameNotes.add("a payload length in more bytes than needed");
            }
        } else if (length7 == 127) {
            payloadLength = 0;
            for (int k = 2; k < 10; k++) {
                payloadLength = (payloadLength << 8) | (header[k] & 0xff);
            }
            at = 10;
            if (payloadLength < 0) {
                return fail(frameStart, "a WebSocket frame with an invalid length (a 64-bit length with the most significant bit set)");
            }
            if (payloadLength < 65536) {
                frameNotes.add("a payload length in more bytes than needed");
            }
        } else {
            payloadLength = length7;
        }
        if (masked) {
            System.arraycopy(header, at, mask, 0, 4);
        }
        payloadDone = 0;

        if ((opcode >= 3 && opcode <= 7) || opcode >= 0xb) {
            return fail(frameStart, String.format("a WebSocket frame with reserved opcode 0x%X", opcode));
        }
        if ((b0 & 0x30) != 0) {
            return fail(frameStart, "a WebSocket frame with RSV2 or RSV3 set, which no negotiated extension defines"
                    + extensionsSaid());
        }
        if (direction == Direction.CLIENT_TO_SERVER && !masked) {
            frameNotes.add("an unmasked client frame");
        } else if (direction == Direction.SERVER_TO_CLIENT && masked) {
            frameNotes.add("a masked server frame");
        }
        if (closed) {
            frameNotes.add("a frame after the close frame");
        }
        if (opcode >= 8) {
            String name = controlType().name();
            if (!fin) {
                return fail(frameStart, "a fragmented WebSocket control frame (" + name + ")");
            }
            if (payloadLength > MAX_CONTROL_PAYLOAD) {
                return fail(frameStart, "a WebSocket control frame (" + name + ") with a payload of " + payloadLength
                        + " bytes (at most 125)");
            }
            if (rsv1) {
                return fail(frameStart, "a WebSocket control frame (" + name + ") with RSV1 set");
            }
            return true;
        }
        if (opcode == 0) {
            if (messageType == null) {
                return fail(frameStart, "a WebSocket continuation frame with no message to continue");
            }
            if (rsv1) {
                return fail(frameStart, "a WebSocket continuation frame with RSV1 set (permessage-deflate marks a message's first frame only)");
            }
        } else {
            if (messageType != null) {
                return fail(frameStart, "a new WebSocket data frame while a fragmented message is unfinished");
            }
            if (rsv1 && deflate == null) {
                return fail(frameStart, "a WebSocket frame with RSV1 set, but permessage-deflate was not negotiated"
                        + extensionsSaid());
            }
            messageType = opcode == 1 ? Type.TEXT : Type.BINARY;
            messageCompressed = rsv1;
            message = new BodyCapture(maxBody);
            messageWire = 0;
            messageStart = frameStart;
            messageNotes.clear();
            if (rsv1 && inflater == null) {
                inflater = new MessageInflater(deflate.noContextTakeover(direction), inflateBound);
            }
        }
        messageNotes.addAll(frameNotes);
        return true;
    }

    private String extensionsSaid() {
        return extensions == null ? " (no Sec-WebSocket-Extensions)" : " (Sec-WebSocket-Extensions: " + extensions + ")";
    }

    private Type controlType() {
        return opcode == 8 ? Type.CLOSE : opcode == 9 ? Type.PING : Type.PONG;
    }

    /** {@code n} payload bytes of the current frame at {@code index} of {@code buf}. */
    private void payload(ByteBuf buf, int index, int n) {
        if (opcode < 8 && !masked && !messageCompressed) {
            message.append(buf, index, n); // nothing to transform: BodyCapture copies only what it keeps
            payloadDone += n;
            return;
        }
        int did = 0;
        while (did < n) {
            int chunk = Math.min(n - did, scratch.length);
            buf.getBytes(index + did, scratch, 0, chunk);
            if (masked) {
                for (int k = 0; k < chunk; k++) {
                    scratch[k] ^= mask[(int) ((payloadDone + k) & 3)];
                }
            }
            if (opcode >= 8) {
                System.arraycopy(scratch, 0, control, (int) payloadDone, chunk);
            } else if (messageCompressed) {
                String error = inflater.inflate(scratch, 0, chunk, message);
                if (error != null) {
                    fail(messageStart, error);
                    return;
                }
            } else {
                message.append(scratch, 0, chunk);
            }
            payloadDone += chunk;
            did += chunk;
        }
    }

    private void endFrame(long timestampMicros) {
        long wire = headerNeed + payloadLength;
        headerHave = 0;
        headerNeed = 2;
        if (opcode >= 8) {
            endControl(timestampMicros, wire);
            return;
        }
        messageWire += wire;
        if (!fin) {
            return;
        }
        if (messageCompressed) {
            String error = inflater.endMessage(message);
            if (error != null) {
                fail(messageStart, error);
                return;
            }
        }
        reportMessage(timestampMicros, messageNotes);
    }

    private void reportMessage(long timestampMicros, Set<String> notes) {
        BodyCapture body = message;
        Type type = messageType;
        messageType = null;
        message = null;
        listener.webSocket(new WebSocketMessage(connectionId, direction, timestampMicros, type, body.bytes(),
                body.size(), messageWire, body.truncated(), messageCompressed, 0, null, join(notes)));
    }

    private void endControl(long timestampMicros, long wire) {
        int length = (int) payloadLength;
        Type type = controlType();
        int code = 0;
        String reason = null;
        if (type == Type.CLOSE) {
            if (length == 1) {
                fail(frameStart, "a WebSocket close frame with a 1-byte payload (a status code takes 2)");
                return;
            }
            if (length >= 2) {
                code = ((control[0] & 0xff) << 8) | (control[1] & 0xff);
                if (!sendable(code)) {
                    frameNotes.add("close code " + code + " is not one an endpoint may send");
                }
            }
            if (length > 2) {
                try {
                    reason = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(control, 2, length - 2))
                            .toString();
                } catch (CharacterCodingException e) {
                    reason = new String(control, 2, length - 2, StandardCharsets.UTF_8);
                    frameNotes.add("a close reason that is not valid UTF-8");
                }
            }
            closed = true;
        }
        byte[] kept = Arrays.copyOf(control, Math.min(length, maxBody));
        listener.webSocket(new WebSocketMessage(connectionId, direction, timestampMicros, type, kept, length, wire,
                kept.length < length, false, code, reason, join(frameNotes)));
    }

    /** RFC 6455 7.4: codes an endpoint may put in a close frame (1012-1014 were registered later). */
    static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    private static String join(Set<String> notes) {
        return notes.isEmpty() ? null : String.join("; ", notes);
    }

    /**
     * The connection ended: a data message under way is reported with what came of it and a note; a
     * frame cut inside its header, or a control frame cut short, makes the rest undecodable.
     */
    void end(long timestampMicros) {
        if (done) {
            return;
        }
        boolean inHeader = headerHave > 0 && headerHave < headerNeed;
        boolean inPayload = headerHave > 0 && headerHave == headerNeed;
        if (messageType != null) {
            if (inPayload && opcode < 8) {
                messageWire += headerNeed + payloadDone;
            }
            Set<String> notes = new LinkedHashSet<>(messageNotes);
            notes.add("cut short: the connection ended before the message's last frame");
            reportMessage(timestampMicros, notes);
        }
        if (inHeader) {
            fail(frameStart, "the connection ended inside a WebSocket frame header (" + headerHave + " of "
                    + headerNeed + " bytes)");
        } else if (inPayload && opcode >= 8) {
            fail(frameStart, "the connection ended inside a WebSocket " + controlType().name() + " frame ("
                    + payloadDone + " of " + payloadLength + " payload bytes)");
        }
        release();
    }

    private boolean fail(long at, String reason) {
        release();
        listener.undecodable(connectionId, direction, at, reason);
        return false;
    }

    private void release() {
        done = true;
        if (inflater != null) {
            inflater.close();
            inflater = null;
        }
    }
}
