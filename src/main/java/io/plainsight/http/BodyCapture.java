package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The bytes of one message body kept for display, up to a limit; {@link #size()} counts every
 * byte appended, kept or not. Not thread-safe.
 */
public final class BodyCapture {
    private static final byte[] NONE = new byte[0];

    private final int limit;
    private byte[] bytes = NONE;
    private int kept;
    private long size;

    /** @param limit bytes kept at most (0 keeps none; sizes are still counted) */
    public BodyCapture(int limit) {
        this.limit = Math.max(0, limit);
    }

    /** Appends {@code length} bytes of {@code buf} from {@code index}, without moving its indexes. */
    public void append(ByteBuf buf, int index, int length) {
        size += length;
        int take = Math.min(length, limit - kept);
        if (take <= 0) {
            return;
        }
        ensure(kept + take);
        buf.getBytes(index, bytes, kept, take);
        kept += take;
    }

    /** Appends a whole array. */
    public void append(byte[] data, int offset, int length) {
        size += length;
        int take = Math.min(length, limit - kept);
        if (take <= 0) {
            return;
        }
        ensure(kept + take);
        System.arraycopy(data, offset, bytes, kept, take);
        kept += take;
    }

    private void ensure(int capacity) {
        if (capacity > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(capacity, bytes.length * 2 + 256)));
        }
    }

    /** The kept bytes (a copy). */
    public byte[] bytes() {
        return kept == 0 ? NONE : Arrays.copyOf(bytes, kept);
    }

    /**
     * Replaces the kept bytes (redaction), keeping the counted size unless {@code size} is given
     * (not negative): the total size of what {@code kept} stands for.
     */
    public void replaceKept(byte[] kept, long size) {
        this.bytes = Arrays.copyOf(kept, kept.length);
        this.kept = kept.length;
        if (size >= 0) {
            this.size = size;
        }
    }

    /** Bytes appended in total. */
    public long size() {
        return size;
    }

    /** Whether bytes were appended beyond the limit (and not kept). */
    public boolean truncated() {
        return size > kept;
    }
}
