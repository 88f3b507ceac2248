package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Finds the first handshake message of one type (a ClientHello or a ServerHello) in one direction
 * of a TLS connection's bytes, as they cross the wire: records may split the message, and reads
 * may split records anywhere. Pure code: fed buffers are only read, never consumed or kept.
 *
 * <p>For ServerHellos, a TLS 1.3 HelloRetryRequest (a ServerHello with a special random) is
 * skipped: the ServerHello that follows the client's second ClientHello is the one found.
 */
final class HelloScanner {
    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;
    /** A hello larger than this is not recorded. */
    static final int MAX_MESSAGE = 1 << 16;

    private static final int RECORD_HEADER = 5;
    private static final int CONTENT_HANDSHAKE = 22;
    private static final byte[] HELLO_RETRY_RANDOM = java.util.HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    private final int wantedType;
    private final byte[] recordHeader = new byte[RECORD_HEADER];
    private int headerFilled;
    private int recordType;
    private int recordRemaining;
    /** The handshake message being read: its 4-byte header, then (for the wanted type) its body. */
    private byte[] message = new byte[4];
    private int messageFilled;
    /** Bytes of an unwanted message still to skip. */
    private int skipping;
    private byte[] found;
    private boolean gaveUp;

    HelloScanner(int wantedType) {
        this.wantedType = wantedType;
    }

    /** The message (type, 3-byte length, body) once found, else null. */
    byte[] found() {
        return found;
    }

    /** True once the message was found, or cannot be (not TLS, too large): feeding more is useless. */
    boolean done() {
        return found != null || gaveUp;
    }

    /** Scans the readable bytes of {@code buf} (its indexes are not moved). */
    void feed(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && !done()) {
            if (recordRemaining == 0) {
                recordHeader[headerFilled++] = buf.getByte(i++);
                if (headerFilled == RECORD_HEADER) {
                    headerFilled = 0;
                    recordType = recordHeader[0] & 0xff;
                    recordRemaining = ((recordHeader[3] & 0xff) << 8) | (recordHeader[4] & 0xff);
                    if (recordType < 20 || recordType > 23 || recordHeader[1] != 3) {
                        gaveUp = true; // not a TLS record
                    }
                }
                continue;
            }
            int n = Math.min(recordRemaining, end - i);
            if (recordType == CONTENT_HANDSHAKE) {
                handshakeBytes(buf, i, n);
            }
            i += n;
            recordRemaining -= n;
        }
    }

    private void handshakeBytes(ByteBuf buf, int from, int n) {
        int i = from;
        int end = from + n;
        while (i < end && !done()) {
            if (skipping > 0) {
                int k = Math.min(skipping, end - i);
                skipping -= k;
                i += k;
                continue;
            }
            if (messageFilled < 4) {
                message[messageFilled++] = buf.getByte(i++);
                if (messageFilled == 4) {
                    int type = message[0] & 0xff;
                    int length = ((message[1] & 0xff) << 16) | ((message[2] & 0xff) << 8) | (message[3] & 0xff);
                    if (type != wantedType) {
                        skipping = length;
                        messageFilled = 0;
                    } else if (length > MAX_MESSAGE) {
                        gaveUp = true;
                    } else {
                        message = Arrays.copyOf(message, 4 + length);
                    }
                }
                if (messageFilled < 4 || messageFilled < message.length) {
                    continue;
                }
            }
            int k = Math.min(message.length - messageFilled, end - i);
            buf.getBytes(i, message, messageFilled, k);
            messageFilled += k;
            i += k;
            if (messageFilled == message.length) {
                complete();
            }
        }
    }

    private void complete() {
        if (wantedType == SERVER_HELLO && message.length >= 4 + 2 + 32
                && Arrays.equals(message, 6, 38, HELLO_RETRY_RANDOM, 0, 32)) {
            message = new byte[4]; // a HelloRetryRequest: the real ServerHello comes later
            messageFilled = 0;
            return;
        }
        found = message;
    }
}
