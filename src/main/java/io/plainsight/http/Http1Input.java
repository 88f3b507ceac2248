package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.event.Direction;

/**
 * One direction's bytes as {@link Http1Decoder} reads them: the bytes kept between data events
 * (an incomplete head, or bytes held back), each byte's offset in the direction, and the timestamp
 * of the data event that carried it.
 *
 * <p>Each data event is read through a work buffer: {@link #begin} returns the caller's bytes as a
 * duplicate (own indexes, no copy) when nothing is kept, or else the kept bytes with the new ones
 * appended; the reader then advances the work buffer's reader index over what it consumed, and
 * {@link #finish} copies what is left unread (never keeping the caller's buffer) and forgets the
 * timestamps of consumed bytes.
 */
final class Http1Input {
    private ByteBuf kept = Unpooled.buffer(0);
    /** Direction offset of the work buffer's byte at {@link #workStart}. */
    private long base;
    private int workStart;
    private long received;
    // Data events whose bytes are not all consumed, oldest first, as a ring: event k holds the
    // offsets below ends[k] (and at or above the previous event's end) and came at micros[k].
    private long[] ends = new long[4];
    private long[] micros = new long[4];
    private int first;
    private int count;

    /** The work buffer for a data event of {@code data}'s readable bytes at {@code timestampMicros}. */
    ByteBuf begin(long timestampMicros, ByteBuf data) {
        int n = data.readableBytes();
        received += n;
        remember(received, timestampMicros);
        if (kept.isReadable()) {
            kept.writeBytes(data, data.readerIndex(), n);
            workStart = kept.readerIndex();
            return kept;
        }
        ByteBuf work = data.duplicate();
        workStart = work.readerIndex();
        return work;
    }

    /** The kept bytes as a work buffer (to read bytes held back earlier). */
    ByteBuf resume() {
        workStart = kept.readerIndex();
        return kept;
    }

    /** Ends the reading of {@code work} (from {@link #begin} or {@link #resume}): keeps its unread bytes. */
    void finish(ByteBuf work) {
        base += work.readerIndex() - workStart;
        if (work == kept) {
            if (!kept.isReadable()) {
                kept.clear();
                if (kept.capacity() > 64 * 1024) {
                    kept = Unpooled.buffer(0);
                }
            } else if (kept.readerIndex() > kept.capacity() / 2) {
                kept.discardReadBytes();
            }
        } else if (work.isReadable()) {
            kept.writeBytes(work, work.readerIndex(), work.readableBytes());
        }
        workStart = kept.readerIndex();
        while (count > 0 && ends[first] <= base) {
            first = (first + 1) % ends.length;
            count--;
        }
    }

    /** Forgets everything kept (the direction is no longer read). */
    void clear() {
        kept = Unpooled.buffer(0);
        count = 0;
    }

    /** The direction offset of byte {@code index} of the current work buffer. */
    long offset(int index) {
        return base + (index - workStart);
    }

    /** The offset of the first byte not yet consumed. */
    long consumed() {
        return base;
    }

    /** Bytes kept between events. */
    int keptBytes() {
        return kept.readableBytes();
    }

    /** Whether every kept byte is CR or LF (what may separate messages). */
    boolean keptOnlyLineEnds() {
        for (int i = kept.readerIndex(); i < kept.writerIndex(); i++) {
            byte b = kept.getByte(i);
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** The timestamp of the data event that carried the byte at direction offset {@code offset}. */
    long micros(long offset) {
        for (int k = 0; k < count; k++) {
            int i = (first + k) % ends.length;
            if (ends[i] > offset) {
                return micros[i];
            }
        }
        return count > 0 ? micros[(first + count - 1) % ends.length] : 0;
    }

    /**
     * Passes the unread bytes of {@code work} to {@code to} as data events of {@code direction},
     * one per data event they came in, with its timestamp.
     */
    void forward(ByteBuf work, Direction direction, ConnectionDecoder to) {
        int index = work.readerIndex();
        int end = work.writerIndex();
        for (int k = 0; k < count && index < end; k++) {
            int i = (first + k) % ends.length;
            long at = offset(index);
            if (ends[i] <= at) {
                continue;
            }
            int n = (int) Math.min(end - index, ends[i] - at);
            to.data(direction, micros[i], work.slice(index, n));
            index += n;
        }
        work.readerIndex(end);
    }

    private void remember(long end, long timestampMicros) {
        if (count == ends.length) {
            long[] e = new long[count * 2];
            long[] m = new long[count * 2];
            for (int k = 0; k < count; k++) {
                e[k] = ends[(first + k) % count];
                m[k] = micros[(first + k) % count];
            }
            ends = e;
            micros = m;
            first = 0;
        }
        int i = (first + count) % ends.length;
        ends[i] = end;
        micros[i] = timestampMicros;
        count++;
    }
}
